import { describe, expect, it } from 'vitest';
import { invocationOf, shellQuote } from '../src/invocation.js';

describe('how the user started wa-broadcast, for a command to paste back', () => {
  it('through npx or npm exec: npx wa-broadcast', () => {
    expect(invocationOf('/root/.npm/_npx/1a4e/node_modules/.bin/wa-broadcast', { npm_lifecycle_event: 'npx', PATH: '/usr/bin' }, '/srv')).toEqual(['npx', 'wa-broadcast']);
    expect(invocationOf('/srv/app/node_modules/.bin/wa-broadcast', { npm_lifecycle_event: 'npx', PATH: '/usr/bin' }, '/srv/app')).toEqual(['npx', 'wa-broadcast']);
  });

  it('started by something npx ran: not npx (the variable is inherited)', () => {
    expect(invocationOf('/work/wa-broadcast/bin/wa-broadcast.js', { npm_lifecycle_event: 'npx' }, '/work/wa-broadcast')).toEqual(['node', 'bin/wa-broadcast.js']);
    expect(invocationOf('/usr/local/bin/wa-broadcast', { npm_lifecycle_event: 'npx', PATH: '/usr/local/bin' }, '/srv')).toEqual(['wa-broadcast']);
  });

  it('an installed bin that PATH finds: its name', () => {
    expect(invocationOf('/usr/local/bin/wa-broadcast', { PATH: '/usr/bin:/usr/local/bin' }, '/srv/spring')).toEqual(['wa-broadcast']);
  });

  it('a bin run by its path: the path, relative when it is inside the folder', () => {
    expect(invocationOf('/srv/app/node_modules/.bin/wa-broadcast', { PATH: '/usr/bin' }, '/srv/app')).toEqual(['node_modules/.bin/wa-broadcast']);
    expect(invocationOf('/opt/wa/wa-broadcast', { PATH: '/usr/bin' }, '/srv/app')).toEqual(['/opt/wa/wa-broadcast']);
    expect(invocationOf('/srv/app/wa-broadcast', {}, '/srv/app')).toEqual(['./wa-broadcast']);
  });

  it('the script run by node: node and its path', () => {
    expect(invocationOf('/work/wa-broadcast/bin/wa-broadcast.js', { PATH: '/usr/bin' }, '/work/wa-broadcast')).toEqual(['node', 'bin/wa-broadcast.js']);
    expect(invocationOf('/work/wa-broadcast/bin/wa-broadcast.js', {}, '/tmp')).toEqual(['node', '/work/wa-broadcast/bin/wa-broadcast.js']);
  });

  it('quotes what a shell would split or expand', () => {
    expect(['send', 'my campaign.csv', '--opt-in-values', 'x,✓', "it's"].map(shellQuote)).toEqual(['send', "'my campaign.csv'", '--opt-in-values', "'x,✓'", `'it'\\''s'`]);
  });

  it('quotes a word starting with =, which zsh would replace by a command path', () => {
    // zsh's EQUALS option: `=ls` becomes /usr/bin/ls, and `=nosuchcommand` fails the whole line.
    expect(['=ls', '=word', 'a=b', '--mps=80'].map(shellQuote)).toEqual(["'=ls'", "'=word'", 'a=b', '--mps=80']);
  });
});
