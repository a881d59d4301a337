/**
 * The coordinator's repair pass over journal and queue, run when it starts (so `--resume` after a coordinator crash
 * picks up where it was) and every few seconds while it waits:
 *  1. an open trial whose heartbeat expired is closed as FAIL (`interrupted`) — its worker is gone. Dead is told
 *     from slow by the heartbeat alone: a worker renews it every quarter of its TTL from an event loop that never
 *     trains (training runs in a worker thread), and the close is conditional, in one script, on the heartbeat
 *     still being absent. A worker that was only partitioned away finds its trial closed and writes nothing more.
 *  2. every unit that is neither finished, nor exhausted its retries, nor held by a live trial, and has no job
 *     waiting or running, is enqueued — which also recovers the jobs BullMQ failed for good after too many stalls.
 */
import type { TrialJob, TrialQueue } from './executors/bullmq.js';
import type { RedisJournalStorage } from './storage/journal-redis.js';
import type { StudyRecord } from './storage/replay.js';
import type { StudyPlan } from './study-plan.js';
import { INTERRUPTED_ERROR, failOps } from './trials.js';
import { costliestFirst, unitStates } from './units.js';

export interface ReconcileResult {
  /** Trials of dead workers closed as interrupted. */
  readonly interrupted: number;
  readonly enqueued: number;
  /** Of those, jobs BullMQ had failed for good (stalled more than maxStalledCount), replaced. */
  readonly replacedFailed: number;
}

/** The jobs a journal asks for: one per unit still to run and not held by a live trial (pure). */
export function jobsToEnqueue(plan: Pick<StudyPlan, 'config' | 'points'>, record: StudyRecord | null, heldUnits: ReadonlySet<string>): TrialJob[] {
  return unitStates(plan, record)
    .filter((u) => u.final === null && !heldUnits.has(u.key))
    // As local threads take them (in grid order, a 6-point MNIST study on 2 workers lost ~10% of its wall time to a
    // long last trial).
    .sort(costliestFirst)
    .map((u) => ({ study: plan.config.name, gridId: u.point.id, replicate: u.replicate, failures: u.failures, resumedFrom: u.resumedFrom }));
}

/**
 * `readRecord` gives the journal as it is when called. It is called last: a trial that ends while this runs has
 * left the queue and the open trials by then, so only a journal read after them shows it finished. (Read first, the
 * journal showed it running and the queue no longer held its job: it was enqueued again, and a worker skipped it.)
 */
export async function reconcile(
  plan: StudyPlan,
  storage: Pick<RedisJournalStorage, 'openTrials' | 'withoutHeartbeat' | 'closeAbandoned'>,
  queue: Pick<TrialQueue, 'liveJobIds' | 'enqueue'>,
  readRecord: () => Promise<StudyRecord>,
): Promise<ReconcileResult> {
  const live = await queue.liveJobIds();
  const open = await storage.openTrials();
  const dead = new Set(await storage.withoutHeartbeat([...open.keys()]));
  let interrupted = 0;
  for (const id of dead) if (await storage.closeAbandoned(id, failOps(id, INTERRUPTED_ERROR, true))) interrupted++;
  const held = new Set([...open].filter(([id]) => !dead.has(id)).map(([, unit]) => unit));
  const { added, replacedFailed } = await queue.enqueue(jobsToEnqueue(plan, await readRecord(), held), live);
  return { interrupted, enqueued: added, replacedFailed };
}
