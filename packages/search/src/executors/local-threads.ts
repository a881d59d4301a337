/**
 * Trials in local worker threads (piscina), one TF.js per thread — TF.js disables wasm threads under Node, so
 * parallelism is one trial per worker. The number of threads is capped at what this machine can use.
 */
import { availableParallelism, freemem } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { EpochPoint, TrialOutcome, TrialTask } from '../trial-worker.js';
import type { TrialExecutor } from './executor.js';

/** Peak RSS a proxy-b0 trial thread adds (bench:search); a conservative floor for bigger models. */
const MEMORY_PER_WORKER_BYTES = 600 * 2 ** 20;

/** Workers this machine can run: no more than the cores, the points to run, and what free memory allows. */
export function workerCap(requested: number, points: number): { workers: number; note: string | null } {
  const cores = availableParallelism();
  const byMemory = Math.max(1, Math.floor(freemem() / MEMORY_PER_WORKER_BYTES));
  const workers = Math.max(1, Math.min(requested, cores, byMemory, Math.max(1, points)));
  if (workers === requested) return { workers, note: null };
  const why = workers === points ? `${points} point(s) to run` : workers === cores ? `${cores} cores (one TF.js per thread: more threads than cores only share them)` : `${(freemem() / 2 ** 30).toFixed(1)} GB of free memory`;
  return { workers, note: `running ${workers} worker(s) instead of the ${requested} asked for: ${why}` };
}

export class LocalThreadsExecutor implements TrialExecutor {
  private readonly pool: Piscina<TrialTask, TrialOutcome>;

  constructor(
    readonly workers: number,
    workerUrl: URL = new URL('../trial-worker.js', import.meta.url),
  ) {
    this.pool = new Piscina<TrialTask, TrialOutcome>({ filename: workerUrl.href, minThreads: workers, maxThreads: workers, concurrentTasksPerWorker: 1, idleTimeout: 60_000 });
  }

  async run(task: TrialTask, signal?: AbortSignal, onEpoch?: (point: EpochPoint) => void): Promise<TrialOutcome> {
    if (onEpoch === undefined) return this.pool.run(task, signal === undefined ? {} : { signal });
    // Epochs come back on their own channel while the thread trains; it is closed when the trial ends, so a
    // message still in flight then is dropped (the outcome's curve holds every epoch).
    const channel = new MessageChannel();
    channel.port1.on('message', (point: EpochPoint) => onEpoch(point));
    try {
      return await this.pool.run({ ...task, progress: channel.port2 }, { transferList: [channel.port2], ...(signal === undefined ? {} : { signal }) });
    } finally {
      channel.port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
