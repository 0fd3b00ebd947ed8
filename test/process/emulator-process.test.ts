import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { serveCli } from './cli-process.js';

// The built emulator, as the README runs it in the background of the terminal a send runs in.

/** Starts the emulator, makes one Cloud API send with the demo credentials, stops it; returns its stderr. */
async function oneRequest(args: string[], cwd: string): Promise<string> {
  const emulator = await serveCli(['emulator', '--port', '0', ...args], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = emulator.url;
    const answer = await fetch(`${url}/v23.0/100000000000001/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer emulator-token', 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '+447400123456', type: 'template', template: {
          name: 'spring_sale',
          language: { code: 'en_GB' },
          components: [
            { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] },
            { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '20%' }, { type: 'text', text: 'SPRING-ANA' }] },
            { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'STOP' }] },
          ],
        },
      }),
    });
    expect(answer.status).toBe(200);
  } finally {
    // Also when an expectation fails (else the helper kills it after the test).
    emulator.child.kill('SIGTERM');
    await emulator.exited;
  }
  return emulator.stderr();
}

describe('the emulator process', () => {
  it('is quiet by default: no line per request to garble a progress line', async () => {
    const stderr = await oneRequest([], await tempDir());
    expect(stderr).toContain('request log: none (--log <file> keeps one)');
    expect(stderr).not.toContain('+447400123456');
    expect(stderr).not.toMatch(/ cloud 200 accepted/);
  });

  it('--log FILE keeps the requests as JSON lines, --log - on stderr', async () => {
    const dir = await tempDir();
    expect(await oneRequest(['--log', 'requests.jsonl'], dir)).not.toContain('accepted');
    expect(JSON.parse(await readFile(path.join(dir, 'requests.jsonl'), 'utf8'))).toMatchObject({ provider: 'cloud', status: 200, outcome: 'accepted' });
    expect(await oneRequest(['--log', '-'], dir)).toMatch(/ cloud 200 accepted/);
  });
});
