// Two peers' pacing styles, reproduced in a few lines each, as baselines for the pacing bench
// (bench/pacing.js), with the got options send gives got:
//   node bench/peer-pacing.js sleep <url> <count> <mps>   a fixed sleep between sends (whatomate
//        sleeps 100 ms between messages, i.e. 10/s; here the sleep is 1000/mps ms, for each rate),
//        each request started without waiting for the last one's answer; a throttled recipient goes
//        back in the queue and takes a later turn, so nothing leaves faster than one per sleep
//   node bench/peer-pacing.js plimit <url> <count> <concurrency>   p-limit alone: a cap on requests
//        in flight, no rate at all; a throttled request is sent again at once
// Neither style has a back-off. Prints one JSON line.
import http from 'node:http';
import got from 'got';
import pLimit from 'p-limit';

const [style, url, count, n] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const agent = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
const client = got.extend({ agent, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false, timeout: { request: 30_000 }, responseType: 'text', decompress: false, cache: false, dnsCache: false });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json' };
const bodyFor = (i) => JSON.stringify({ messaging_product: 'whatsapp', to: `+4474${10_000_000 + i}`, type: 'template', template: { name: 'bench_code', language: { code: 'en_GB' } } });
let throttled = 0;
const post = (i) => client.post(url, { body: bodyFor(i), headers });
const sendOne = async (i) => {
  for (;;) {
    const response = await post(i);
    if (response.statusCode !== 400) return;
    throttled++;
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
if (style === 'sleep') {
  // One send per sleep, retries included. (Sent again at once instead, as this script once did, a
  // throttled request spun at the receiver's round trip for as long as its second stayed full, and
  // one jitter-throttled request became thousands: the 2.43 x the rate and 4,486 throttled at 400.)
  const queue = Array.from({ length: count }, (_, i) => i);
  let inFlight = 0;
  while (queue.length > 0 || inFlight > 0) {
    const i = queue.shift();
    if (i !== undefined) {
      inFlight++;
      void post(i).then((response) => {
        inFlight--;
        if (response.statusCode === 400) {
          throttled++;
          queue.push(i);
        }
      });
    }
    await sleep(1000 / n);
  }
} else {
  const limit = pLimit(n);
  await Promise.all(Array.from({ length: count }, (_, i) => limit(() => sendOne(i))));
}
agent.http.destroy();
console.log(JSON.stringify({ throttled, seconds: (performance.now() - started) / 1000 }));
