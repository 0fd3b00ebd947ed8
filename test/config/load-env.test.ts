import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/load-env.js';
import { fixture } from '../helpers.js';

describe('loadEnv', () => {
  it('reads .env from the working directory, the real environment winning', async () => {
    const dir = await fixture({ '.env': '# comment\nWA_TOKEN=from-file\nWA_PHONE_NUMBER_ID="123"\n' });
    const env = await loadEnv({ WA_TOKEN: 'from-env' }, dir);
    expect(env.WA_TOKEN).toBe('from-env');
    expect(env.WA_PHONE_NUMBER_ID).toBe('123');
  });

  it('is the environment alone without a .env file', async () => {
    const dir = await fixture({});
    expect(await loadEnv({ A: '1' }, dir)).toEqual({ A: '1' });
  });
});
