import { describe, expect, it } from 'vitest';
import { delimiterName, detectDelimiter } from '../../src/recipients/detect-delimiter.js';

describe('detectDelimiter', () => {
  it.each([
    ['phone,opt_in,name\n', ','],
    ['phone;opt_in;name\r\n1,5;2;3\n', ';'],
    ['phone\topt_in\tname\n', '\t'],
    // The header line decides, not the rows after it.
    ['phone;opt_in\n1,2,3,4,5\n', ';'],
    // Delimiters inside quotes do not count, doubled quotes included.
    ['"a;b;c","d ""x;y"" e",f\n', ','],
    ['"one,\ntwo,three";x;y\n', ';'],
    // A name with a comma in a semicolon file.
    ['phone;opt_in;name, first;city\n', ';'],
  ])('%j → %j', (text, delimiter) => {
    expect(detectDelimiter(text, false)).toEqual({ kind: 'found', delimiter });
  });

  it('a single column has none; a header cut short is incomplete unless it is the whole file', () => {
    expect(detectDelimiter('phone\n1\n', false)).toEqual({ kind: 'none' });
    expect(detectDelimiter('phone;opt_in', false)).toEqual({ kind: 'incomplete' });
    expect(detectDelimiter('phone;opt_in', true)).toEqual({ kind: 'found', delimiter: ';' });
    expect(detectDelimiter('"phone\n', false)).toEqual({ kind: 'incomplete' });
  });

  it('does not choose between delimiters used equally often', () => {
    expect(detectDelimiter('a,b;c\n', false)).toEqual({ kind: 'tie', delimiters: [',', ';'] });
  });
});

describe('the header line ends at a carriage return too', () => {
  it('a CR ends it, with or without the LF after it (a read may stop between the two)', () => {
    expect(detectDelimiter('phone;opt_in\r', false)).toEqual({ kind: 'found', delimiter: ';' });
    expect(detectDelimiter('phone;opt_in\r1,2,3,4\n', false)).toEqual({ kind: 'found', delimiter: ';' });
  });
});

describe('delimiterName', () => {
  it('names each delimiter in words, and any other as a quoted string', () => {
    expect([',', ';', '\t', '|', '#'].map(delimiterName)).toEqual(['comma', 'semicolon', 'tab', 'vertical bar', '"#"']);
  });
});
