import type { ListedRecipients } from './listed-recipients.js';

/** Listed recipients `from` to `to` of `listed`, on their own (copies: what is sent to the worker thread is theirs alone). */
export function listedPart(listed: ListedRecipients, from: number, to: number): ListedRecipients {
  return {
    file: listed.file,
    now: listed.now,
    variables: listed.variables,
    optInColumn: listed.optInColumn,
    count: to - from,
    lists: listed.lists.slice(from, to),
    reasons: listed.reasons.slice(from, to),
    codes: listed.codes.slice(from, to),
    titles: listed.titles.slice(from, to),
    dueAts: listed.dueAts.slice(from, to),
    attempts: listed.attempts.slice(from, to),
    cids: listed.cids.slice(from, to),
    intentAts: listed.intentAts.slice(from, to),
    phones: listed.phones.slice(from, to),
    offsets: listed.offsets.slice(from, to),
    lengths: listed.lengths.slice(from, to),
    lines: listed.lines.slice(from, to),
  };
}
