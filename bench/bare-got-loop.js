// The baseline for send's overhead: a bare got loop posting the same body to the same server with
// the same concurrency and keep-alive, nothing else. Prints requests per second.
import http from 'node:http';
import got from 'got';

const [url, total, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = { http: new http.Agent({ keepAlive: true, maxSockets: concurrency }) };
const client = got.extend({ agent, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false, responseType: 'text', decompress: false, cache: false, dnsCache: false });
const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template', template: { name: 'hello', language: { code: 'en' } } });
let next = 0;
const started = performance.now();
async function worker() {
  while (next < total) {
    next++;
    await client.post(url, { body, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } });
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
console.log(JSON.stringify({ rate: total / ((performance.now() - started) / 1000) }));
agent.http.destroy();
