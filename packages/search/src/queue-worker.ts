/**
 * `scalelab worker`: takes trial jobs from the Redis queue (any study in that Redis) and runs each through the same
 * trial lifecycle as a local search, training in piscina worker threads — so this process's event loop stays free to
 * renew BullMQ's job locks and the trial's heartbeat while TF.js computes.
 *
 * A job is skipped when its unit is settled (finished, or this attempt already failed): a redelivered job costs a
 * Redis round trip, not a training run. A study is loaded from its journal once per process and checked as strictly
 * as a resume (config, baseline and dataset through the same schemas and limits).
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseTrialJob, TRIAL_QUEUE, trialJobId } from './executors/bullmq.js';
import { LocalThreadsExecutor } from './executors/local-threads.js';
import { SearchError } from './errors.js';
import { RedisJournalStorage } from './storage/journal-redis.js';
import { connectRedis } from './storage/redis-connection.js';
import { loadBullmq } from './storage/redis-libraries.js';
import type { RedisLocation } from './storage/storage-url.js';
import { openedFrom, planStudy, sharedStudyData } from './study-plan.js';
import type { StudyPlan } from './study-plan.js';
import { runUnitKey, runWholeTrial } from './trial-lifecycle.js';
import type { TrialContext } from './trial-lifecycle.js';

/** BullMQ's default lock: a dead worker's job goes back to the queue this long after its last renewal. */
export const DEFAULT_LOCK_SECONDS = 30;

export interface WorkerOptions {
  readonly location: RedisLocation;
  /** Trials at once: BullMQ's concurrency and the number of worker threads. */
  readonly concurrency: number;
  /** Stop after this many seconds without a job (null: run until stopped). */
  readonly idleExitSeconds: number | null;
  /**
   * How long a job and a trial stay claimed by a worker that stopped renewing them: BullMQ's lockDuration (checked
   * for stalls every half of it) and the trial heartbeat's TTL. Shorter means faster recovery from a dead worker,
   * and more risk of taking a stalled-but-alive one for dead (its late result is then closed as a duplicate).
   */
  readonly lockSeconds?: number;
  readonly onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { readonly type: 'ready'; readonly concurrency: number; readonly queue: string }
  | { readonly type: 'trial-start'; readonly study: string; readonly trialId: number; readonly gridId: string; readonly jobId: string; readonly delivery: number }
  | { readonly type: 'trial-end'; readonly study: string; readonly trialId: number; readonly gridId: string; readonly outcome: string; readonly value: number | null; readonly error: string | null; readonly seconds: number }
  | { readonly type: 'skipped'; readonly study: string; readonly gridId: string; readonly jobId: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'idle-exit'; readonly seconds: number };

export interface RunningWorker {
  /** Resolves when the worker has stopped (idle exit or `close`). */
  readonly done: Promise<void>;
  /** Stop taking jobs, let the running trials finish, and disconnect. */
  close(): Promise<void>;
}

interface LoadedStudy {
  readonly plan: StudyPlan;
  readonly ctx: TrialContext;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const emit = options.onEvent ?? ((): void => undefined);
  const lockMs = (options.lockSeconds ?? DEFAULT_LOCK_SECONDS) * 1000;
  // Loaded here, not with this module, so a search on the file journal never loads BullMQ (redis-libraries.ts);
  // and before the connection and the threads, which a failed load would otherwise leave open.
  const { Worker } = loadBullmq();
  const connection: Redis = await connectRedis(options.location);
  const executor = new LocalThreadsExecutor(options.concurrency);
  const studies = new Map<string, Promise<LoadedStudy>>();
  const host = `${hostname()}:${process.pid}`;

  const loadStudy = (name: string): Promise<LoadedStudy> => {
    const cached = studies.get(name);
    if (cached !== undefined) return cached;
    const loading = (async (): Promise<LoadedStudy> => {
      const storage = new RedisJournalStorage(connection, options.location, name, lockMs);
      const opened = openedFrom('', await storage.read(), storage.location);
      const plan = planStudy(opened.config, opened.baselineSpec, opened.dataset, '');
      // One copy of the dataset for all this worker's threads (MNIST, CIFAR-10), kept while the worker runs.
      const data = sharedStudyData(plan.config);
      return { plan, ctx: { config: plan.config, objective: plan.objective, storage, executor, ...(data === undefined ? {} : { data }) } };
    })();
    studies.set(name, loading);
    // A study that failed to load is tried again with the next job (its journal may be repaired, or created late).
    loading.catch(() => studies.delete(name));
    return loading;
  };

  let active = 0;
  let lastActivity = performance.now();
  const processJob = async (job: Job): Promise<string> => {
    const jobId = job.id ?? '';
    const data = parseTrialJob(job.data, jobId);
    if (trialJobId(data) !== jobId) throw new SearchError('BAD_JOURNAL', `job ${jobId.slice(0, 200)}: its id does not match its data (${trialJobId(data)})`);
    const { plan, ctx } = await loadStudy(data.study);
    const point = plan.points.find((p) => p.id === data.gridId);
    if (point === undefined || data.replicate >= plan.config.seeds) throw new SearchError('BAD_JOURNAL', `job ${jobId}: study ${data.study} has no unit ${data.gridId} replicate ${data.replicate}`);
    if (await ctx.storage.isSettled(runUnitKey(plan.config, point, data.replicate), data.failures)) {
      emit({ type: 'skipped', study: data.study, gridId: data.gridId, jobId });
      return 'settled';
    }
    const unit = { point, replicate: data.replicate, failures: data.failures, resumedFrom: data.resumedFrom };
    const whole = await runWholeTrial(ctx, unit, {
      attrs: { job_id: jobId, delivery: job.attemptsStarted, worker: host },
      heartbeatMs: lockMs / 4,
      onStart: (trialId) => emit({ type: 'trial-start', study: data.study, trialId, gridId: data.gridId, jobId, delivery: job.attemptsStarted }),
    });
    const r = whole.result;
    emit({ type: 'trial-end', study: data.study, trialId: whole.trialId, gridId: data.gridId, outcome: whole.outcome === 'closed' ? (r.ok ? 'COMPLETE' : 'FAIL') : whole.outcome, value: r.ok ? r.run.value : null, error: r.ok ? null : r.error, seconds: whole.seconds });
    return whole.outcome;
  };

  const worker = new Worker(
    TRIAL_QUEUE,
    async (job: Job) => {
      active++;
      try {
        return await processJob(job);
      } finally {
        active--;
        lastActivity = performance.now();
      }
    },
    { connection, concurrency: options.concurrency, lockDuration: lockMs, stalledInterval: lockMs / 2, autorun: false },
  );
  worker.on('error', (e: Error) => emit({ type: 'error', message: e.message }));
  worker.on('failed', (job: Job | undefined, e: Error) => emit({ type: 'error', message: `job ${job?.id ?? '?'}: ${e.message}` }));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(idleTimer);
      await worker.close();
      await executor.close();
      connection.disconnect();
    })();
    return closing;
  };
  const idleTimer = setInterval(() => {
    const idle = (performance.now() - lastActivity) / 1000;
    if (options.idleExitSeconds !== null && active === 0 && idle >= options.idleExitSeconds) {
      emit({ type: 'idle-exit', seconds: options.idleExitSeconds });
      void close();
    }
  }, 250);
  const running = worker.run();
  await worker.waitUntilReady();
  emit({ type: 'ready', concurrency: options.concurrency, queue: TRIAL_QUEUE });
  return { done: running.then(() => close()), close };
}
