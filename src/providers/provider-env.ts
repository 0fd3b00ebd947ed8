import { ConfigError } from '../errors.js';
import type { ProviderSetupOptions } from './provider-module.js';

/**
 * The checks every provider's configuration makes (SPEC.md "Providers and credentials"): its
 * variables are set, and a base URL is http(s) and, when plain http://, on this machine.
 */

/**
 * The values of `names` in `env`. Missing ones are a ConfigError naming them, or, for a dry run
 * (`options.placeholders`), stand-ins like `<WA_TOKEN>`.
 */
export function requireVariables(provider: string, env: NodeJS.ProcessEnv, options: ProviderSetupOptions, ...names: string[]): string[] {
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0 && !options.placeholders) {
    throw new ConfigError(`--provider ${provider} needs ${missing.join(' and ')}: set them in the environment or in .env`);
  }
  return names.map((n) => env[n] || `<${n}>`);
}

/**
 * A base URL from `variable` (or its default). A non-loopback http:// URL is refused unless
 * allowed explicitly, since the credentials would cross the network in clear text.
 */
export function checkBaseUrl(variable: string, value: string, options: ProviderSetupOptions): string {
  const url = checkUrl(variable, value);
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !options.allowInsecureHttp) {
    throw new ConfigError(`${variable} is plain http:// to ${url.hostname}: credentials would cross the network unencrypted; use https://, or pass --allow-insecure-http`);
  }
  return value;
}

/** `value` as an http(s) URL, or a ConfigError naming `what`. */
export function checkUrl(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${what} must be an http(s) URL`);
  return url;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A base URL without its trailing slashes, for joining paths to it. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
