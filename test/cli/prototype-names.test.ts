import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';

// Column and placeholder names that an object literal answers to through Object.prototype: a
// lookup with `in` or `obj[name]` finds a function there instead of "no such column / no default".
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

const SPEC = `name: hello
language: en
category: utility
body: "Hi {{1}} {{2}} {{3}} {{4}}"
components:
  - type: body
    parameters:
      - { type: text, text: "{{constructor}}" }
      - { type: text, text: "{{toString}}" }
      - { type: text, text: "{{__proto__}}" }
      - { type: text, text: "{{hasOwnProperty}}" }
twilio:
  contentSid: HX0123456789abcdef0123456789abcdef
  variables:
    "1": "{{constructor}}"
    "2": "{{toString}}"
    __proto__: "{{__proto__}}"
    hasOwnProperty: "{{hasOwnProperty}}"
`;

const CSV = [
  `phone,opt_in,${NAMES.join(',')}`,
  '+447400123456,yes,,,,', // line 2: every cell empty
  '+447400123457,yes,A,,,', // line 3
  '+447400123458,yes,A,B,,', // line 4
  '+447400123459,yes,A,B,C,', // line 5
  '+447400123460,yes,A,B,C,D', // line 6: sendable
  '',
].join('\n');

const PARAMETERS = ['A', 'B', 'C', 'D'].map((text) => ({ type: 'text', text }));
const TWILIO_VARIABLES = JSON.parse('{"1":"A","2":"B","__proto__":"C","hasOwnProperty":"D"}');

describe('placeholders and columns named like Object.prototype members', () => {
  it('validate: an empty cell is missing_variable, and a filled one is what the recipient reads', async () => {
    const dir = await fixture({ 'c.csv': CSV, 's.yaml': SPEC });
    const result = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ rows: 5, sendable: 1, rejected: { missing_variable: 4 } });
    expect(report.issues).toEqual(
      NAMES.map((name, i) => ({ line: i + 2, reason: 'missing_variable', detail: `"${name}" is empty`, phone: `+44740012345${6 + i}` })),
    );
    expect(report.preview.body).toBe('Hi A B C D');
    expect(report.preview.template.components).toEqual([{ type: 'body', parameters: PARAMETERS }]);
    expect(report.preview.twilio_variables).toEqual(TWILIO_VARIABLES);
    expect(Object.keys(report.preview.twilio_variables)).toEqual(['1', '2', '__proto__', 'hasOwnProperty']);
  });

  it('send --dry-run writes exactly the values of the CSV, for the Cloud API and for Twilio', async () => {
    const dir = await fixture({ 'c.csv': CSV, 's.yaml': SPEC });
    for (const provider of ['cloud', 'twilio']) {
      const file = path.join(dir, `${provider}.requests.jsonl`);
      const result = await run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--provider', provider, `--dry-run=${file}`, '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ dry_run: true, requests: 1, rejected: { missing_variable: 4 } });
      const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((l) => l.line)).toEqual([6]);
      if (provider === 'cloud') {
        expect(JSON.parse(lines[0].body).template.components).toEqual([{ type: 'body', parameters: PARAMETERS }]);
      } else {
        expect(JSON.parse(new URLSearchParams(lines[0].body).get('ContentVariables')!)).toEqual(TWILIO_VARIABLES);
      }
      expect(await readFile(file, 'utf8')).not.toContain('native code');
    }
  });

  it('a spec default for a column named constructor or __proto__ is used, and toString without one is required', async () => {
    const spec = `name: hello
language: en
category: utility
body: "{{constructor}}/{{__proto__}}/{{toString}}"
components:
  - type: body
    parameters:
      - { type: text, text: "{{constructor}}" }
      - { type: text, text: "{{__proto__}}" }
      - { type: text, text: "{{toString}}" }
defaults:
  constructor: x
  __proto__: y
`;
    const csv = 'phone,opt_in,constructor,__proto__,toString\n+447400123456,yes,,,T\n+447400123457,yes,,,\n';
    const dir = await fixture({ 'c.csv': csv, 's.yaml': spec });
    const result = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ sendable: 1, rejected: { missing_variable: 1 } });
    expect(report.issues).toEqual([{ line: 3, reason: 'missing_variable', detail: '"toString" is empty', phone: '+447400123457' }]);
    expect(report.preview.body).toBe('x/y/T');
    expect(report.preview.template.components[0].parameters.map((p: { text: string }) => p.text)).toEqual(['x', 'y', 'T']);
  });
});
