// The floor for send's CPU: a bare got loop posting at `rate` requests a second (a 1 ms timer
// tick) to the same server, with the same keep-alive and in-flight room, nothing else.
import http from 'node:http';
import got from 'got';
import { runPaced } from './paced-loop.js';

const [url, total, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
const client = got.extend({ agent, retry: { limit: 0 }, throwHttpErrors: false, responseType: 'text', timeout: { request: 30_000 } });
const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template', template: { name: 'hello', language: { code: 'en' } } });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json' };
await runPaced(total, rate, () => client.post(url, { body, headers }));
agent.http.destroy();
