import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from '../../src/providers/index.js';

/*
 * Issue 11: what differs between providers lives in the provider's own folder, and everything else
 * asks the registry (src/providers/index.ts). A comparison with a provider's name outside its
 * folder (`flags.provider === 'twilio'`) is a fourth provider's bug waiting: it would take the
 * other branch. This reads src/ as text, so it catches the comparison however it is reached.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = join(dir, entry.name);
    return entry.isDirectory() ? sources(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

function comparisonsWithNames(text: string, names: readonly string[]): string[] {
  const alternatives = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`(?:[=!]==?\\s*['"](?:${alternatives})['"])|(?:['"](?:${alternatives})['"]\\s*[=!]==?)|(?:case\\s+['"](?:${alternatives})['"])`, 'g');
  return text.match(pattern) ?? [];
}

describe('no provider named outside its own folder', () => {
  it('finds the comparisons it looks for (so that an empty result below means something)', () => {
    expect(comparisonsWithNames("if (flags.provider === 'twilio') {", PROVIDER_NAMES)).toEqual(["=== 'twilio'"]);
    expect(comparisonsWithNames("run?.provider !== \"cloud\" ? a : b; 'twilio' == x; switch (p) { case '360dialog': }", PROVIDER_NAMES)).toEqual(['!== "cloud"', "'twilio' ==", "case '360dialog'"]);
    expect(comparisonsWithNames("const label = 'twilio';", PROVIDER_NAMES)).toEqual([]);
  });

  it('src/ outside src/providers/<name>/ compares no value with a provider name', () => {
    const own = PROVIDER_NAMES.map((name) => join('src', 'providers', name) + '/');
    const found = sources('src')
      .filter((file) => !own.some((folder) => file.startsWith(folder)))
      .flatMap((file) => comparisonsWithNames(readFileSync(file, 'utf8'), PROVIDER_NAMES).map((hit) => `${file}: ${hit}`));
    expect(found).toEqual([]);
  });
});
