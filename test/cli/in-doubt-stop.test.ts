import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

// A proxy that loses every answer (resets the connection once the request is in): each send is in
// doubt, and a run of them must stop the campaign (exit 3) rather than park everyone in doubt.
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function resettingProxy() {
  let requests = 0;
  const server = createServer((req) => {
    requests++;
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('send through a proxy that resets every connection', () => {
  it('stops (exit 3) after --max-consecutive-failures sends in doubt, saying how many and that reconcile lists them', async () => {
    const proxy = await resettingProxy();
    const rows = Array.from({ length: 200 }, (_, i) => `+4474005${String(i).padStart(5, '0')},yes,N${i}`).join('\n');
    const dir = await fixture({ 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
    const env = { WA_API_URL: proxy.url, WA_TOKEN: 'token', WA_PHONE_NUMBER_ID: '1' };
    const clock = new ManualClock(2);
    const args = ['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--yes', '--json', '--mps', '100', '--concurrency', '4', '--max-consecutive-failures', '10'];
    const result = await clock.run(run(args, env, dir, { clock }));
    expect(result.code, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout);
    // The stop came at the 10th in a row; those already in flight finished, in doubt too. No more.
    expect(summary.in_doubt).toBeGreaterThanOrEqual(10);
    expect(summary.in_doubt).toBeLessThanOrEqual(10 + 4);
    expect(proxy.requests()).toBe(summary.in_doubt);
    expect(summary).toMatchObject({ accepted: 0, failed: 0, stopped: { code: 'ECONNRESET' } });
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      new RegExp(`^wa-broadcast: stopped: 10 sends in a row got no answer that says whether they went out \\(the last: ECONNRESET .*${summary.in_doubt} send\\(s\\) of this run are in doubt \\(never re-sent automatically\\): reconcile lists them in in-doubt\\.csv\\. Nothing more was sent; resume when fixed: wa-broadcast send `),
    );

    // And true: reconcile lists exactly those in in-doubt.csv.
    const out = path.join(dir, 'lists');
    const reconciled = await run(['reconcile', '--ledger', path.join(dir, 'c.ledger.jsonl'), '--out', out, '--now', '2026-11-24T01:00:00Z'], {}, dir);
    expect(reconciled.code, reconciled.stderr).toBe(0);
    const inDoubt = (await readFile(path.join(out, 'in-doubt.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(inDoubt).toHaveLength(summary.in_doubt);
  });
});
