import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { wabaIdFromEnv } from '../../../src/providers/cloud/waba-id.js';

const WRONG = 'WA_WABA_ID must be the WhatsApp Business Account id (digits), as WhatsApp Manager shows it';

describe('wabaIdFromEnv', () => {
  it('is undefined when WA_WABA_ID is absent, empty or blank', () => {
    expect(wabaIdFromEnv({})).toBe(undefined);
    expect(wabaIdFromEnv({ WA_WABA_ID: '' })).toBe(undefined);
    expect(wabaIdFromEnv({ WA_WABA_ID: '  \t' })).toBe(undefined);
  });

  it('gives the digits, without the white space of a paste around them', () => {
    expect(wabaIdFromEnv({ WA_WABA_ID: '102290129340398' })).toBe('102290129340398');
    expect(wabaIdFromEnv({ WA_WABA_ID: ' 102290129340398\n' })).toBe('102290129340398');
  });

  it('takes 32 digits, not 33', () => {
    expect(wabaIdFromEnv({ WA_WABA_ID: '1'.repeat(32) })).toBe('1'.repeat(32));
    expect(() => wabaIdFromEnv({ WA_WABA_ID: '1'.repeat(33) })).toThrow(new ConfigError(WRONG));
  });

  it.each([
    ['letters before the digits', 'id102290129340398'],
    ['letters after the digits', '102290129340398x'],
    ['a phone number', '+15550953877'],
    ['two ids', '1022 9012'],
  ])('refuses %s', (_name, value) => {
    expect(() => wabaIdFromEnv({ WA_WABA_ID: value })).toThrow(ConfigError);
    expect(() => wabaIdFromEnv({ WA_WABA_ID: value })).toThrow(WRONG);
  });
});
