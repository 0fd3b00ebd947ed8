// The DuckDB baseline of the reconcile benchmark (issue 17): runs bench/reconcile-duckdb.sql over a
// ledger and an events file with 2 threads, writing retry.csv and sms-fallback.csv into <out>.
//
//   node bench/reconcile-duckdb.js <ledger> <events> <out> <now ISO-8601>
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [ledger, events, out, now] = process.argv.slice(2);
if (!now) throw new Error('usage: node bench/reconcile-duckdb.js <ledger> <events> <out> <now>');
const quote = (text) => `'${text.replaceAll("'", "''")}'`;
const values = {
  ledger: quote(ledger),
  events: quote(events),
  retry: quote(path.join(out, 'retry.csv')),
  sms: quote(path.join(out, 'sms-fallback.csv')),
  now_s: String(Date.parse(now) / 1000),
};
const sql = readFileSync(new URL('./reconcile-duckdb.sql', import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name) => values[name]);

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
await connection.run(sql);
connection.closeSync();
instance.closeSync();
