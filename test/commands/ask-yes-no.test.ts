import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askYesNo } from '../../src/commands/ask-yes-no.js';

// The interactive confirm, through an injected input: what a person types is written to it.
function prompt(options: { terminal?: boolean; signal?: AbortSignal } = {}) {
  const input = new PassThrough();
  if (options.terminal) (input as unknown as { isTTY: boolean }).isTTY = true;
  let written = '';
  const answer = askYesNo('Send 3 messages? [y/N] ', { input, output: { write: (text: string) => (written += text) }, signal: options.signal ?? new AbortController().signal });
  return { input, answer, written: () => written };
}

describe('the yes/no question', () => {
  it('asks on the output it is given', async () => {
    const p = prompt();
    p.input.write('n\n');
    expect(await p.answer).toBe('no');
    expect(p.written()).toBe('Send 3 messages? [y/N] ');
  });

  it.each(['y', 'Y', 'yes', 'YES', 'Yes', '  y  ', '\tyes'])('%j is yes', async (typed) => {
    const p = prompt();
    p.input.write(`${typed}\n`);
    expect(await p.answer).toBe('yes');
  });

  it.each(['', 'n', 'no', 'yess', 'ye', 'y es', 'sure', 'ja', 'oui', 'yes please', '1'])('%j is no', async (typed) => {
    const p = prompt();
    p.input.write(`${typed}\n`);
    expect(await p.answer).toBe('no');
  });

  it('only the first line counts', async () => {
    const p = prompt();
    p.input.write('no\nyes\n');
    expect(await p.answer).toBe('no');
  });

  it('the input ending before an answer (Ctrl-D, a closed pipe) is cancelled, not no and not a hang', async () => {
    const p = prompt();
    p.input.end();
    expect(await p.answer).toBe('cancelled');
  });

  it('a signal (SIGINT, SIGTERM from outside) while it waits is cancelled, and nothing typed after counts', async () => {
    const controller = new AbortController();
    const p = prompt({ signal: controller.signal });
    controller.abort();
    expect(await p.answer).toBe('cancelled');
    p.input.write('y\n');
    expect(await p.answer).toBe('cancelled');
  });

  it('a signal already given: cancelled without waiting for a line', async () => {
    const controller = new AbortController();
    controller.abort();
    const p = prompt({ signal: controller.signal });
    expect(await p.answer).toBe('cancelled');
  });

  it('at a terminal, Ctrl-C (a key in raw mode) is cancelled, and the next message starts on a line of its own', async () => {
    const p = prompt({ terminal: true });
    p.input.write('\x03');
    expect(await p.answer).toBe('cancelled');
    // readline's cursor moves taken out, what the terminal shows: the question, then a newline.
    expect(p.written().replace(/\x1b\[\d*[A-Z]/g, '')).toBe('Send 3 messages? [y/N] \n');
  });

  it('at a terminal, an answer typed and Enter is read as elsewhere', async () => {
    const p = prompt({ terminal: true });
    p.input.write('yes\r');
    expect(await p.answer).toBe('yes');
  });

  it('not at a terminal, a cancel writes no extra newline (a log keeps its lines)', async () => {
    const p = prompt();
    p.input.end();
    await p.answer;
    expect(p.written()).toBe('Send 3 messages? [y/N] ');
  });
});
