import { describe, expect, it } from 'vitest';
import { resolveEncoding } from '../../src/recipients/text-encoding.js';

describe('resolveEncoding', () => {
  it("gives TextDecoder's canonical name for a label, spaces around it ignored", () => {
    expect(resolveEncoding(' latin1 ')).toBe('windows-1252');
    expect(resolveEncoding('UTF-16')).toBe('utf-16le');
    expect(resolveEncoding('iso-8859-15')).toBe('iso-8859-15');
  });

  it('knows no unknown label, nor a "replacement" one', () => {
    expect(resolveEncoding('klingon')).toBeUndefined();
    expect(resolveEncoding('iso-2022-kr')).toBeUndefined();
  });
});
