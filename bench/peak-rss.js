// Preloaded into a benchmarked process (node --import): at exit, appends the process's own peak RSS
// and CPU time to the file named by WA_BENCH_REPORT, so the benchmark measures the real CLI process.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  const report = { maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
  appendFileSync(process.env.WA_BENCH_REPORT, `${JSON.stringify(report)}\n`);
});
