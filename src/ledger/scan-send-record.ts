/**
 * The fast reading of the two ledger lines a campaign is made of, as `send` writes them (its fixed
 * key order, JSON.stringify's spacing): an intent, and an accepted outcome. Reconcile reads a
 * million of each; a regular expression over the line costs a fraction of JSON.parse and builds
 * no row object. Anything else (another record, another order, an escape where a value is used, a
 * number written another way) is undefined, and the caller parses the line (read-ledger.ts
 * parseRecord): so a line read here is one parseRecord accepts, with the same values.
 */
export type ScannedRecord =
  | { type: 'intent'; at: string; cid: string; phone: string; /** The row's column names, in order (undefined: no row). */ columns: string[] | undefined }
  | { type: 'outcome'; at: string; cid: string; phone: string; outcome: 'accepted'; message_id: string | undefined; wa_id: string | undefined };

/** ledger-records.ts ISO_TIME, as a part of a line. */
const TIME = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-4]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)`;
/** A JSON string's contents without escapes (a value used as it is). */
const PLAIN = String.raw`[^"\\\u0000-\u001f]`;
/** A JSON string's contents, escapes allowed (a value checked but not used). */
const ANY = String.raw`(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))`;
const E164 = String.raw`\+[1-9]\d{0,14}`;
/** A positive integer JSON.parse reads exactly (safe: at most 15 digits). */
const COUNT = String.raw`[1-9]\d{0,14}`;

/** An intent up to its row (`,"row":{`) or its end (`}` then nothing). */
const INTENT = new RegExp(`^\\{"type":"intent","at":"(${TIME})","cid":"(${PLAIN}+)","phone":"(${E164})","line":${COUNT},"attempt":${COUNT}(,"row":\\{|\\}$)`);
/** One cell of a row and what follows it (`,` another, `}}` the row's and the line's end), read where the last one stopped. */
const CELL_AT = new RegExp(`"(${PLAIN}*)":"${ANY}*"(,|\\}\\}$)`, 'y');
/** An accepted outcome up to its optional fields. */
const OUTCOME = new RegExp(`^\\{"type":"outcome","at":"(${TIME})","cid":"(${PLAIN}+)","phone":"(${E164})","outcome":"accepted"`);
const INDEX = /^(?:0|[1-9]\d*)$/;
/** One of the fields an accepted outcome carries, read where the last one stopped. */
const FIELD_AT = new RegExp(`,"(message_id|wa_id|status)":"(${ANY}*)"`, 'y');

export function scanSendRecord(text: string): ScannedRecord | undefined {
  if (text.startsWith('{"type":"intent"')) {
    const match = INTENT.exec(text);
    if (!match) return undefined;
    let columns: string[] | undefined;
    if (match[4] !== '}') {
      columns = [];
      CELL_AT.lastIndex = match[0].length;
      if (text.startsWith('}}', CELL_AT.lastIndex) && CELL_AT.lastIndex + 2 === text.length) return { type: 'intent', at: match[1]!, cid: match[2]!, phone: match[3]!, columns };
      for (;;) {
        const cell = CELL_AT.exec(text);
        if (!cell) return undefined;
        // An index-like name comes first in a parsed object's key order: parsed instead, for that order.
        if (INDEX.test(cell[1]!)) return undefined;
        columns.push(cell[1]!);
        if (cell[2] !== ',') break;
      }
    }
    return { type: 'intent', at: match[1]!, cid: match[2]!, phone: match[3]!, columns };
  }
  if (text.startsWith('{"type":"outcome"')) {
    const match = OUTCOME.exec(text);
    if (!match) return undefined;
    let messageId: string | undefined;
    let waId: string | undefined;
    FIELD_AT.lastIndex = match[0].length;
    while (FIELD_AT.lastIndex < text.length - 1) {
      const field = FIELD_AT.exec(text);
      if (!field) return undefined;
      const [, name, value] = field;
      if (name === 'status') continue;
      // A value used with an escape in it, or a field twice (JSON.parse keeps the last): parsed instead.
      if (value!.includes('\\') || (name === 'message_id' ? messageId : waId) !== undefined) return undefined;
      if (name === 'message_id') messageId = value;
      else waId = value;
    }
    if (FIELD_AT.lastIndex !== text.length - 1 || !text.endsWith('}')) return undefined;
    return { type: 'outcome', at: match[1]!, cid: match[2]!, phone: match[3]!, outcome: 'accepted', message_id: messageId, wa_id: waId };
  }
  return undefined;
}
