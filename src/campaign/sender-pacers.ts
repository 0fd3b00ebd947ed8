import type { Clock } from '../clock.js';
import { Pacer } from './pacer.js';

/**
 * One pacer per sending number: a provider's throughput limit (80 MPS, 1,000 after an upgrade) is
 * per business number, and so is what its throttling says. A campaign through one number has one;
 * a Messaging Service or several numbers get one each, made on first use, all at `mps`.
 */
export class SenderPacers {
  private readonly pacers = new Map<string, Pacer>();

  constructor(
    readonly mps: number,
    private readonly clock: Clock,
    /** This machine's worst wait for a CPU (ms) since a time, for every sender's window (pacer.ts). */
    private readonly waits?: (since: number) => number,
  ) {}

  /** The pacer of `sender` (a phone-number id, a `From`, a Messaging Service). */
  for(sender: string): Pacer {
    let pacer = this.pacers.get(sender);
    if (!pacer) this.pacers.set(sender, (pacer = new Pacer(this.mps, this.clock, this.waits)));
    return pacer;
  }

  /** Every sender's pacer, in the order first used. */
  all(): Pacer[] {
    return [...this.pacers.values()];
  }
}
