/**
 * A journal's bytes split into checked operations. Every whole line (ended by a newline) must be a valid op; the
 * bytes after the last newline are one of: nothing, a whole op whose newline is missing (to be completed), or the
 * torn start of an op written by ScaleLab (a crash mid-write: to be cut, and kept aside), or the torn start of
 * another program's op (skipped when reading, never cut). Anything else means the
 * file is damaged or is not a journal: an error naming the line, and the file is left as it is.
 */
import { LIMITS } from '@scalelab/arch';
import { SearchError } from '../errors.js';
import { decodeOp } from './journal-ops.js';
import type { LoggedOp } from './journal-ops.js';
import { isJsonPrefix } from './json-prefix.js';

export type JournalTail =
  | { readonly kind: 'none' }
  /** A valid op whose line lacks only its newline. */
  | { readonly kind: 'unterminated'; readonly op: LoggedOp }
  /** The start of an op as ScaleLab writes it, cut short by a crash: a writer may cut it (saved aside). */
  | { readonly kind: 'torn'; readonly bytes: Uint8Array }
  /** The cut-off start of an op another program wrote (e.g. Optuna): readers skip it, writers refuse to touch it. */
  | { readonly kind: 'partial'; readonly bytes: Uint8Array };

export interface JournalLines {
  readonly ops: readonly LoggedOp[];
  /** Bytes up to and including the last newline. */
  readonly wholeBytes: number;
  readonly tail: JournalTail;
}

/** How every line ScaleLab writes begins (`encodeOp`); the digit is the op code. */
const OUR_LINE_START = '{"op_code":0,"worker_id":"scalelab-';
const OP_CODE_DIGIT = OUR_LINE_START.indexOf('0');

/** Could `text` be the beginning of a line ScaleLab wrote? */
export function isStartOfOurLine(text: string): boolean {
  const n = Math.min(text.length, OUR_LINE_START.length);
  for (let i = 0; i < n; i++) {
    const c = text[i] as string;
    if (i === OP_CODE_DIGIT ? !(c >= '0' && c <= '9') : c !== OUR_LINE_START[i]) return false;
  }
  return isJsonPrefix(text);
}

const NEWLINE = 0x0a;

function decodeUtf8(bytes: Uint8Array, where: string, stream: boolean): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream });
  } catch {
    throw new SearchError('BAD_JOURNAL', `${where}: not UTF-8 text (the file is damaged or is not a journal)`);
  }
}

function parseLine(bytes: Uint8Array, where: string): LoggedOp['op'] | null {
  if (bytes.length > LIMITS.journalLineBytes.max) throw new SearchError('BAD_JOURNAL', `${where}: a line of ${bytes.length} bytes, over the limit of ${LIMITS.journalLineBytes.max} bytes per journal line`);
  const text = decodeUtf8(bytes, where, false);
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SearchError('BAD_JOURNAL', `${where}: not a JSON line (the journal is damaged, or the file is not a journal)`);
  }
  return decodeOp(value, where);
}

export function parseJournalLines(bytes: Uint8Array, path: string): JournalLines {
  const ops: LoggedOp[] = [];
  let start = 0;
  let line = 0;
  for (;;) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end < 0) break;
    line++;
    if (ops.length >= LIMITS.journalOps.max) throw new SearchError('BAD_JOURNAL', `${path}: more than ${LIMITS.journalOps.max} operations, over the limit for one journal`);
    const op = parseLine(bytes.subarray(start, end), `${path}:${line}`);
    if (op !== null) ops.push({ op, line });
    start = end + 1;
  }
  const rest = bytes.subarray(start);
  if (rest.length === 0) return { ops, wholeBytes: start, tail: { kind: 'none' } };
  const where = `${path}:${line + 1}`;
  // Whole op, only the newline missing?
  let complete: LoggedOp['op'] | null = null;
  try {
    complete = parseLine(rest, where);
  } catch {
    complete = null;
  }
  if (complete !== null) return { ops, wholeBytes: start, tail: { kind: 'unterminated', op: { op: complete, line: line + 1 } } };
  // The torn start of one of ours? (A multi-byte character cut in the middle is still a clean cut.)
  let text: string;
  try {
    text = rest.length > LIMITS.journalLineBytes.max ? '' : decodeUtf8(rest, where, true);
  } catch {
    text = '';
  }
  if (text !== '' && isStartOfOurLine(text)) return { ops, wholeBytes: start, tail: { kind: 'torn', bytes: rest } };
  if (line > 0 && /^\{\s*"op_code"/.test(text) && isJsonPrefix(text)) return { ops, wholeBytes: start, tail: { kind: 'partial', bytes: rest } };
  throw new SearchError(
    'BAD_JOURNAL',
    line === 0
      ? `${path}: not a journal (its text does not begin with a journal operation); the file was left as it is`
      : `${where}: the last line is neither a whole journal operation nor the cut-off start of one ScaleLab wrote; the file was left as it is`,
  );
}
