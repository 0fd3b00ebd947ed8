// The paced request loop both CPU baselines share: `total` calls of `post(i)` at `rate` a second
// (a 1 ms timer tick, catching up when it fires late), all allowed in flight at once.
export async function runPaced(total, rate, post) {
  const pending = new Set();
  const start = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      for (; sent < due; sent++) {
        const request = post(sent).finally(() => pending.delete(request));
        pending.add(request);
      }
      if (sent < total) setTimeout(tick, 1);
      else Promise.all(pending).then(resolve);
    };
    tick();
  });
}
