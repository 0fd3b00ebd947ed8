import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signature checks for status callbacks: pure functions over the raw bytes, before anything is
 * parsed (re-serialising JSON before hashing is the classic way to reject good callbacks).
 * Sources: api-facts.md §4.
 */

/** Equal in constant time; different lengths are simply unequal. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

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

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 of the full URL followed by every POST parameter
 * name and value, names sorted (repeated names: values de-duplicated and sorted).
 */
export function twilioSignature(url: string, params: URLSearchParams, authToken: string): string {
  let data = url;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Checks `X-Twilio-Signature`, as Twilio's own libraries do, against the URL as given, with the
 * default port added, and with any port removed (proxies disagree about ports).
 */
export function verifyTwilioSignature(url: string, params: URLSearchParams, header: string | undefined, authToken: string): boolean {
  if (!header) return false;
  return urlVariants(url).some((variant) => safeEqual(header, twilioSignature(variant, params, authToken)));
}

function urlVariants(url: string): string[] {
  const { protocol, hostname, port, pathname, search } = new URL(url);
  const defaultPort = protocol === 'https:' ? '443' : '80';
  return [...new Set([url, `${protocol}//${hostname}:${port || defaultPort}${pathname}${search}`, `${protocol}//${hostname}${pathname}${search}`])];
}
