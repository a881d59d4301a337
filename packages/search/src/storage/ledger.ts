/**
 * The trial ledger's state (see journal-storage.ts): open trials and the unit each is held for, finished units,
 * failed attempts. Redis keeps it in hashes beside the journal; the file journal keeps this in-memory copy, built
 * from the replayed journal when a study is opened (`ledgerOf` in trials.ts) and changed as it appends.
 */
import type { CloseOutcome, TrialClose, TrialStatus } from './journal-storage.js';

export interface LedgerState {
  /** Open trial id → its unit. */
  readonly open: Map<number, string>;
  /** Finished unit → the trial that finished it. */
  readonly finished: Map<string, number>;
  /** `failedAttemptKey(unit, attempt)` → the trial that failed it. */
  readonly failed: Map<string, number>;
}

export const emptyLedger = (): LedgerState => ({ open: new Map(), finished: new Map(), failed: new Map() });

/** How a failed attempt of a unit is keyed (the Redis hash field too). */
export const failedAttemptKey = (unit: string, attempt: number): string => `${unit}@${attempt}`;

/** The decision `closeTrial` makes, shared by the in-memory ledger and (in Lua) Redis. */
export function closeDecision(ledger: LedgerState, trialId: number, close: TrialClose): CloseOutcome {
  if (!ledger.open.has(trialId)) return 'gone';
  const done = ledger.finished.has(close.unit) || (close.failedAttempt !== null && ledger.failed.has(failedAttemptKey(close.unit, close.failedAttempt)));
  return done ? 'duplicate' : 'closed';
}

/** Record a close that was written. */
export function applyClose(ledger: LedgerState, trialId: number, close: TrialClose, outcome: CloseOutcome): void {
  if (outcome === 'gone') return;
  ledger.open.delete(trialId);
  if (outcome === 'duplicate') return;
  if (close.failedAttempt === null) ledger.finished.set(close.unit, trialId);
  else ledger.failed.set(failedAttemptKey(close.unit, close.failedAttempt), trialId);
}

export function statusOf(ledger: LedgerState, trialId: number): TrialStatus {
  const unit = ledger.open.get(trialId);
  if (unit === undefined) return 'closed';
  return ledger.finished.has(unit) ? 'unit-finished' : 'open';
}
