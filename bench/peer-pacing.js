// Two peers' pacing styles, reproduced in a few lines each, as baselines for the pacing bench
// (bench/pacing.js), with the got options send gives got:
//   node bench/peer-pacing.js sleep <url> <count> <mps>   a fixed sleep between sends (whatomate
//        sleeps 100 ms between messages, i.e. 10/s; here the sleep is 1000/mps ms, for each rate),
//        each request started without waiting for the last one's answer
//   node bench/peer-pacing.js plimit <url> <count> <concurrency>   p-limit alone: a cap on requests
//        in flight, no rate at all
// A throttled request is sent again at once, as neither style has a back-off. Prints one JSON line.
import http from 'node:http';
import got from 'got';
import pLimit from 'p-limit';

const [style, url, count, n] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
const client = got.extend({ agent, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false, timeout: { request: 30_000 }, responseType: 'text', decompress: false, cache: false, dnsCache: false });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json' };
const bodyFor = (i) => JSON.stringify({ messaging_product: 'whatsapp', to: `+4474${10_000_000 + i}`, type: 'template', template: { name: 'bench_code', language: { code: 'en_GB' } } });
let throttled = 0;
const sendOne = async (i) => {
  for (;;) {
    const response = await client.post(url, { body: bodyFor(i), headers });
    if (response.statusCode !== 400) return;
    throttled++;
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
if (style === 'sleep') {
  const pending = [];
  for (let i = 0; i < count; i++) {
    pending.push(sendOne(i));
    await sleep(1000 / n);
  }
  await Promise.all(pending);
} else {
  const limit = pLimit(n);
  await Promise.all(Array.from({ length: count }, (_, i) => limit(() => sendOne(i))));
}
agent.http.destroy();
console.log(JSON.stringify({ throttled, seconds: (performance.now() - started) / 1000 }));
