// Preloaded into a benchmarked process (node --import, or NODE_OPTIONS): at exit, appends the
// process's own peak RSS and CPU time to the file named by WA_BENCH_REPORT, so the benchmark
// measures the real CLI process. With WA_BENCH_SAMPLE_MS, it also samples the CPU time used so
// far every that many milliseconds (wall-clock time, CPU µs), so that the benchmark can take the
// CPU share of a window (while sending at a steady rate) instead of the whole process.
import { appendFileSync } from 'node:fs';

const samples = [];
const every = Number(process.env.WA_BENCH_SAMPLE_MS ?? 0);
if (every > 0) {
  const sample = () => {
    const { user, system } = process.cpuUsage();
    samples.push([Date.now(), user + system]);
  };
  sample();
  setInterval(sample, every).unref();
}

process.on('exit', () => {
  const usage = process.resourceUsage();
  const report = { maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, ...(every > 0 ? { samples } : {}) };
  appendFileSync(process.env.WA_BENCH_REPORT, `${JSON.stringify(report)}\n`);
});
