/**
 * Trials as BullMQ jobs: one queue, `scalelab-trials`, shared by every study in a Redis, so a `scalelab worker`
 * needs nothing but the Redis URL. A job names a run unit's attempt; its id is derived from the study, the grid
 * point, the replicate and the attempt, so enqueueing the same attempt again never makes a second job while the
 * first exists (BullMQ ignores an add with an existing id).
 *
 * Delivery is at least once — a job is redelivered when its worker stalls or dies (BullMQ's stalled-job check) —
 * and BullMQ fails a job for good after `maxStalledCount` stalls (default 1). Neither loses or doubles a result:
 * the trial ledger closes a second run of a finished unit as a duplicate, and the coordinator's reconciler
 * re-enqueues every unit that is neither finished nor queued (removing a failed job of the same id first).
 */
import type { JobType, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import { SearchError } from '../errors.js';
import { loadBullmq } from '../storage/redis-libraries.js';

export const TRIAL_QUEUE = 'scalelab-trials';

/** What a job carries: which attempt of which unit of which study. A job is untrusted input (shared Redis). */
export const trialJobSchema = z.strictObject({
  study: z.string().min(1).max(100),
  gridId: z.string().min(1).max(1000),
  replicate: z.number().int().min(0),
  /** Earlier failures of the unit, the attempt number (it chooses the training seed). */
  failures: z.number().int().min(0),
  resumedFrom: z.number().int().min(0).nullable(),
});
export type TrialJob = z.output<typeof trialJobSchema>;

export function parseTrialJob(data: unknown, jobId: string): TrialJob {
  const parsed = trialJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SearchError('BAD_JOURNAL', `job ${jobId.slice(0, 200)} in queue ${TRIAL_QUEUE} is not a ScaleLab trial job: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
}

/**
 * `study|grid id|r<replicate>|a<attempt>`; BullMQ ids may not contain ':' (a key separator), and a numeric id is
 * taken for an auto id — neither can happen after escaping ('%' first, so the mapping stays one-to-one).
 */
export function trialJobId(job: Pick<TrialJob, 'study' | 'gridId' | 'replicate' | 'failures'>): string {
  return `${job.study}|${job.gridId}|r${job.replicate}|a${job.failures}`.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** Jobs that are waiting for, or held by, a worker. */
const LIVE: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

export class TrialQueue {
  private constructor(readonly queue: Queue) {}

  /** BullMQ loads here rather than with this module: a study on the file journal never needs it (redis-libraries.ts). */
  static open(connection: Redis): TrialQueue {
    const { Queue } = loadBullmq();
    return new TrialQueue(new Queue(TRIAL_QUEUE, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 10_000 } } }));
  }

  /** Ids of every job waiting or running (all studies). */
  async liveJobIds(): Promise<Set<string>> {
    return new Set(await this.queue.getRanges(LIVE, 0, -1));
  }

  /**
   * Enqueue these jobs; a job whose id is live already is left alone, and a finished or failed job of the same id
   * (BullMQ gave up on it) is removed first. Returns how many were added and how many of those replaced a failed job.
   */
  async enqueue(jobs: readonly TrialJob[], live: ReadonlySet<string>): Promise<{ added: number; replacedFailed: number }> {
    let added = 0;
    let replacedFailed = 0;
    for (const job of jobs) {
      const id = trialJobId(job);
      if (live.has(id)) continue;
      const state = await this.queue.getJobState(id);
      if (state === 'failed' || state === 'completed') {
        await this.queue.remove(id);
        if (state === 'failed') replacedFailed++;
      } else if (state !== 'unknown') {
        continue;
      }
      await this.queue.add('trial', job, { jobId: id });
      added++;
    }
    return { added, replacedFailed };
  }

  /** Remove this study's jobs that are still waiting (the study is done; what is left would only be skipped). */
  async dropWaiting(study: string): Promise<void> {
    for (const job of await this.queue.getJobs(['waiting', 'delayed', 'prioritized'])) {
      if (job.id !== undefined && job.id.startsWith(`${study}|`)) await this.queue.remove(job.id).catch(() => 0);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
