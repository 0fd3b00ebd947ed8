import { describe, expect, it } from 'vitest';
import { HELD_STATUS } from '../../src/providers/held-status.js';
import { codeOf, normaliseKeyword, StatusRank } from '../../src/providers/status-signal.js';

describe('StatusRank', () => {
  it('the lattice: none, sent, delivered, read, in that order', () => {
    expect(StatusRank).toEqual({ none: 0, sent: 1, delivered: 2, read: 3 });
  });
});

describe('normaliseKeyword', () => {
  it('trimmed, every run of white space one space, upper case', () => {
    expect(normaliseKeyword('  stop  please\t\nnow ')).toBe('STOP PLEASE NOW');
    expect(normaliseKeyword('Baja')).toBe('BAJA');
    expect(normaliseKeyword('')).toBe('');
  });
});

describe('codeOf', () => {
  it('a number, or a string of digits; -1 for anything else', () => {
    expect(codeOf(131026)).toBe(131026);
    expect(codeOf(0)).toBe(0);
    expect(codeOf('63024')).toBe(63024);
    // Number() would read each of these as a number: only digits are a code.
    expect(codeOf(' 63024')).toBe(-1);
    expect(codeOf('63024 ')).toBe(-1);
    expect(codeOf('6e3')).toBe(-1);
    expect(codeOf('')).toBe(-1);
    expect(codeOf('0x1F')).toBe(-1);
    expect(codeOf(1.5)).toBe(-1);
    expect(codeOf(Number.NaN)).toBe(-1);
    expect(codeOf(undefined)).toBe(-1);
    expect(codeOf(null)).toBe(-1);
    expect(codeOf(true)).toBe(-1);
    expect(codeOf([131026])).toBe(-1);
  });
});

describe('HELD_STATUS', () => {
  it('the message_status Meta answers for a message held for quality assessment', () => {
    expect(HELD_STATUS).toBe('held_for_quality_assessment');
  });
});
