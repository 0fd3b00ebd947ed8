import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { billionLaughs } from '../yaml-bombs.js';

const CSV = 'phone,opt_in,name\n+447400123456,yes,Ana\n';
const SPEC = 'name: hello\nlanguage: en\ncategory: utility\n';
// The bomb's sixth line (*a3 ×9) is where it outgrows the cap; three spec lines come first.
const BOMB_LINE = 8;
const MESSAGE = 'YAML aliases expand this file to more than 10,000 values (*a3 here): a "billion laughs" document? Write the values out instead of reusing them';

describe('YAML alias bombs and broken YAML', () => {
  it.each([['validate'], ['send']])('%s: a billion laughs in the template spec is bad input (exit 2) naming the spec and line', async (command) => {
    const dir = await fixture({ 'c.csv': CSV, 's.yaml': SPEC + billionLaughs() });
    const spec = path.join(dir, 's.yaml');
    const extra = command === 'send' ? ['--yes', '--ledger', path.join(dir, 'l.jsonl')] : [];
    const result = await run([command, path.join(dir, 'c.csv'), '--template', spec, ...extra], { WA_TOKEN: 'EAAtoken-x', WA_PHONE_NUMBER_ID: '1', WA_API_URL: 'http://127.0.0.1:9' });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `wa-broadcast: ${spec}:${BOMB_LINE}: ${MESSAGE}\n` });
  });

  it('validate: an alias inside its own anchor, or without one, is bad input naming the line', async () => {
    const dir = await fixture({
      'c.csv': CSV,
      'loop.yaml': `${SPEC}components:\n  - &c { type: body, parameters: [*c] }\n`,
      'dangling.yaml': `${SPEC}body: *nope\n`,
    });
    const loop = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 'loop.yaml')]);
    expect(loop).toEqual({ code: 2, stdout: '', stderr: `wa-broadcast: ${path.join(dir, 'loop.yaml')}:5: YAML alias *c is inside the value &c it names: that value would never end\n` });
    const dangling = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 'dangling.yaml')]);
    expect(dangling).toEqual({ code: 2, stdout: '', stderr: `wa-broadcast: ${path.join(dir, 'dangling.yaml')}:4: YAML alias *nope has no anchor &nope before it\n` });
  });

  it('emulator: a billion laughs, a syntax error or a rule that is not a mapping in the scenario is exit 2 naming the file and line', async () => {
    const dir = await fixture({
      'bomb.yaml': `latency_ms: 1\n${billionLaughs()}rules: []\n`,
      'broken.yaml': 'rules: [\n',
      'string-rule.yaml': 'rules:\n  - { match: "+44", outcome: accepted }\n  - "+447400123456"\n',
    });
    const emulator = (name: string) => run(['emulator', '--port', '0', '--scenario', path.join(dir, name)]);
    expect(await emulator('bomb.yaml')).toEqual({ code: 2, stdout: '', stderr: `wa-broadcast: ${path.join(dir, 'bomb.yaml')}:6: ${MESSAGE}\n` });
    const broken = await emulator('broken.yaml');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`^wa-broadcast: ${path.join(dir, 'broken.yaml')}:2: not valid YAML or JSON: [^\\n]+\\n$`));
    expect(await emulator('string-rule.yaml')).toEqual({ code: 2, stdout: '', stderr: `wa-broadcast: ${path.join(dir, 'string-rule.yaml')}:3: rule 2: a rule is a mapping with match and outcome\n` });
  });
});
