/** What runs a study's trials: local worker threads, or (for tests) anything that turns a task into an outcome. */
import type { EpochPoint, TrialOutcome, TrialTask } from '../trial-worker.js';

export interface TrialExecutor {
  /** How many trials run at once. */
  readonly workers: number;
  /**
   * Train one candidate; rejects with the trial's error (or an abort when `signal` fires). `onEpoch` hears each
   * epoch's test accuracy as it is measured (an executor may also not call it: the outcome's curve has them all).
   */
  run(task: TrialTask, signal?: AbortSignal, onEpoch?: (point: EpochPoint) => void): Promise<TrialOutcome>;
  close(): Promise<void>;
}
