import path from 'node:path';

/**
 * How the user started wa-broadcast, as words to put before its arguments in a command they can
 * paste back: `npx wa-broadcast` (npm sets npm_lifecycle_event to `npx` for `npx` and `npm exec`,
 * and runs the link in node_modules/.bin),
 * `wa-broadcast` (an installed bin that PATH finds), `node bin/wa-broadcast.js` (the script run by
 * node), or the bin's path when it was run by its path. Paths are given relative to `cwd` when
 * they are inside it, as a user would type them. Pure: the process's values are passed in.
 */
export function invocationOf(script: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string[] {
  if (!script) return ['wa-broadcast'];
  const absolute = path.resolve(cwd, script);
  // npx runs the bin link in a node_modules/.bin; the variable alone is inherited by anything
  // an npx-run process starts, and would name npx for a node bin/wa-broadcast.js it spawned.
  if (env.npm_lifecycle_event === 'npx' && path.basename(path.dirname(absolute)) === '.bin' && path.basename(path.dirname(path.dirname(absolute))) === 'node_modules') {
    return ['npx', 'wa-broadcast'];
  }
  const name = path.basename(absolute);
  if (/\.[cm]?js$/.test(name)) return ['node', relativeTo(cwd, absolute)];
  const dir = path.dirname(absolute);
  const onPath = (env.PATH ?? '').split(path.delimiter).some((entry) => entry !== '' && path.resolve(cwd, entry) === dir);
  if (onPath) return [name];
  const relative = relativeTo(cwd, absolute);
  return [relative.includes('/') ? relative : `./${relative}`];
}

function relativeTo(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * One word for a POSIX shell: as it is when that is safe, else in single quotes. A word starting
 * with `=` is quoted too: zsh (macOS's default shell) expands `=word` to the path of the command
 * `word`, and fails the whole line when there is none.
 */
export function shellQuote(word: string): string {
  return /^[\w@%+:,./-][\w@%+=:,./-]*$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
