import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, runRecord } from '../reconcile/events.js';

// SPEC "Outputs": with --json, stdout holds the one object and stderr only warnings and errors (no
// tables). The README's cron line sends reconcile's stdout to /dev/null: its log must stay short.
async function reconcile(events: string[], ...flags: string[]) {
  const ledger = jsonl([runRecord(), intent('+447400123456', 'c1'), accepted('+447400123456', 'c1', 'wamid.1')]);
  const dir = await fixture({ 'campaign.ledger.jsonl': ledger, 'events.jsonl': events.map((line) => `${line}\n`).join('') });
  return run(['reconcile', '--ledger', path.join(dir, 'campaign.ledger.jsonl'), '--events', path.join(dir, 'events.jsonl'), '--out', path.join(dir, 'lists'), '--now', '2026-11-18T00:00:00Z', ...flags], {}, dir);
}

describe('reconcile --json', () => {
  it('writes nothing on stderr when there is nothing to warn about; the tables only without --json', async () => {
    const events = [metaLine([{ id: 'wamid.1', status: 'read', cid: 'c1' }])];
    const json = await reconcile(events, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ recipients: 1, funnel: { read: { count: 1 } } });
    expect(json.stderr).toBe('');
    const human = await reconcile(events);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^1 recipients in the ledger, reconciled at 2026-11-18T00:00:00\.000Z\n/);
    expect(human.stderr).toContain('│ read');
  });

  it('keeps the warnings on stderr, one line each: no deliveries visible, event lines not understood', async () => {
    const json = await reconcile(['{"type":"event","received_at":"2026-11-17T08:05:00.000Z","provider":"meta","path":"/webhook","raw":"{}"}', 'not json'], '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ deliveries_visible: false });
    const lines = json.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^! no status events matched this campaign: reconcile cannot see deliveries/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^Event lines not understood \(\d; counted, not fatal\):$/), ...Array.from({ length: lines.length - 2 }, () => expect.stringMatching(/^ {2}.*events\.jsonl:\d: /))]);
    expect(json.stderr).not.toContain('│');
  });
});
