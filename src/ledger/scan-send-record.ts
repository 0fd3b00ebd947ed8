import { bytes, equalBytes, jsonStringEnd, startsWith } from '../fs/json-bytes.js';
import { ISO_TIME } from './ledger-records.js';

/**
 * The fast reading of the two ledger lines a campaign is made of, as `send` writes them (its fixed
 * key order, JSON.stringify's spacing): an intent, and an accepted outcome. Reconcile reads a
 * million of each, so they are scanned where they lie in the reader's buffer: only the values the
 * fold uses are decoded (a row's cells are checked byte by byte, never decoded), and a row with
 * the same column names as the row before gives the same names without decoding them again.
 * Anything else (another record, another order, an escape where a value is used, a number written
 * another way, bytes that are not UTF-8 in a value used) is undefined, and the caller parses the
 * line (read-ledger.ts parseRecord): so a line read here is one parseRecord accepts, with the same
 * values.
 */
export type ScannedRecord =
  | { type: 'intent'; /** Date.parse of the line's `at`. */ at: number; cid: string; phone: string; /** The row's column names, in order (undefined: no row). Shared between rows with the same names: not to be changed. */ columns: readonly string[] | undefined }
  | { type: 'outcome'; at: number; cid: string; phone: string; outcome: 'accepted'; message_id: string | undefined; wa_id: string | undefined };


/**
 * Where the values of a line SendRecordScanner.scanSpans read are, as byte offsets in its buffer
 * (a value absent: start === end), undecoded: for a reader that copies them out in bulk
 * (reconcile's ledger batches). Every value's bytes are ASCII (scanSpans leaves any other line).
 */
export interface ScannedSpans {
  type: 'intent' | 'outcome';
  at: number;
  cidStart: number;
  cidEnd: number;
  phoneStart: number;
  phoneEnd: number;
  /** An intent's row's column names, as ScannedRecord's. */
  columns: readonly string[] | undefined;
  messageIdStart: number;
  messageIdEnd: number;
  /** Whether the outcome has a message_id (empty or not). */
  hasMessageId: boolean;
  waIdStart: number;
  waIdEnd: number;
  hasWaId: boolean;
}


const INTENT_HEAD = bytes('{"type":"intent","at":"');
const OUTCOME_HEAD = bytes('{"type":"outcome","at":"');
const CID = bytes('","cid":"');
const PHONE = bytes('","phone":"');
const LINE = bytes('","line":');
const ATTEMPT = bytes(',"attempt":');
const ROW = bytes(',"row":{');
const ACCEPTED = bytes('","outcome":"accepted"');
const CELL_SEPARATOR = bytes('":"');
const MESSAGE_ID = bytes('message_id":"');
const WA_ID = bytes('wa_id":"');
const STATUS = bytes('status":"');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE = 0x7d; // }
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads send's lines from a buffer. One per reader: it remembers the last row's column names (the
 * rows of one campaign all have the same), so that they are decoded once, not once a row.
 */
export class SendRecordScanner {
  private names: Uint8Array[] = [];
  private columns: readonly string[] = [];
  /** Where the names of the row being read are (start, end, start, end…). */
  private spans: number[] = [];
  /** What the last line read has (one object, rewritten by each line: no garbage per line). */
  private readonly found: ScannedSpans = { type: 'intent', at: 0, cidStart: 0, cidEnd: 0, phoneStart: 0, phoneEnd: 0, columns: undefined, messageIdStart: 0, messageIdEnd: 0, hasMessageId: false, waIdStart: 0, waIdEnd: 0, hasWaId: false };

  /** Line `buffer[start, end)` (without its newline) as send wrote it, else undefined. */
  scan(buffer: Buffer, start = 0, end = buffer.length): ScannedRecord | undefined {
    const found = this.read(buffer, start, end);
    if (!found) return undefined;
    const cid = text(buffer, found.cidStart, found.cidEnd);
    if (cid === undefined) return undefined;
    const phone = latin1(buffer, found.phoneStart, found.phoneEnd);
    if (found.type === 'intent') return { type: 'intent', at: found.at, cid, phone, columns: found.columns };
    const messageId = found.hasMessageId ? text(buffer, found.messageIdStart, found.messageIdEnd) : undefined;
    const waId = found.hasWaId ? text(buffer, found.waIdStart, found.waIdEnd) : undefined;
    if ((found.hasMessageId && messageId === undefined) || (found.hasWaId && waId === undefined)) return undefined;
    return { type: 'outcome', at: found.at, cid, phone, outcome: 'accepted', message_id: messageId, wa_id: waId };
  }

  /**
   * The line as scan reads it, its values left where they are (ScannedSpans: valid until the next
   * line is read), or undefined where scan gives undefined and where a value used is not ASCII
   * (scan decodes those; a caller of this parses the line instead).
   */
  scanSpans(buffer: Buffer, start = 0, end = buffer.length): ScannedSpans | undefined {
    const found = this.read(buffer, start, end);
    if (!found || !isAscii(buffer, found.cidStart, found.cidEnd)) return undefined;
    if (found.type === 'outcome' && !(isAscii(buffer, found.messageIdStart, found.messageIdEnd) && isAscii(buffer, found.waIdStart, found.waIdEnd))) return undefined;
    return found;
  }

  private read(buffer: Buffer, start: number, end: number): ScannedSpans | undefined {
    if (startsWith(buffer, start, end, INTENT_HEAD)) return this.intent(buffer, start + INTENT_HEAD.length, end);
    if (startsWith(buffer, start, end, OUTCOME_HEAD)) return this.outcome(buffer, start + OUTCOME_HEAD.length, end);
    return undefined;
  }

  /** `{"type":"intent","at":"TIME","cid":"PLAIN+","phone":"E164","line":COUNT,"attempt":COUNT` then `,"row":{…}}` or `}`; `i` is just after `"at":"`. */
  private intent(buffer: Buffer, i: number, end: number): ScannedSpans | undefined {
    const found = this.found;
    i = sendHead(buffer, i, end, found);
    if (i < 0) return undefined;
    found.type = 'intent';
    found.columns = undefined;
    if (!startsWith(buffer, i, end, LINE)) return undefined;
    i = countEnd(buffer, i + LINE.length, end);
    if (i < 0 || !startsWith(buffer, i, end, ATTEMPT)) return undefined;
    i = countEnd(buffer, i + ATTEMPT.length, end);
    if (i < 0) return undefined;
    if (i + 1 === end && buffer[i] === CLOSE) return found;
    if (!startsWith(buffer, i, end, ROW)) return undefined;
    i += ROW.length;
    const spans = this.spans;
    spans.length = 0;
    if (!(i + 2 === end && buffer[i] === CLOSE && buffer[i + 1] === CLOSE)) {
      // Cells `"name":"value"`, separated by `,`, then `}}` and the line's end.
      for (;;) {
        if (buffer[i] !== QUOTE) return undefined;
        const nameEnd = plainEnd(buffer, i + 1, end);
        if (nameEnd < 0 || isIndexLike(buffer, i + 1, nameEnd)) return undefined; // an index-like name comes first in a parsed row: parsed instead, for that order
        spans.push(i + 1, nameEnd);
        if (!startsWith(buffer, nameEnd, end, CELL_SEPARATOR)) return undefined;
        const valueEnd = jsonStringEnd(buffer, nameEnd + CELL_SEPARATOR.length, end);
        if (valueEnd < 0) return undefined;
        i = valueEnd + 1;
        if (buffer[i] === COMMA) {
          i++;
          continue;
        }
        if (i + 2 === end && buffer[i] === CLOSE && buffer[i + 1] === CLOSE) break;
        return undefined;
      }
    }
    const columns = this.columnsOf(buffer, spans);
    if (!columns) return undefined;
    found.columns = columns;
    return found;
  }

  /** The names at `spans`: the last row's when their bytes are the same, else decoded (undefined if not UTF-8). */
  private columnsOf(buffer: Buffer, spans: number[]): readonly string[] | undefined {
    const count = spans.length / 2;
    let same = count === this.names.length;
    for (let k = 0; same && k < count; k++) same = equalBytes(buffer, spans[2 * k]!, spans[2 * k + 1]!, this.names[k]!);
    if (same) return this.columns;
    const columns: string[] = [];
    const names: Uint8Array[] = [];
    for (let k = 0; k < count; k++) {
      const name = text(buffer, spans[2 * k]!, spans[2 * k + 1]!);
      if (name === undefined) return undefined;
      columns.push(name);
      names.push(buffer.slice(spans[2 * k]!, spans[2 * k + 1]!));
    }
    this.names = names;
    this.columns = columns;
    return columns;
  }

  /** `{"type":"outcome","at":"TIME","cid":"PLAIN+","phone":"E164","outcome":"accepted"` then `,"message_id"|"wa_id"|"status":"…"` fields and `}`. */
  private outcome(buffer: Buffer, i: number, end: number): ScannedSpans | undefined {
    const found = this.found;
    i = sendHead(buffer, i, end, found);
    if (i < 0 || !startsWith(buffer, i, end, ACCEPTED)) return undefined;
    found.type = 'outcome';
    found.columns = undefined;
    found.hasMessageId = found.hasWaId = false;
    found.messageIdStart = found.messageIdEnd = found.waIdStart = found.waIdEnd = 0;
    i += ACCEPTED.length;
    while (i < end - 1) {
      if (buffer[i] !== COMMA || buffer[i + 1] !== QUOTE) return undefined;
      i += 2;
      const field = startsWith(buffer, i, end, MESSAGE_ID) ? MESSAGE_ID : startsWith(buffer, i, end, WA_ID) ? WA_ID : startsWith(buffer, i, end, STATUS) ? STATUS : undefined;
      if (!field) return undefined;
      const valueStart = i + field.length;
      if (field === STATUS) {
        i = jsonStringEnd(buffer, valueStart, end);
        if (i < 0) return undefined;
        i++;
        continue;
      }
      // A value used with an escape in it, or a field twice (JSON.parse keeps the last): parsed instead.
      const valueEnd = plainEnd(buffer, valueStart, end);
      if (valueEnd < 0 || (field === MESSAGE_ID ? found.hasMessageId : found.hasWaId)) return undefined;
      if (field === MESSAGE_ID) {
        found.hasMessageId = true;
        found.messageIdStart = valueStart;
        found.messageIdEnd = valueEnd;
      } else {
        found.hasWaId = true;
        found.waIdStart = valueStart;
        found.waIdEnd = valueEnd;
      }
      i = valueEnd + 1;
    }
    if (i !== end - 1 || buffer[i] !== CLOSE) return undefined;
    return found;
  }
}

/** The last day timeAt worked out (year, month, day and Date.UTC of its midnight): a ledger's times mostly share their day. */
let lastYear = -1;
let lastMonth = -1;
let lastDay = -1;
let lastMidnight = 0;

/** The decimal digit `byte` is, else NaN. */
function digit(byte: number): number {
  return byte >= ZERO && byte <= NINE ? byte - ZERO : NaN;
}

/**
 * Date.parse of the ISO time in bytes `start` to `end`, or undefined when it is not ISO_TIME. The
 * shape send writes (toISOString's, from 1970 on, hours below 24) is worked out from its digits;
 * any other is decoded and parsed.
 */
function timeAt(buffer: Buffer, start: number, end: number): number | undefined {
  if (end - start === 24) {
    const b = start;
    const year = digit(buffer[b]!) * 1000 + digit(buffer[b + 1]!) * 100 + digit(buffer[b + 2]!) * 10 + digit(buffer[b + 3]!);
    const month = digit(buffer[b + 5]!) * 10 + digit(buffer[b + 6]!);
    const day = digit(buffer[b + 8]!) * 10 + digit(buffer[b + 9]!);
    const hour = digit(buffer[b + 11]!) * 10 + digit(buffer[b + 12]!);
    const minute = digit(buffer[b + 14]!) * 10 + digit(buffer[b + 15]!);
    const second = digit(buffer[b + 17]!) * 10 + digit(buffer[b + 18]!);
    const millisecond = digit(buffer[b + 20]!) * 100 + digit(buffer[b + 21]!) * 10 + digit(buffer[b + 22]!);
    const shaped = buffer[b + 4] === 0x2d && buffer[b + 7] === 0x2d && buffer[b + 10] === 0x54 && buffer[b + 13] === 0x3a && buffer[b + 16] === 0x3a && buffer[b + 19] === 0x2e && buffer[b + 23] === 0x5a;
    // The ranges ISO_TIME allows (a day past the month's end rolls over in Date.parse as in Date.UTC).
    // (A NaN digit fails every comparison.)
    if (shaped && year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59 && millisecond >= 0) {
      // Date.UTC of a day and time in these ranges is its midnight's plus the time's milliseconds.
      if (year !== lastYear || month !== lastMonth || day !== lastDay) {
        lastMidnight = Date.UTC(year, month - 1, day);
        lastYear = year;
        lastMonth = month;
        lastDay = day;
      }
      return lastMidnight + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
    }
  }
  const text = latin1(buffer, start, end);
  return ISO_TIME.test(text) ? Date.parse(text) : undefined;
}

/**
 * `TIME","cid":"PLAIN+","phone":"E164` from `i`, its time and where its cid and phone are put in
 * `found`; returns where the phone's closing quote is, or -1.
 */
function sendHead(buffer: Buffer, i: number, end: number, found: ScannedSpans): number {
  const atEnd = plainEnd(buffer, i, end);
  if (atEnd < 0 || !startsWith(buffer, atEnd, end, CID)) return -1;
  const at = timeAt(buffer, i, atEnd);
  if (at === undefined) return -1;
  const cidStart = atEnd + CID.length;
  const cidEnd = plainEnd(buffer, cidStart, end);
  if (cidEnd <= cidStart || !startsWith(buffer, cidEnd, end, PHONE)) return -1;
  const phoneStart = cidEnd + PHONE.length;
  // +E.164: a plus, a first digit 1-9, at most 15 digits.
  if (buffer[phoneStart] !== PLUS || buffer[phoneStart + 1] === ZERO) return -1;
  const phoneEnd = digitsEnd(buffer, phoneStart + 1, end);
  if (phoneEnd === phoneStart + 1 || phoneEnd - phoneStart - 1 > 15 || buffer[phoneEnd] !== QUOTE) return -1;
  found.at = at;
  found.cidStart = cidStart;
  found.cidEnd = cidEnd;
  found.phoneStart = phoneStart;
  found.phoneEnd = phoneEnd;
  return phoneEnd;
}

/** The closing quote of a JSON string's contents starting at `i` with no escape and no control character, else -1. */
function plainEnd(buffer: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const byte = buffer[i]!;
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH || byte < 0x20) return -1;
  }
  return -1;
}

function digitsEnd(buffer: Buffer, i: number, end: number): number {
  while (i < end && buffer[i]! >= ZERO && buffer[i]! <= NINE) i++;
  return i;
}

/** After a positive integer JSON.parse reads exactly (1-9 then at most 14 digits), else -1. */
function countEnd(buffer: Buffer, i: number, end: number): number {
  if (i >= end || buffer[i] === ZERO) return -1;
  const after = digitsEnd(buffer, i, end);
  return after === i || after - i > 15 ? -1 : after;
}

/** Whether bytes `start` to `end` are an array index's digits (`0`, or no leading zero). */
function isIndexLike(buffer: Buffer, start: number, end: number): boolean {
  if (start === end || (buffer[start] === ZERO && end - start > 1)) return false;
  return digitsEnd(buffer, start, end) === end;
}

/** Whether bytes `start` to `end` are ASCII. */
function isAscii(buffer: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (buffer[k]! >= 0x80) return false;
  return true;
}

/** Bytes known to be ASCII, as a string. */
function latin1(buffer: Buffer, start: number, end: number): string {
  return buffer.toString('latin1', start, end);
}

/**
 * Bytes as UTF-8 text, or undefined when they are not UTF-8 (a replacement character in the
 * result: the caller then parses the whole line, which decodes it as it always has).
 */
function text(buffer: Buffer, start: number, end: number): string | undefined {
  if (isAscii(buffer, start, end)) return latin1(buffer, start, end);
  const decoded = buffer.toString('utf8', start, end);
  return decoded.includes('\uFFFD') ? undefined : decoded;
}

