/**
 * A template as the account holds it (WhatsApp Manager, 360dialog, Twilio Content), whatever the
 * provider's answer looked like: what the preflight compares the spec with, what `templates`
 * lists and what `templates pull` writes a spec from. Each provider's look-up
 * (src/providers/<name>/…-templates.ts) parses its answers into this shape.
 */
export interface AccountTemplate {
  name: string;
  /** As the account writes it: `en_US`, `en`, `pt_BR`. */
  language: string;
  /** Upper case as Meta writes it (`MARKETING`, `UTILITY`, `AUTHENTICATION`; legacy values too), or undefined when not given. */
  category: string | undefined;
  /**
   * Upper case: `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, `IN_APPEAL`… (360dialog and
   * Twilio write them in lower case; `SUBMITTED`, `UNSUBMITTED` are theirs). Only `APPROVED` can be sent.
   */
  status: string;
  /** `GREEN`, `YELLOW`, `RED`, `UNKNOWN`, or undefined when the answer has none. */
  quality: string | undefined;
  parameterFormat: 'positional' | 'named';
  /** The header, when the template has one. */
  header: TemplateHeader | undefined;
  /** The body text and its parameters, in order of first appearance. */
  body: { text: string; parameters: TemplateParameter[] } | undefined;
  footer: string | undefined;
  /** Every button, at its index in the template's button list (static ones too: the index counts them). */
  buttons: TemplateButton[];
  /** `message_send_ttl_seconds` when the template sets one (`-1` is Meta's "30 days"); undefined otherwise. */
  ttlSeconds: number | undefined;
  /** Meta's rejection reason, or Twilio's rejection text. */
  rejectedReason: string | undefined;
  /** The provider's id of the template (Meta's numeric id, 360dialog's, Twilio's `HX…` Content SID). */
  id: string | undefined;
  /**
   * Twilio Content templates only: the variables (`1`, `2`… or names) with the template's default
   * values. Twilio takes `ContentVariables` by these keys, not the Cloud API components.
   */
  twilioVariables?: { key: string; example: string | undefined }[];
}

/** A `{{1}}` or `{{first_name}}` of a header or body text, and the example the template was approved with. */
export interface TemplateParameter {
  /** `1`, `2`… for positional templates, the name for named ones. */
  name: string;
  example: string | undefined;
}

export interface TemplateHeader {
  /** `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT`, `LOCATION` (`GIF`, `PRODUCT` are newer). */
  format: string;
  text: string | undefined;
  /** The text header's variable (at most one); media headers take one media parameter instead. */
  parameters: TemplateParameter[];
  /** A media header's example (an upload handle or URL), for `templates pull`. */
  example: string | undefined;
}

export interface TemplateButton {
  /** Its position in the template's button list, from 0: the `index` of a button component. */
  index: number;
  /** `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `OTP`, `FLOW`… */
  type: string;
  text: string | undefined;
  /** The URL of a URL button (`https://…/{{1}}` when it has a variable suffix). */
  url: string | undefined;
  /** The approved example of its variable (a URL suffix, a coupon code). */
  example: string | undefined;
  /** Whether a send must carry a parameter for it: a URL with a variable, a copy-code or OTP button. */
  needsParameter: boolean;
  /** Whether a send may carry one (a quick reply's payload, a flow's token); false: it takes none. */
  takesParameter: boolean;
}

/** Meta's "30 days" for `message_send_ttl_seconds: -1` (auth and utility templates). */
export const TTL_30_DAYS = 30 * 24 * 3600;

/** The template's TTL in seconds, `-1` read as 30 days; undefined when it sets none. */
export function templateTtlSeconds(template: AccountTemplate): number | undefined {
  const ttl = template.ttlSeconds;
  if (ttl === undefined) return undefined;
  return ttl === -1 ? TTL_30_DAYS : ttl > 0 ? ttl : undefined;
}

/** How WhatsApp Manager names a status with its quality ("Active – Quality pending" is APPROVED + UNKNOWN). */
export function describeQuality(quality: string | undefined): string {
  switch (quality) {
    case 'GREEN':
      return 'high';
    case 'YELLOW':
      return 'medium';
    case 'RED':
      return 'low';
    case 'UNKNOWN':
    case undefined:
      return 'pending';
    default:
      return quality.toLowerCase();
  }
}
