import { CODE_FAMILIES, type ProviderFamily } from '../codes/code-info.js';

/**
 * A provider family as stored in the fold's columns (and sent across threads): its index in
 * CODE_FAMILIES. Its own module, not the fold's: the events worker needs it, and importing the fold
 * would load the rules (decide-recipient, libphonenumber-js's metadata) into a thread that never
 * applies them, before it can start reading.
 */
export function familyCode(family: ProviderFamily): number {
  return CODE_FAMILIES.indexOf(family);
}
