/**
 * The file journal (Optuna's JournalFileStorage format): each op one line, written whole by a single write(2) on an
 * O_APPEND descriptor and flushed (fdatasync) before the next, so a crash leaves every earlier line intact and at
 * most a torn last one.
 *
 * Nothing but an append ever changes a journal, with one exception: a torn last line that is demonstrably the
 * start of an op ScaleLab wrote is cut before appending (appending after it would glue the next op onto it), and
 * the cut bytes are first saved beside the journal as `journal.log.torn-<time>`.
 */
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, openSync, readSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { LIMITS } from '@scalelab/arch';
import { SearchError } from '../errors.js';
import { parseJournalLines } from './journal-lines.js';
import type { JournalLines } from './journal-lines.js';
import { OP, encodeOp } from './journal-ops.js';
import type { OpFields } from './journal-ops.js';
import { createTrialOp } from './journal-ops.js';
import type { CloseOutcome, JournalStorage, TrialClose, TrialStatus, TrialTemplate } from './journal-storage.js';
import { applyClose, closeDecision, emptyLedger, failedAttemptKey, statusOf } from './ledger.js';
import type { LedgerState } from './ledger.js';

/** Read and check a journal file; never writes. */
export function readJournalFile(path: string): JournalLines {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new SearchError('BAD_JOURNAL', `${path} is a folder, not a journal file`);
    size = st.size;
  } catch (e) {
    if (e instanceof SearchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SearchError('NO_STUDY', code === 'ENOENT' ? `no journal at ${path}` : `cannot read journal ${path}: ${(e as Error).message}`);
  }
  if (size > LIMITS.journalBytes.max) throw new SearchError('BAD_JOURNAL', `${path} holds ${size} bytes, over ScaleLab's limit of ${LIMITS.journalBytes.max} ${LIMITS.journalBytes.what}`);
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return parseJournalLines(bytes.subarray(0, read), path);
  } finally {
    closeSync(fd);
  }
}

/** `2026-12-01T19-40-33-123Z`: a time that is also a portable file name. */
const fileTime = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/** A new file beside the journal for a torn tail: `journal.log.torn-<time>` (`-2`, `-3`… if taken). */
function openAside(path: string): { aside: string; saved: number } {
  const base = `${path}.torn-${fileTime(new Date())}`;
  for (let n = 1; ; n++) {
    const aside = n === 1 ? base : `${base}-${n}`;
    try {
      return { aside, saved: openSync(aside, 'wx') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw e;
    }
  }
}

export class JournalFileStorage implements JournalStorage {
  /** Optuna tags each line with its writer; ours is one per process. */
  readonly workerId = `scalelab-${randomUUID()}-${process.pid}`;
  private nextTrialId: number;
  private fd: number | null;

  private constructor(
    readonly location: string,
    fd: number,
    trialCount: number,
    /** One writer (the study lock), so the trial ledger lives here, in memory. */
    private readonly ledger: LedgerState,
  ) {
    this.fd = fd;
    this.nextTrialId = trialCount;
  }

  /** A new journal; fails (EEXIST) rather than overwrite one. */
  static create(path: string): JournalFileStorage {
    return new JournalFileStorage(path, openSync(path, 'wx'), 0, emptyLedger());
  }

  /**
   * Continue a journal whose `lines` were just read (the caller holds the study's lock, so nobody else writes):
   * an unterminated last op gets its newline; a torn one is saved beside the journal and cut. `onRepair` hears what
   * was done.
   */
  static openForAppend(path: string, lines: JournalLines, onRepair: (message: string) => void = () => undefined, ledger: LedgerState = emptyLedger()): JournalFileStorage {
    if (lines.tail.kind === 'partial') {
      throw new SearchError('BAD_JOURNAL', `${path}: the last line is the cut-off start of an operation that ScaleLab did not write (another program writes this journal?); ScaleLab will not cut it. If no other program is running, move those ${lines.tail.bytes.length} bytes out of the file and resume again`);
    }
    const fd = openSync(path, 'r+');
    try {
      const tailBytes = lines.tail.kind === 'torn' ? lines.tail.bytes.length : 0;
      const size = fstatSync(fd).size;
      if (lines.tail.kind === 'torn' && size !== lines.wholeBytes + tailBytes) {
        throw new SearchError('BAD_JOURNAL', `${path} changed while it was being opened (another program writes to it?); nothing was changed`);
      }
      if (lines.tail.kind === 'unterminated') {
        writeSync(fd, '\n', size);
        fdatasyncSync(fd);
        onRepair(`journal: the last line (${path}:${lines.tail.op.line}) was whole but had no newline; the newline was added`);
      } else if (lines.tail.kind === 'torn') {
        const { aside, saved } = openAside(path);
        try {
          writeSync(saved, lines.tail.bytes);
          fsyncSync(saved);
        } finally {
          closeSync(saved);
        }
        ftruncateSync(fd, lines.wholeBytes);
        fdatasyncSync(fd);
        onRepair(`journal: cut a torn last line (${tailBytes} bytes of an op cut short by a crash) and saved it as ${aside}; every whole line is kept`);
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    closeSync(fd);
    const trials = lines.ops.filter((o) => o.op.op_code === OP.CREATE_TRIAL).length + (lines.tail.kind === 'unterminated' && lines.tail.op.op.op_code === OP.CREATE_TRIAL ? 1 : 0);
    return new JournalFileStorage(path, openSync(path, 'a'), trials, ledger);
  }

  async read(): Promise<JournalLines> {
    return readJournalFile(this.location);
  }

  private write(op: OpFields): void {
    if (this.fd === null) throw new SearchError('BAD_JOURNAL', `${this.location}: the journal was closed`);
    writeSync(this.fd, `${encodeOp(op, this.workerId)}\n`);
    fdatasyncSync(this.fd);
  }

  async append(ops: readonly OpFields[]): Promise<void> {
    for (const op of ops) this.write(op);
  }

  async createTrial(template: TrialTemplate, unit = ''): Promise<number> {
    this.write(createTrialOp(template));
    const id = this.nextTrialId++;
    this.ledger.open.set(id, unit);
    return id;
  }

  async appendToTrial(trialId: number, ops: readonly OpFields[]): Promise<boolean> {
    if (!this.ledger.open.has(trialId)) return false;
    for (const op of ops) this.write(op);
    return true;
  }

  async closeTrial(trialId: number, close: TrialClose): Promise<CloseOutcome> {
    const outcome = closeDecision(this.ledger, trialId, close);
    if (outcome !== 'gone') for (const op of outcome === 'closed' ? close.ops : close.duplicateOps) this.write(op);
    applyClose(this.ledger, trialId, close, outcome);
    return outcome;
  }

  /** One process writes a file journal: an open trial not held by this process was left by one that stopped. */
  async closeAbandoned(trialId: number, ops: readonly OpFields[]): Promise<boolean> {
    if (!this.ledger.open.has(trialId)) return false;
    for (const op of ops) this.write(op);
    this.ledger.open.delete(trialId);
    return true;
  }

  async heartbeat(trialId: number): Promise<TrialStatus> {
    return statusOf(this.ledger, trialId);
  }

  async openTrials(): Promise<ReadonlyMap<number, string>> {
    return new Map(this.ledger.open);
  }

  async isSettled(unit: string, attempt: number): Promise<boolean> {
    return this.ledger.finished.has(unit) || this.ledger.failed.has(failedAttemptKey(unit, attempt));
  }

  async close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
