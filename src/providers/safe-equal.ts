import { timingSafeEqual } from 'node:crypto';

/** Equal in constant time; different lengths are simply unequal. For signatures, tokens and keys. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
