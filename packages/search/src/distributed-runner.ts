/**
 * A study in Redis, run by its coordinator: enqueue every pending unit as a BullMQ job, optionally train some of them
 * in this process (an embedded worker, the same code as `scalelab worker`), and follow the journal until every unit
 * is final and no trial is open — reconciling journal and queue every few seconds (reconciler.ts).
 *
 * The coordinator never trains or commits on a worker's behalf: it reads the journal, closes trials whose
 * heartbeat expired, and enqueues. Killing it loses nothing; `--resume` starts the same loop again.
 *
 * Successive halving is not distributed: a rung must see every candidate's result before the next one starts,
 * which needs a barrier and promotions the queue does not have yet (refused at create, see study.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TrialQueue } from './executors/bullmq.js';
import { isBetter } from './objective.js';
import { startWorker } from './queue-worker.js';
import type { RunningWorker, WorkerEvent } from './queue-worker.js';
import { reconcile } from './reconciler.js';
import type { SearchEvent } from './runner.js';
import type { RedisJournalStorage } from './storage/journal-redis.js';
import { optunaDatetimeMs } from './storage/journal-ops.js';
import type { LoggedOp } from './storage/journal-ops.js';
import { connectRedis } from './storage/redis-connection.js';
import type { RedisLocation } from './storage/storage-url.js';
import { replayStudy } from './storage/replay.js';
import type { StudyRecord } from './storage/replay.js';
import type { StudyPlan } from './study-plan.js';
import { trialUnit } from './trials.js';
import { unitStates } from './units.js';

export interface DistributedRunOptions {
  readonly onEvent?: (event: SearchEvent) => void;
  /** Worker threads trained in this process (0: only `scalelab worker`s elsewhere train). */
  readonly localWorkers: number;
  /** Passed to the embedded worker (see WorkerOptions.lockSeconds). */
  readonly lockSeconds?: number;
  /** Aborts when the coordinator lost its lock: stop at once. */
  readonly lockLost?: AbortSignal;
  /** How often the journal is read (ms) and journal and queue reconciled (ms). */
  readonly pollMs?: number;
  readonly reconcileMs?: number;
}

// A read of the log's length and the open trials: cheap enough to notice the last trial's end within a quarter second.
const DEFAULT_POLL_MS = 250;
const DEFAULT_RECONCILE_MS = 3000;

export async function runDistributedStudy(plan: StudyPlan, storage: RedisJournalStorage, location: RedisLocation, options: DistributedRunOptions): Promise<void> {
  const emit = options.onEvent ?? ((): void => undefined);
  const { config } = plan;
  const connection = await connectRedis(location);
  let queue: TrialQueue | undefined;
  let embedded: RunningWorker | null = null;
  const started = performance.now();
  try {
    queue = TrialQueue.open(connection);
    const ops: LoggedOp[] = await storage.readFrom(0);
    let record = replayStudy(ops, storage.location);
    /** The journal as it is now: the ops appended since the last read, replayed onto the rest. */
    const catchUp = async (): Promise<StudyRecord> => {
      const fresh = await storage.readFrom((ops.at(-1)?.line ?? -1) + 1);
      if (fresh.length > 0) {
        ops.push(...fresh);
        record = replayStudy(ops, storage.location);
      }
      return record;
    };
    const units = (): ReturnType<typeof unitStates> => unitStates(plan, record);
    const atStart = units();
    emit({ type: 'begin', points: atStart.length, finished: atStart.filter((u) => u.final !== null).length, workers: options.localWorkers, interrupted: 0 });
    const first = await reconcile(plan, storage, queue, catchUp);
    emit({ type: 'note', message: `enqueued ${first.enqueued} trial job(s) in ${location.url} (queue scalelab-trials)${first.replacedFailed > 0 ? ` (${first.replacedFailed} replacing jobs BullMQ had failed)` : ''}${first.interrupted > 0 ? `; closed ${first.interrupted} trial(s) of dead workers as interrupted` : ''}` });
    if (options.localWorkers > 0) {
      embedded = await startWorker({ location, concurrency: options.localWorkers, idleExitSeconds: null, ...(options.lockSeconds === undefined ? {} : { lockSeconds: options.lockSeconds }), onEvent: (e: WorkerEvent) => (e.type === 'error' ? emit({ type: 'note', message: `local worker: ${e.message}` }) : undefined) });
    }
    const reported = new Set(record.trials.filter((t) => t.state !== 'RUNNING' && t.state !== 'WAITING').map((t) => t.id));
    const startedTrials = new Set(record.trials.map((t) => t.id));
    let lastReconcile = performance.now();
    let runsDone = 0;
    let runSeconds = 0;
    for (;;) {
      options.lockLost?.throwIfAborted();
      await catchUp();
      const now = units();
      const finalUnits = new Set(now.filter((u) => u.final !== null).map((u) => u.key));
      for (const t of record.trials) {
        const gridId = typeof t.userAttrs.grid_id === 'string' ? t.userAttrs.grid_id : `trial-${t.id}`;
        if (!startedTrials.has(t.id)) {
          startedTrials.add(t.id);
          emit({ type: 'trial-start', trialId: t.id, gridId, rung: 0 });
        }
        if (t.state === 'RUNNING' || t.state === 'WAITING' || reported.has(t.id)) continue;
        reported.add(t.id);
        const seconds = t.datetimeStart !== null && t.datetimeComplete !== null ? (optunaDatetimeMs(t.datetimeComplete) - optunaDatetimeMs(t.datetimeStart)) / 1000 : 0;
        runsDone++;
        runSeconds += seconds;
        const error = typeof t.userAttrs.error === 'string' ? t.userAttrs.error : null;
        emit({ type: 'trial-end', trialId: t.id, gridId, rung: 0, ok: t.state === 'COMPLETE', value: t.value, error, seconds, retry: t.state === 'FAIL' && !finalUnits.has(trialUnit(t) ?? '') });
      }
      const open = await storage.openTrials();
      const finished = now.filter((u) => u.final !== null).length;
      let best: { gridId: string; value: number } | null = null;
      for (const u of now) if (u.final === 'COMPLETE' && u.value !== null && (best === null || isBetter(u.value, best.value, config.objective.direction))) best = { gridId: u.point.id, value: u.value };
      const workers = Math.max(1, open.size);
      const eta = runsDone > 0 ? Math.ceil((now.length - finished) / workers) * (runSeconds / runsDone) : Number.NaN;
      emit({ type: 'progress', finished, points: now.length, running: open.size, elapsedSeconds: (performance.now() - started) / 1000, etaSeconds: eta, best });
      if (finished === now.length && open.size === 0) break;
      if (performance.now() - lastReconcile >= (options.reconcileMs ?? DEFAULT_RECONCILE_MS)) {
        lastReconcile = performance.now();
        const r = await reconcile(plan, storage, queue, catchUp);
        if (r.interrupted > 0 || r.replacedFailed > 0 || r.enqueued > 0) {
          emit({ type: 'note', message: `reconciled: ${r.interrupted} trial(s) of dead workers closed as interrupted, ${r.enqueued} job(s) enqueued${r.replacedFailed > 0 ? ` (${r.replacedFailed} replacing jobs BullMQ had failed)` : ''}` });
        }
      }
      await sleep(options.pollMs ?? DEFAULT_POLL_MS);
    }
    await queue.dropWaiting(config.name);
  } finally {
    // Each step whatever the one before did: the connection is closed even if a worker or the queue fails to close.
    try {
      await embedded?.close();
    } finally {
      try {
        await queue?.close();
      } finally {
        connection.disconnect();
      }
    }
  }
}
