/** What runs a study's trials: local worker threads, or (for tests) anything that turns a task into an outcome. */
import type { TrialOutcome, TrialTask } from '../trial-worker.js';

export interface TrialExecutor {
  /** How many trials run at once. */
  readonly workers: number;
  /** Train one candidate; rejects with the trial's error (or an abort when `signal` fires). */
  run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutcome>;
  close(): Promise<void>;
}
