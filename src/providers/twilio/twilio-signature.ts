import { createHmac } from 'node:crypto';
import { safeEqual } from '../safe-equal.js';

/*
 * Twilio's `X-Twilio-Signature` on status callbacks: pure, over the URL Twilio called and the raw
 * form, before anything else is read. Source: api-facts.md §4.
 */

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
