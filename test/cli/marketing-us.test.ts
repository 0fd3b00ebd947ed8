import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, runRecord } from '../reconcile/events.js';

// One rule for both commands: Meta does not deliver marketing templates to US numbers, and +1 is
// the US, Canada and the Caribbean. A Toronto number is warned about by neither, and a 131049 for
// it is the per-user limit (retried), not "marketing_us" (sent to SMS for good).
const NEW_YORK = '+12125550199';
const TORONTO = '+14165550123';

describe('marketing to US numbers: validate and reconcile agree', () => {
  it('validate warns about the New York number only', async () => {
    const dir = await fixture({
      'c.csv': `phone,opt_in,name\n${TORONTO},yes,Tara\n${NEW_YORK},yes,Nina\n+447400123456,yes,Ana\n`,
      's.yaml': 'name: offer\nlanguage: en\ncategory: marketing\ncomponents:\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n',
    });
    const result = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--json']);
    expect(result.code).toBe(0);
    const { warnings } = JSON.parse(result.stdout) as { warnings: { code: string; message: string }[] };
    expect(warnings.filter((w) => w.code === 'marketing_to_us')).toEqual([{ code: 'marketing_to_us', message: expect.stringMatching(/^1 recipient has a US \(\+1\) number/) }]);
  });

  it('reconcile sends the New York 131049 to SMS as marketing_us, and retries the Toronto one a day later', async () => {
    const ledger = [
      runRecord(),
      intent(NEW_YORK, 'c1', 1, { phone: NEW_YORK, opt_in: 'yes', name: 'Nina' }),
      accepted(NEW_YORK, 'c1', 'wamid.ny'),
      intent(TORONTO, 'c2', 1, { phone: TORONTO, opt_in: 'yes', name: 'Tara' }),
      accepted(TORONTO, 'c2', 'wamid.to'),
    ];
    // 2026-11-18T11:06:40Z
    const events = [metaLine([{ id: 'wamid.ny', status: 'failed', cid: 'c1', code: 131049, ts: 1795000000 }]), metaLine([{ id: 'wamid.to', status: 'failed', cid: 'c2', code: 131049, ts: 1795000000 }])];
    const dir = await fixture({ 'l.jsonl': jsonl(ledger), 'e.jsonl': `${events.join('\n')}\n` });
    const reconcile = (now: string) => run(['reconcile', '--ledger', path.join(dir, 'l.jsonl'), '--events', path.join(dir, 'e.jsonl'), '--out', path.join(dir, 'lists'), '--now', now]);
    const list = (name: string) => readFile(path.join(dir, 'lists', name), 'utf8');

    expect((await reconcile('2026-11-18T12:00:00Z')).code).toBe(0);
    expect(await list('sms-fallback.csv')).toBe(`phone,name,reason,error_code,attempts\n${NEW_YORK},Nina,marketing_us,131049,1\n`);
    // Toronto's retry is not due yet: listed with its due time, a day after the failure.
    expect(await list('retry.csv')).toBe(`phone,opt_in,name,reason,error_code,attempts,due_at\n${TORONTO},yes,Tara,per_user_limit,131049,1,2026-11-19T11:06:40.000Z\n`);

    expect((await reconcile('2026-11-19T12:00:00Z')).code).toBe(0);
    expect(await list('retry.csv')).toBe(`phone,opt_in,name,reason,error_code,attempts,due_at\n${TORONTO},yes,Tara,per_user_limit,131049,1,2026-11-19T11:06:40.000Z\n`);
    expect(await list('sms-fallback.csv')).toBe(`phone,name,reason,error_code,attempts\n${NEW_YORK},Nina,marketing_us,131049,1\n`);
  });
});
