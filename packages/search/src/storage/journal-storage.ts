/**
 * Where a study's journal lives. Optuna's separation: the study replays what the storage holds and appends new ops;
 * the storage only keeps lines whole and in order. The file journal is the embedded default; Redis (Optuna's
 * JournalRedisStorage layout) lets trials run on several machines.
 *
 * Besides plain appends, a storage keeps the *trial ledger* that makes results exactly-once when delivery is only
 * at-least-once (a job redelivered after a stall, a worker that was thought dead): which trials are open, which run
 * units (a point and its seed) are finished. Every op about a trial goes through it, so
 *  - nothing is ever written to a trial that was closed (replay would rightly reject the journal), and
 *  - a unit is finished once: a second runner of the same unit has its trial closed as a duplicate (FAIL), never
 *    a second COMPLETE.
 * The file journal has one writer (its lock), so its ledger is in memory; Redis' is kept beside the journal and
 * changed by the same atomic scripts that append.
 */
import type { JournalLines } from './journal-lines.js';
import type { JsonValue, OpFields } from './journal-ops.js';

/**
 * A trial as it is created: its parameters (internal value + Optuna distribution JSON) and attributes go in the
 * same CREATE_TRIAL line (Optuna's `create_new_trial(template_trial)`), so a crash never leaves a trial that exists
 * without them.
 */
export interface TrialTemplate {
  readonly datetimeStart: string;
  readonly params: Readonly<Record<string, { readonly value: number; readonly distribution: string }>>;
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
}

/** How a trial ends, handed to `closeTrial`. */
export interface TrialClose {
  /** The run unit (`unitKey`): a point and its seed. */
  readonly unit: string;
  /**
   * null: these ops finish the unit (COMPLETE or PRUNED). A number: the attempt that failed (FAIL) — recorded once
   * per attempt, so a redelivered job that fails again does not count against `--retries` twice.
   */
  readonly failedAttempt: number | null;
  /** The trial's last ops, its state change at the end. */
  readonly ops: readonly OpFields[];
  /** Appended instead when the unit (or this failed attempt) was already finished by another trial. */
  readonly duplicateOps: readonly OpFields[];
}

/** `closed`: `ops` written; `duplicate`: the unit was finished elsewhere, `duplicateOps` written; `gone`: the trial was already closed (nothing written). */
export type CloseOutcome = 'closed' | 'duplicate' | 'gone';

/** What a runner learns when it reports that it is alive. */
export type TrialStatus = 'open' | 'unit-finished' | 'closed';

export interface JournalStorage {
  /** For messages: a path, or a URL and key prefix. */
  readonly location: string;
  /** Every op held, checked; a torn last line is reported in `tail`, not returned as an op. */
  read(): Promise<JournalLines>;
  /** Append ops in order, each whole; durable when the promise resolves. Study-level ops and tests only: trial ops go through the ledger. */
  append(ops: readonly OpFields[]): Promise<void>;
  /**
   * Append one CREATE_TRIAL op holding the whole template; resolves to the new trial's id (its creation order). The
   * trial is open in the ledger, held for `unit` (Redis: with a heartbeat that expires unless renewed).
   */
  createTrial(template: TrialTemplate, unit?: string): Promise<number>;
  /** Append ops to an open trial; false (nothing written) once the trial is closed. */
  appendToTrial(trialId: number, ops: readonly OpFields[]): Promise<boolean>;
  /** End a trial, idempotently (see `TrialClose`). */
  closeTrial(trialId: number, close: TrialClose): Promise<CloseOutcome>;
  /** Close a trial whose runner is gone (its heartbeat expired): `ops` written only if it is open and not alive. */
  closeAbandoned(trialId: number, ops: readonly OpFields[]): Promise<boolean>;
  /** The runner of an open trial is alive; tells it whether to go on. */
  heartbeat(trialId: number): Promise<TrialStatus>;
  /** Open trials and the unit each is held for. */
  openTrials(): Promise<ReadonlyMap<number, string>>;
  /** Is there nothing left to run for this unit's attempt: the unit finished (COMPLETE or PRUNED), or this attempt already failed? */
  isSettled(unit: string, attempt: number): Promise<boolean>;
  close(): Promise<void>;
}
