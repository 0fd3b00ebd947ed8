import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { MAX_ALIASES, parseYaml } from '../src/parse-yaml.js';
import { billionLaughs } from './yaml-bombs.js';

function failure(text: string): InputError {
  try {
    parseYaml(text, 'f.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('parsed');
}

describe('parseYaml', () => {
  it('reads anchors and aliases used as people use them, and says where each value is', () => {
    const { value, lineOf } = parseYaml('base: &b { type: text, text: hi }\nlist: [*b, *b, *b]\n', 'f.yaml');
    expect(value).toEqual({ base: { type: 'text', text: 'hi' }, list: [{ type: 'text', text: 'hi' }, { type: 'text', text: 'hi' }, { type: 'text', text: 'hi' }] });
    expect(lineOf(['list', 1])).toBe(2);
  });

  it('refuses a billion laughs before expanding it, naming the line where it grows too big', () => {
    const error = failure(billionLaughs());
    expect(error.message).toBe('YAML aliases expand this file to more than 10,000 values (*a3 here): a "billion laughs" document? Write the values out instead of reusing them');
    expect(error.location).toEqual({ file: 'f.yaml', line: 5 });
  });

  it('refuses an alias inside the value it names (an endless value), and one without its anchor', () => {
    expect(failure('a: 1\nb: &x [1, [2, *x]]\n')).toMatchObject({ message: 'YAML alias *x is inside the value &x it names: that value would never end', location: { file: 'f.yaml', line: 2 } });
    expect(failure('a: 1\nb: *nope\n')).toMatchObject({ message: 'YAML alias *nope has no anchor &nope before it', location: { file: 'f.yaml', line: 2 } });
  });

  it(`refuses more than ${MAX_ALIASES} aliases, naming the first one too many`, () => {
    const text = `a: &a 1\nb:\n${Array.from({ length: MAX_ALIASES + 1 }, () => '  - *a').join('\n')}\n`;
    expect(failure(text)).toMatchObject({ message: `more than ${MAX_ALIASES} YAML aliases (*a here): write the values out instead of reusing them`, location: { line: 3 + MAX_ALIASES } });
  });

  it("reports what yaml's own alias cap refuses as bad input naming the file", () => {
    // Aliases of aliases: few values, but yaml weighs each alias by those nested in it.
    const text = [
      'x0: &a0 [l, l, l, l, l, l, l, l, l]',
      `x1: &a1 [${Array(9).fill('*a0').join(', ')}]`,
      `x2: &a2 [${Array(9).fill('*a1').join(', ')}]`,
      'x3: [*a2, *a2]',
      '',
    ].join('\n');
    const error = failure(text);
    expect(error.message).toMatch(/^not valid YAML or JSON: Excessive alias count .*; write the values out instead of reusing them through aliases$/);
    expect(error.location).toEqual({ file: 'f.yaml' });
  });

  it('names the line of a syntax error', () => {
    expect(failure('a: [\n')).toMatchObject({ location: { file: 'f.yaml', line: 2 } });
  });
});
