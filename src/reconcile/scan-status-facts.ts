import { bytes, equalBytes, jsonStringEnd, startsWith } from '../fs/json-bytes.js';
import { channelOfTag } from '../providers/index.js';
import { StatusRank } from '../providers/status-signal.js';
import { familyCode } from './family-code.js';
import { messageIdHashOfBytes } from './message-id-table.js';

/**
 * Statuses read from an events line, appended where SignalBatch keeps them: per status its message
 * id and correlation id ('' for none) and 6 numbers (rank, failed 0/1, code, at, family as
 * familyCode gives it, and the message id's messageIdHash, 0 for none).
 */
export interface StatusColumns {
  ids: string[];
  cids: string[];
  numbers: number[];
}

const HEAD = bytes('{"type":"event","received_at":"');
const PROVIDER = bytes('","provider":"');
const PATH = bytes('","path":"');
const FACTS = bytes(',"facts":{"v":1,"facts":[');
const RAW = bytes(']},"raw":"');
const STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'].map(bytes);
const RANKS = [StatusRank.none, StatusRank.sent, StatusRank.delivered, StatusRank.read, StatusRank.none];
const FAILED = 4;
const KEYS = ['status', 'at', 'id', 'cid', 'code'].map((key) => bytes(`"${key}":`));
const [STATUS, AT, ID, CID, CODE] = [0, 1, 2, 3, 4];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const ZERO = 0x30;
const NINE = 0x39;
const TIME_LENGTH = '2026-11-17T08:00:00.150Z'.length;

/**
 * The fastest reading of an events line, for the one kind that is nearly all of a large file: a
 * callback whose stored facts are statuses only, as `webhook` writes it. The line is checked in
 * its bytes exactly as parseStoredFacts checks it (the same head, the facts of this version, each
 * status well-formed) and nothing is parsed or built but the ids; anything else (a preference, an
 * inbound message, another spacing or key order, a fraction, an escape or a byte past ASCII in an
 * id) is -1, and the caller reads the line with parseStoredFacts, then parseEventLine. So a line
 * read here gives what parseStoredFacts would, statuses in the same order; the tests hold them to it.
 */
export class StatusFactsScanner {
  /** The last tag seen and its channel's family code (-1: no channel writes it). */
  private tag = new Uint8Array(0);
  private family = -1;

  /** Appends the line's statuses to `out` and returns how many, or -1 (then `out` is as it was). */
  scan(buffer: Buffer, start: number, end: number, out: StatusColumns): number {
    if (buffer[end - 1] !== CLOSE || !startsWith(buffer, start, end, HEAD)) return -1;
    let i = start + HEAD.length;
    if (!isReceiveTime(buffer, i, end) || !startsWith(buffer, i + TIME_LENGTH, end, PROVIDER)) return -1;
    i += TIME_LENGTH + PROVIDER.length;
    const tagEnd = tagEndAt(buffer, i, end);
    if (tagEnd === i || !startsWith(buffer, tagEnd, end, PATH)) return -1;
    const family = this.familyOf(buffer, i, tagEnd);
    if (family < 0) return -1;
    // The path, read as parseStoredFacts' pattern reads it: as JSON reads a string.
    i = jsonStringEnd(buffer, tagEnd + PATH.length, end);
    if (i < 0 || !startsWith(buffer, i + 1, end, FACTS)) return -1;
    i += 1 + FACTS.length;
    const before = out.ids.length;
    let count = 0;
    if (buffer[i] !== RAW[0]) {
      for (;;) {
        i = scanStatus(buffer, i, end, family, out);
        if (i < 0) break;
        count++;
        if (buffer[i] !== COMMA) break;
        i++;
      }
    }
    if (i < 0 || !startsWith(buffer, i, end, RAW)) {
      out.ids.length = out.cids.length = before;
      out.numbers.length = before * 6;
      return -1;
    }
    return count;
  }

  private familyOf(buffer: Buffer, start: number, end: number): number {
    if (!equalBytes(buffer, start, end, this.tag)) {
      const channel = channelOfTag(buffer.toString('latin1', start, end));
      // A copy: the reader refills its buffer, and a view would then hold another line's bytes.
      this.tag = Uint8Array.from(buffer.subarray(start, end));
      this.family = channel ? familyCode(channel.family) : -1;
    }
    return this.family;
  }
}

/**
 * One status fact `{…}` at `i` (its keys in any order, each once: `status`, `at`, `id`, `cid`,
 * `code`, as checkedFacts allows them), appended to `out`; returns the index after its `}`, or -1.
 */
function scanStatus(buffer: Buffer, i: number, end: number, family: number, out: StatusColumns): number {
  if (buffer[i] !== OPEN) return -1;
  let seen = 0; // a bit per key
  let status = -1;
  let at = NaN;
  let code = -1;
  let id: string | undefined;
  let cid: string | undefined;
  let hash = 0;
  for (i++; ; ) {
    const key = keyAt(buffer, i, end);
    if (key < 0 || seen & (1 << key)) return -1;
    seen |= 1 << key;
    i += KEYS[key]!.length;
    if (key === AT || key === CODE) {
      const after = integerEnd(buffer, i, end);
      if (after < 0) return -1;
      let value = 0;
      for (let k = i; k < after; k++) value = value * 10 + (buffer[k]! - ZERO);
      if (key === AT) at = value;
      else code = value;
      i = after;
    } else {
      if (buffer[i] !== QUOTE) return -1;
      const valueEnd = asciiEnd(buffer, i + 1, end);
      if (valueEnd <= i + 1) return -1; // an empty id or cid is not a fact (checkedFacts), nor a status
      if (key === STATUS) {
        status = STATUSES.findIndex((name) => equalBytes(buffer, i + 1, valueEnd, name));
        if (status < 0) return -1;
      } else if (key === ID) {
        id = buffer.toString('latin1', i + 1, valueEnd);
        hash = messageIdHashOfBytes(buffer, i + 1, valueEnd);
      } else {
        cid = buffer.toString('latin1', i + 1, valueEnd);
      }
      i = valueEnd + 1;
    }
    if (buffer[i] === COMMA && buffer[i + 1] === QUOTE) {
      i++;
      continue;
    }
    if (buffer[i] !== CLOSE) return -1;
    break;
  }
  if (status < 0 || Number.isNaN(at)) return -1;
  const failed = status === FAILED;
  out.ids.push(id ?? '');
  out.cids.push(cid ?? '');
  out.numbers.push(RANKS[status]!, failed ? 1 : 0, failed ? code : -1, at, family, hash);
  return i + 1;
}

/** Which of KEYS starts at `i`, or -1. */
function keyAt(buffer: Buffer, i: number, end: number): number {
  for (let key = 0; key < KEYS.length; key++) if (startsWith(buffer, i, end, KEYS[key]!)) return key;
  return -1;
}

/** The closing quote of string contents of printable ASCII other than `\` (so read as they are), else -1. */
function asciiEnd(buffer: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const byte = buffer[i]!;
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH || byte < 0x20 || byte >= 0x7f) return -1;
  }
  return -1;
}

/** After a non-negative integer (`0`, or 1-9 then at most 14 digits: added up digit by digit, exact as a double), else -1. */
function integerEnd(buffer: Buffer, i: number, end: number): number {
  let k = i;
  while (k < end && buffer[k]! >= ZERO && buffer[k]! <= NINE) k++;
  if (k === i || k - i > 15 || (buffer[i] === ZERO && k - i > 1)) return -1;
  return k;
}

/** After `[a-z0-9_]*` from `i`. */
function tagEndAt(buffer: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const byte = buffer[i]!;
    if (!((byte >= 0x61 && byte <= 0x7a) || (byte >= ZERO && byte <= NINE) || byte === 0x5f)) break;
  }
  return i;
}

/** `\d{4}-MM-DDTHH:MM:SS.sssZ` at `i`, each field in range, as parseStoredFacts' pattern has it. */
function isReceiveTime(buffer: Buffer, i: number, end: number): boolean {
  if (end - i < TIME_LENGTH) return false;
  const d = (k: number) => {
    const byte = buffer[i + k]!;
    return byte >= ZERO && byte <= NINE ? byte - ZERO : -1;
  };
  const is = (k: number, char: string) => buffer[i + k] === char.charCodeAt(0);
  for (const k of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]) if (d(k) < 0) return false;
  if (!is(4, '-') || !is(7, '-') || !is(10, 'T') || !is(13, ':') || !is(16, ':') || !is(19, '.') || !is(23, 'Z')) return false;
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && d(14) <= 5 && d(17) <= 5;
}
