// The clock moved to the base layer (src/clock.ts) so the ledger writer, the webhook and the
// emulator take the same one; this re-export keeps the campaign's own imports (the pacer's) working.
export { systemClock, type Clock } from '../clock.js';
