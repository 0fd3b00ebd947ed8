/**
 * Something that changes by events (an in-process emulator's request log, a fake transport's requests): `notify()` on each
 * change, `until(test)` resolves as soon as `test()` holds after one (or at once). No polling.
 */
export class Changes {
  private readonly waiting = new Set<() => void>();

  notify(): void {
    for (const check of [...this.waiting]) check();
  }

  until(test: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!test()) return;
        this.waiting.delete(check);
        resolve();
      };
      this.waiting.add(check);
      check();
    });
  }
}
