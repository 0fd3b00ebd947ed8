import { describe, expect, it } from 'vitest';
import { MarketingRouter } from '../../../src/providers/cloud-api/marketing-router.js';

const TO_MM =
  'this account sends marketing templates only through the Marketing Messages API (disable_marketing_messages_on_cloud_api is on): send with --marketing-api auto or always, or turn the setting off';
const TO_MESSAGES =
  'the Marketing Messages API refused this template as not a marketing template: check its category in WhatsApp Manager, or send with --marketing-api auto (which sends it through /messages)';

function router(initial: 'messages' | 'marketing_messages', policy: 'auto' | 'always' | 'never', marketing: boolean) {
  const notices: string[] = [];
  return { router: new MarketingRouter(initial, policy, marketing, (line) => notices.push(line)), notices };
}

describe('MarketingRouter', () => {
  it('starts on its route, and start() sets another', () => {
    const { router: r } = router('messages', 'auto', true);
    expect(r.route).toBe('messages');
    r.start('marketing_messages');
    expect(r.route).toBe('marketing_messages');
  });

  it('is no answer to a code that does not say the route is wrong', () => {
    const { router: r, notices } = router('messages', 'auto', true);
    expect(r.wrongRoute(131026, 'Message undeliverable')).toBe(undefined);
    expect(r.wrongRoute(987654, 'unknown')).toBe(undefined);
    expect([r.route, notices]).toEqual(['messages', []]);
  });

  it('131063 moves a marketing campaign to the MM API once, announced; the requests sent before follow it', () => {
    const { router: r, notices } = router('messages', 'auto', true);
    expect(r.wrongRoute(131063, 'use the MM API')).toEqual({ kind: 'transient', code: '131063', title: 'use the MM API', retryDelayMs: 0 });
    expect(r.route).toBe('marketing_messages');
    expect(notices).toEqual(['! 131063 use the MM API: sending the rest of this campaign through /marketing_messages (switched once for this run)']);
    expect(r.wrongRoute(131063, 'again')).toEqual({ kind: 'transient', code: '131063', title: 'again', retryDelayMs: 0 });
    expect(notices).toHaveLength(1);
    expect(r.wrongRoute(131055, 'not marketing')).toEqual({ kind: 'stop', code: '131055', title: 'not marketing', fix: TO_MESSAGES });
    expect(r.route).toBe('marketing_messages');
  });

  it('131063 under always moves too; under never, or for a campaign that is not marketing, it stops', () => {
    const always = router('messages', 'always', true);
    expect(always.router.wrongRoute(131063, 't')).toEqual({ kind: 'transient', code: '131063', title: 't', retryDelayMs: 0 });
    expect(always.router.route).toBe('marketing_messages');
    const never = router('messages', 'never', true);
    expect(never.router.wrongRoute(131063, 't')).toEqual({ kind: 'stop', code: '131063', title: 't', fix: TO_MM });
    expect([never.router.route, never.notices]).toEqual(['messages', []]);
    const utility = router('messages', 'auto', false);
    expect(utility.router.wrongRoute(131063, 't')).toEqual({ kind: 'stop', code: '131063', title: 't', fix: TO_MM });
  });

  it('131055 and 134100 move the campaign back to /messages under auto only', () => {
    for (const code of [131055, 134100]) {
      const auto = router('marketing_messages', 'auto', true);
      expect(auto.router.wrongRoute(code, 'not marketing')).toEqual({ kind: 'transient', code: String(code), title: 'not marketing', retryDelayMs: 0 });
      expect([auto.router.route, auto.notices]).toEqual(['messages', [`! ${code} not marketing: sending the rest of this campaign through /messages (switched once for this run)`]]);
      const always = router('marketing_messages', 'always', true);
      expect(always.router.wrongRoute(code, 'not marketing')).toEqual({ kind: 'stop', code: String(code), title: 'not marketing', fix: TO_MESSAGES });
      expect(always.router.route).toBe('marketing_messages');
    }
  });

  it('announces nowhere by default', () => {
    const r = new MarketingRouter('messages', 'auto', true);
    expect(r.wrongRoute(131063, 't')).toEqual({ kind: 'transient', code: '131063', title: 't', retryDelayMs: 0 });
  });
});
