import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePreflight, statusFix, templatePreflight, type PreflightResult } from '../../src/campaign/template-preflight.js';
import { InputError, ProviderStopError } from '../../src/errors.js';
import type { TemplateLookup } from '../../src/providers/template-lookup.js';
import type { AccountTemplate } from '../../src/template/account-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { tempDir } from '../helpers.js';
import { metaTemplate } from '../meta-template.js';

// The fit rules themselves are test/template/fit-template.test.ts's; here, what the preflight makes
// of a look-up's answer: the messages a marketer reads, and the plan's one line.

/** The account's `offer` with a body of two parameters. */
const template = (overrides: Record<string, unknown> = {}): AccountTemplate =>
  metaTemplate([{ type: 'BODY', text: 'Hi {{1}}, {{2}} off', example: { body_text: [['Ana', '20%']] } }], overrides);

const BODY2 = 'components:\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n      - {type: text, text: "{{discount}}"}\n';

async function spec(text = `name: offer\nlanguage: en_GB\ncategory: marketing\n${BODY2}`) {
  const file = path.join(await tempDir(), 'spec.yaml');
  await writeFile(file, text);
  return loadTemplateSpec(file);
}

const lookupOf = (found: AccountTemplate | undefined, others: AccountTemplate[] = []): TemplateLookup => ({
  where: 'WABA 1',
  list: async () => [],
  find: async () => ({ template: found, others }),
  findByName: async () => ({ template: found, others }),
});
/** A redaction that marks what it saw, so that a message that skips it shows. */
const setup = (lookup: TemplateLookup) => ({ ok: true as const, lookup, redact: (text: string) => `[r]${text}` });
const noTransport = async () => {
  throw new Error('the fake look-up needs no transport');
};
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error);

/** A template with an image header and a body of two parameters. */
const imageHeaderTwoParameters = () =>
  template({
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://example.com/a.jpg'] } },
      { type: 'BODY', text: 'Hi {{1}}, {{2}} off', example: { body_text: [['Ana', '20%']] } },
    ],
  });
/** A spec that differs from it three ways: no header, one body parameter (line 5), a button it lacks (line 8). */
const ONE_PARAMETER_AND_A_BUTTON = 'name: offer\nlanguage: en_GB\ncategory: marketing\ncomponents:\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n  - {type: button, sub_type: quick_reply, index: 2, parameters: [{type: payload, payload: X}]}\n';

describe('templatePreflight: what a marketer is told', () => {
  it('not found, with no template of that name in any language: says so, redacted', async () => {
    const error = await failure(templatePreflight(await spec(), setup(lookupOf(undefined)), noTransport, 'or pass --no-preflight'));
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error!.message).toBe("[r]template not found: offer does not exist in en_GB in WABA 1 (no template of that name): nothing was sent. The spec's name and language must match WhatsApp Manager's exactly");
  });

  it('not found in its language: every other language once, in the order the account lists them', async () => {
    const others = [template({ language: 'en_US' }), template({ language: 'fr' }), template({ language: 'en_US', status: 'REJECTED' })];
    const error = await failure(templatePreflight(await spec(), setup(lookupOf(undefined, others)), noTransport, undefined));
    expect(error!.message).toBe("[r]template not found: offer does not exist in en_GB in WABA 1 (it exists in en_US, fr): nothing was sent. The spec's name and language must match WhatsApp Manager's exactly");
  });

  it("Twilio: a Content SID the account does not have names the SID and the spec's field", async () => {
    const sid = `HX${'a'.repeat(32)}`;
    const s = await spec(`name: offer\nlanguage: en\ncategory: marketing\ntwilio:\n  contentSid: ${sid}\n  variables:\n    "1": "{{name}}"\n`);
    const error = await failure(templatePreflight(s, setup(lookupOf(undefined, [template({ language: 'en' })])), noTransport, undefined));
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error!.message).toBe(`[r]template not found: Twilio has no Content template ${sid} in this account: nothing was sent. Check twilio.contentSid in ${s.file} (Content Template Builder shows it)`);
  });

  it('a rejected template with no reason given: the status alone, no empty parentheses', async () => {
    const error = await failure(templatePreflight(await spec(), setup(lookupOf(template({ status: 'REJECTED' }))), noTransport, undefined));
    expect(error!.message).toBe('[r]template offer (en_GB) is REJECTED in WABA 1: nothing was sent. edit it to follow the rejection reason and submit it again in WhatsApp Manager, or appeal');
  });

  it('a reason on a template that is not rejected is not shown', async () => {
    const error = await failure(templatePreflight(await spec(), setup(lookupOf(template({ status: 'PAUSED', rejected_reason: 'SCAM' }))), noTransport, undefined));
    expect(error!.message).toBe('[r]template offer (en_GB) is PAUSED in WABA 1: nothing was sent. Meta paused it for low quality (3 hours the first time, 6 the second): wait, or edit it in WhatsApp Manager, or send another template');
  });

  it('a look-up failure that is not a stop is passed on unchanged, without the skip hint', async () => {
    const broken: TemplateLookup = { ...lookupOf(undefined), find: async () => Promise.reject(new Error('socket hang up')) };
    const error = await failure(templatePreflight(await spec(), setup(broken), noTransport, 'or pass --no-preflight'));
    expect(error).not.toBeInstanceOf(ProviderStopError);
    expect(error!.message).toBe('socket hang up');
  });

  it('a failing look-up with no skip hint keeps its own message', async () => {
    const broken: TemplateLookup = { ...lookupOf(undefined), find: async () => Promise.reject(new ProviderStopError('the look-up answered HTTP 500')) };
    const error = await failure(templatePreflight(await spec(), setup(broken), noTransport, undefined));
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error!.message).toBe('the look-up answered HTTP 500');
  });

  it('several differences: one line; a later one at another line of the spec says which line', async () => {
    const t = imageHeaderTwoParameters();
    // Line 5: the body, one parameter of two; line 8: a button the template does not have. The
    // header left out is reported at the components' line (5), the first problem's: no prefix.
    const s = await spec(ONE_PARAMETER_AND_A_BUTTON);
    const error = (await failure(templatePreflight(s, setup(lookupOf(t)), noTransport, undefined))) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toEqual({ file: s.file, line: 5 });
    expect(error.message).toBe(
      "the spec does not fit offer (en_GB) as WABA 1 has it: header: the template has an IMAGE header: add a header component with one image parameter; body: the template's body has 2 parameters ({{1}}, {{2}}); the spec gives 1 (Meta answers 132000); line 8: button 2: the template has no buttons",
    );
  });

  it('a later difference whose line the spec does not know gets no line prefix', async () => {
    const t = imageHeaderTwoParameters();
    const loaded = await spec(ONE_PARAMETER_AND_A_BUTTON);
    // The button component's line unknown (a spec not read from a file need not have every line).
    const s = { ...loaded, lines: { ...loaded.lines, components: [5, undefined] } };
    const error = (await failure(templatePreflight(s, setup(lookupOf(t)), noTransport, undefined))) as InputError;
    expect(error.location).toEqual({ file: s.file, line: 5 });
    expect(error.message).toBe(
      "the spec does not fit offer (en_GB) as WABA 1 has it: header: the template has an IMAGE header: add a header component with one image parameter; body: the template's body has 2 parameters ({{1}}, {{2}}); the spec gives 1 (Meta answers 132000); button 2: the template has no buttons",
    );
  });
});

describe('statusFix: what to do, by status', () => {
  it.each([
    ['PAUSED', 'Meta paused it for low quality (3 hours the first time, 6 the second): wait, or edit it in WhatsApp Manager, or send another template'],
    ['DISABLED', 'Meta disabled it for good after repeated pauses: create a new template'],
    ['REJECTED', 'edit it to follow the rejection reason and submit it again in WhatsApp Manager, or appeal'],
    ['PENDING', 'it is still in review: send once WhatsApp Manager shows it Active'],
    ['SUBMITTED', 'it is still in review: send once WhatsApp Manager shows it Active'],
    ['RECEIVED', 'it is still in review: send once WhatsApp Manager shows it Active'],
    ['IN_APPEAL', 'it is still in review: send once WhatsApp Manager shows it Active'],
    ['UNSUBMITTED', 'submit it for WhatsApp approval (Content Template Builder › Submit for WhatsApp approval) and wait until it is approved'],
    ['LIMIT_EXCEEDED', 'only an Active (APPROVED) template can be sent: check it in WhatsApp Manager'],
  ])('%s', (status, fix) => {
    expect(statusFix(status)).toBe(fix);
  });
});

describe('describePreflight: the plan’s line', () => {
  const checked = (t: AccountTemplate, ttlSeconds?: number): PreflightResult => ({ checked: true, template: t, where: 'WABA 1', warnings: [], ttlSeconds });

  it('not checked: why, marked', () => {
    expect(describePreflight({ checked: false, reason: 'WA_WABA_ID is not set' })).toBe('! template not checked: WA_WABA_ID is not set');
  });

  it('checked: name, language, where, category, quality, parameter format', () => {
    expect(describePreflight(checked(template({ quality_score: { score: 'GREEN' } })))).toBe('template: offer (en_GB) is approved in WABA 1, marketing, quality high, positional parameters');
  });

  it('no category given: none shown; a Twilio template: no quality (Twilio has none)', () => {
    const t: AccountTemplate = { ...template(), category: undefined, twilioVariables: [{ key: '1', example: 'Ana' }] };
    expect(describePreflight(checked(t))).toBe('template: offer (en_GB) is approved in WABA 1, positional parameters');
  });

  it.each([
    [2_592_000, '30 days'],
    [86_400, '1 day'],
    [7_200, '2 h'],
    [3_600, '1 h'],
    [600, '10 min'],
    [90, '90 s'],
  ])('a TTL of %i s reads %s', (seconds, text) => {
    expect(describePreflight(checked(template(), seconds))).toBe(`template: offer (en_GB) is approved in WABA 1, marketing, quality pending, positional parameters, its TTL ${text}`);
  });
});
