import { describeQuality, templateTtlSeconds, type AccountTemplate, type TemplateButton } from './account-template.js';
import { CATEGORIES } from './template-spec.js';

/*
 * `templates pull`: the spec for a template as the account holds it, ready for `validate` as it is
 * (SPEC "templates pull"). Every value that varies per recipient is a `{{column}}` placeholder:
 * named parameters by their names, positional ones `var1`, `var2`…, with the approved example in
 * a comment beside it. Written by hand rather than through a YAML serialiser so that each
 * parameter carries its comment; every string is JSON-quoted, which YAML reads as it is.
 */

const MEDIA = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

/** The spec's text for `template`; `source` says where it was read (for the first comment). */
export function templateToSpec(template: AccountTemplate, source: string): string {
  return template.twilioVariables ? twilioSpec(template, source) : cloudSpec(template, source);
}

function cloudSpec(t: AccountTemplate, source: string): string {
  const out: string[] = header(t, source);
  const named = t.parameterFormat === 'named';
  if (named) out.push('# Named parameters: each body and header text parameter is sent with its parameter_name.', 'parameter_format: named');
  pushTtl(out, t);
  if (t.body) {
    out.push('', '# The approved body text, for the preview and the length check.');
    out.push(`body: ${q(t.body.text)}`);
  }
  out.push('', 'components:');
  const components = out.length;
  if (t.header && (t.header.parameters.length > 0 || t.header.format !== 'TEXT')) {
    out.push('  - type: header', '    parameters:');
    if (t.header.format === 'TEXT') {
      for (const p of t.header.parameters) textParameter(out, named, p.name, named ? p.name : `header_var${p.name}`, p.example);
    } else if (MEDIA.has(t.header.format)) {
      const kind = t.header.format.toLowerCase();
      const example = t.header.example && /^https:\/\//.test(t.header.example) ? t.header.example : undefined;
      out.push(`      - type: ${kind}`, `        ${kind}:`);
      out.push(
        example
          ? `          link: ${q(example)}   # the approved example, the same for everyone: a {{column}} works too`
          : `          link: ${q(`{{header_${kind}_link}}`)}   # a public https link to the ${kind}, or the same link for everyone`,
      );
    } else if (t.header.format === 'LOCATION') {
      out.push('      - type: location', '        location:');
      for (const key of ['latitude', 'longitude', 'name', 'address']) out.push(`          ${key}: ${q(`{{location_${key}}}`)}`);
    } else {
      out.push(`      # a ${t.header.format} header: give its parameter as the Cloud API takes it`);
    }
  }
  if (t.body && t.body.parameters.length > 0) {
    out.push('  - type: body', '    parameters:');
    for (const p of t.body.parameters) textParameter(out, named, p.name, named ? p.name : `var${p.name}`, p.example);
  }
  for (const button of t.buttons) buttonComponent(out, button);
  if (out.length === components) out[out.length - 1] = 'components: []   # the template takes no parameters';
  return `${out.join('\n')}\n`;
}

function textParameter(out: string[], named: boolean, parameterName: string, column: string, example: string | undefined): void {
  out.push('      - type: text');
  if (named) out.push(`        parameter_name: ${parameterName}`);
  out.push(`        text: ${q(`{{${column}}}`)}${exampleComment(example)}`);
}

/** A button component for each button that takes a parameter: dynamic URL, copy code, OTP, and quick replies (their payload comes back in the reply). */
function buttonComponent(out: string[], button: TemplateButton): void {
  if (!button.takesParameter) return;
  const start = (subType: string) => out.push('  - type: button', `    sub_type: ${subType}`, `    index: ${button.index}`, '    parameters:');
  switch (button.type) {
    case 'URL':
      if (!button.needsParameter) return;
      start('url');
      out.push('      - type: text', `        text: ${q(`{{button${button.index}_url}}`)}${exampleComment(button.example, `the end of ${button.url ?? 'the URL'}`)}`);
      return;
    case 'COPY_CODE':
      start('copy_code');
      out.push('      - type: coupon_code', `        coupon_code: ${q('{{coupon_code}}')}${exampleComment(button.example, 'at most 15 characters')}`);
      return;
    case 'OTP':
      start('url');
      out.push('      - type: text', `        text: ${q('{{code}}')}   # the one-time code, also the body's parameter`);
      return;
    case 'QUICK_REPLY': {
      start('quick_reply');
      const payload = (button.text ?? `button_${button.index}`).toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
      out.push('      - type: payload', `        payload: ${q(payload)}   # comes back in the reply to "${button.text ?? ''}": add it to reconcile's --opt-out-keywords if it opts out`);
      return;
    }
    default:
      out.push(`  # button ${button.index} (${button.type}) may take a parameter: add a component with type: button, index: ${button.index} if it should`);
  }
}

/** Twilio Content: the Content SID and its variables; the body with columns in place of its variables, for the preview. */
function twilioSpec(t: AccountTemplate, source: string): string {
  const out: string[] = header(t, source);
  const column = (key: string) => (/^\d+$/.test(key) ? `var${key}` : key);
  pushTtl(out, t);
  if (t.body) {
    out.push('', '# The approved body text, for the preview and the length check.');
    out.push(`body: ${q(t.body.text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_whole, key: string) => `{{${column(key)}}}`))}`);
  }
  out.push('', "# Twilio sends the Content template by its SID; each of its variables from a column.", 'twilio:', `  contentSid: ${t.id}`, '  variables:');
  const variables = t.twilioVariables ?? [];
  if (variables.length === 0) out[out.length - 1] = '  variables: {}';
  for (const v of variables) out.push(`    ${q(v.key)}: ${q(`{{${column(v.key)}}}`)}${exampleComment(v.example)}`);
  return `${out.join('\n')}\n`;
}

function header(t: AccountTemplate, source: string): string[] {
  const category = t.category?.toLowerCase();
  const known = category !== undefined && (CATEGORIES as readonly string[]).includes(category);
  const lines = [
    // The quality in the words of the `templates` table and WhatsApp Manager (UNKNOWN is "pending").
    `# ${t.name} (${t.language}) as ${source} holds it: ${t.status}${t.category ? `, ${t.category}` : ''}${t.quality ? `, quality ${describeQuality(t.quality)}` : ''}.`,
    '# Written by wa-broadcast templates pull. Each {{column}} is a column of the recipients CSV:',
    '# rename them to your columns (keep parameter_name as it is), then run validate.',
  ];
  if (t.status !== 'APPROVED') lines.push(`# It is ${t.status}: it cannot be sent until WhatsApp Manager shows it Active.`);
  lines.push(`name: ${t.name}`, `language: ${t.language}`);
  lines.push(known ? `category: ${category}` : `category: marketing   # the account says ${t.category ?? 'nothing'}: set the category it is priced as`);
  return lines;
}

function pushTtl(out: string[], t: AccountTemplate): void {
  const ttl = templateTtlSeconds(t);
  if (ttl !== undefined) out.push(`ttl: ${ttl}   # the template's message_send_ttl_seconds${t.ttlSeconds === -1 ? ' (-1: 30 days)' : ''}`);
}

function exampleComment(example: string | undefined, note?: string): string {
  const parts = [example !== undefined ? `approved example: ${JSON.stringify(example)}` : undefined, note].filter(Boolean);
  return parts.length > 0 ? `   # ${parts.join('; ')}` : '';
}

/** A YAML double-quoted scalar (JSON's quoting, which YAML 1.2 reads the same). */
function q(text: string): string {
  return JSON.stringify(text);
}
