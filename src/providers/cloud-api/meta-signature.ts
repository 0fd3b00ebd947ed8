import { createHmac } from 'node:crypto';
import { safeEqual } from '../safe-equal.js';

/*
 * Meta's `X-Hub-Signature-256` on status callbacks: pure functions over the raw bytes, before
 * anything is parsed (re-serialising JSON before hashing is the classic way to reject good
 * callbacks). Source: api-facts.md §4.
 */

/** Meta's `X-Hub-Signature-256` value for a body: `sha256=` + lower-case hex HMAC-SHA256. */
export function metaSignature(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Checks `X-Hub-Signature-256` against the raw body. Meta signs the ASCII-escaped form of its JSON
 * (`é` as `\u00e9`) and normally delivers exactly that; a body that arrives with the characters
 * unescaped is also checked in the escaped form Meta would have signed.
 */
export function verifyMetaSignature(body: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const given = header.toLowerCase();
  if (safeEqual(given, metaSignature(body, appSecret))) return true;
  const text = body.toString('utf8');
  const escaped = escapeNonAscii(text);
  return escaped !== text && safeEqual(given, metaSignature(escaped, appSecret));
}

/** Every character outside printable ASCII as `\uXXXX`, lower-case hex of UTF-16 code units. */
export function escapeNonAscii(text: string): string {
  return text.replace(/[^\0-~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
