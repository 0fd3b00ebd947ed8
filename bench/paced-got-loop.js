// The baseline for send's CPU (the goal: send ≤ 1.3 × this loop, same server, same run): a bare
// got loop posting at `rate` requests a second (a 1 ms timer tick), with the options send's
// transport gives got (src/providers/http-transport.ts) and the same keep-alive and in-flight room,
// nothing else.
import http from 'node:http';
import got from 'got';
import { runPaced } from './paced-loop.js';

const [url, total, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
const client = got.extend({ agent, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false, timeout: { request: 30_000 }, responseType: 'text', decompress: false, cache: false, dnsCache: false });
// A different recipient each time, as send's campaign has: the emulator answers a repeated number
// within 6 s with a pair-rate error, and got builds an HTTPError (with a stack trace) for every
// answer that is not 2xx, which would make this loop dearer than the one it is a baseline for.
const bodyFor = (i) => JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: `+4474${10_000_000 + i}`, type: 'template', template: { name: 'hello', language: { code: 'en' } } });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json' };
await runPaced(total, rate, (i) => client.post(url, { body: bodyFor(i), headers }));
agent.http.destroy();
