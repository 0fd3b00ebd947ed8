import { describe, expect, it } from 'vitest';
import { byteOrderMark } from '../../src/recipients/byte-order-mark.js';

describe('byteOrderMark', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x61], { encoding: 'utf-8', length: 3 }],
    [[0xff, 0xfe, 0x61, 0x00], { encoding: 'utf-16le', length: 2 }],
    [[0xfe, 0xff, 0x00, 0x61], { encoding: 'utf-16be', length: 2 }],
  ])('%j starts with a byte-order mark: %j', (bytes, mark) => {
    expect(byteOrderMark(Uint8Array.from(bytes))).toEqual(mark);
  });

  it.each([
    [[]],
    [[0x61, 0x62, 0x63]],
    // Each byte of a mark alone, or two of its three, is no mark.
    [[0xef, 0x00, 0xbf]],
    [[0xef, 0xbb, 0x00]],
    [[0x00, 0xbb, 0xbf]],
    [[0xef, 0xbb]],
    [[0xff, 0x00]],
    [[0x00, 0xfe]],
    [[0xfe, 0x00]],
    [[0x00, 0xff]],
    // The two UTF-16 marks' bytes in the wrong order for either.
    [[0xff, 0xff]],
    [[0xfe, 0xfe]],
  ])('%j has none', (bytes) => {
    expect(byteOrderMark(Uint8Array.from(bytes))).toBeUndefined();
  });
});
