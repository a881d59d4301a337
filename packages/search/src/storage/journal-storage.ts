/**
 * Where a study's journal lives. Optuna's separation: the study replays what the storage holds and appends new ops;
 * the storage only keeps lines whole and in order. The file journal is the embedded default.
 */
import type { JournalLines } from './journal-lines.js';
import type { OpFields } from './journal-ops.js';

export interface JournalStorage {
  /** For messages: a path, or a URL and key prefix. */
  readonly location: string;
  /** Every op held, checked; a torn last line is reported in `tail`, not returned as an op. */
  read(): Promise<JournalLines>;
  /** Append ops in order, each whole; durable when the promise resolves. */
  append(ops: readonly OpFields[]): Promise<void>;
  /** Append a CREATE_TRIAL op; resolves to the new trial's id (its creation order, as Optuna numbers trials). */
  createTrial(datetimeStart: string): Promise<number>;
  close(): Promise<void>;
}
