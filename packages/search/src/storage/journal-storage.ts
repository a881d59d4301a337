/**
 * Where a study's journal lives. Optuna's separation: the study replays what the storage holds and appends new ops;
 * the storage only keeps lines whole and in order. The file journal is the embedded default.
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

export interface JournalStorage {
  /** For messages: a path, or a URL and key prefix. */
  readonly location: string;
  /** Every op held, checked; a torn last line is reported in `tail`, not returned as an op. */
  read(): Promise<JournalLines>;
  /** Append ops in order, each whole; durable when the promise resolves. */
  append(ops: readonly OpFields[]): Promise<void>;
  /** Append one CREATE_TRIAL op holding the whole template; resolves to the new trial's id (its creation order). */
  createTrial(template: TrialTemplate): Promise<number>;
  close(): Promise<void>;
}
