import test from 'ava';
import * as fc from 'fast-check';
import { zooModel } from '@scalelab/arch';
import { trialJobId } from './executors/bullmq.js';
import type { TrialJob } from './executors/bullmq.js';
import { resolveConfig, parseConfigInput } from './config.js';
import { planStudy } from './study-plan.js';
import { jobsToEnqueue, reconcile } from './reconciler.js';
import { OP } from './storage/journal-ops.js';
import type { LoggedOp, OpFields } from './storage/journal-ops.js';
import { replayStudy } from './storage/replay.js';
import { closeDecision, applyClose, emptyLedger } from './storage/ledger.js';
import { duplicateOps, failOps, finishOp, pointTemplate } from './trials.js';
import { createTrialOp, decodeOp } from './storage/journal-ops.js';

/** A 6-point grid (the search tests' SMALL grid), two seeds per point, one retry. */
const config = resolveConfig([parseConfigInput({ name: 'r', dataset: 'synthetic', resolution: 16, space: { step: 0.25, tolerance: 0.3 }, budget: { steps: 2 }, seeds: 2, retries: 1 }, 'test')]);
const plan = planStudy(config, zooModel('proxy-b0'), { name: 'synthetic', channels: 1, classes: 10, trainCount: 1000, testCount: 200 }, '');

/** A journal from ops as a writer would build them (lines numbered from 1). */
function journal(build: (create: (point: number, replicate: number, attempt: number) => number) => OpFields[]): ReturnType<typeof replayStudy> {
  const ops: OpFields[] = [{ op_code: OP.CREATE_STUDY, study_name: 'r', directions: [2] }];
  let trials = 0;
  const create = (point: number, replicate: number, attempt: number): number => {
    const p = plan.points[point];
    if (p === undefined) throw new Error('no point');
    ops.push(createTrialOp(pointTemplate(p, { value: config.seed + replicate, low: config.seed, high: config.seed + 1 }, attempt, null)));
    return trials++;
  };
  ops.push(...build(create));
  const logged: LoggedOp[] = ops.map((op, i) => ({ op: decodeOp({ ...op, worker_id: 'w' }, `test:${i + 1}`), line: i + 1 }));
  return replayStudy(logged, 'test');
}

test('a new study enqueues every unit: each point × each seed, attempt 0', (t) => {
  const jobs = jobsToEnqueue(plan, null, new Set());
  t.is(jobs.length, plan.points.length * 2);
  t.true(jobs.every((j) => j.failures === 0 && j.resumedFrom === null && j.study === 'r'));
  t.is(new Set(jobs.map(trialJobId)).size, jobs.length, 'job ids are distinct');
  // The costliest units first (as local threads take them), by the analyzer's MACs of each point.
  const macs = jobs.map((j) => plan.points.find((p) => p.id === j.gridId)?.macs ?? Number.NaN);
  t.true(macs.every((m, i) => i === 0 || m <= (macs[i - 1] ?? Number.NaN)), macs.join(', '));
  t.true(new Set(macs).size > 1, 'the plan has points of different cost');
});

test('finished units are not enqueued; an interrupted one is, resuming its trial; a failed one at its next attempt until retries run out', (t) => {
  const record = journal((create) => {
    const done = create(0, 0, 0);
    const interrupted = create(1, 0, 0);
    const failedOnce = create(2, 0, 0);
    const failedTwiceA = create(3, 0, 0);
    const dup = create(3, 0, 0);
    const failedTwiceB = create(3, 0, 1);
    return [
      finishOp(done, 'COMPLETE', 0.5),
      ...failOps(interrupted, 'interrupted', true),
      ...failOps(failedOnce, 'diverged'),
      ...failOps(failedTwiceA, 'diverged'),
      ...duplicateOps(dup, 'x', 'y'),
      ...failOps(failedTwiceB, 'diverged'),
    ];
  });
  const jobs = jobsToEnqueue(plan, record, new Set());
  const of = (point: number, replicate: number): (typeof jobs)[number] | undefined => jobs.find((j) => j.gridId === plan.points[point]?.id && j.replicate === replicate);
  t.is(of(0, 0), undefined, 'COMPLETE');
  t.like(of(1, 0), { failures: 0, resumedFrom: 1 }, 'interrupted: not a failure, resumes trial 1');
  t.like(of(2, 0), { failures: 1 }, 'one failure: the retry');
  t.is(of(3, 0), undefined, 'two failures > 1 retry (the duplicate does not count): final FAIL');
  t.like(of(0, 1), { failures: 0 }, 'the other seed of a finished point still runs');
});

test('a unit held by a live trial is not enqueued', (t) => {
  const p = plan.points[0];
  if (p === undefined) return t.fail();
  const held = new Set([`${p.id}#${config.seed}`]);
  t.is(jobsToEnqueue(plan, null, held).filter((j) => j.gridId === p.id).length, 1, 'only the other seed');
});

test('reconcile reads the journal after the queue: a trial that ends meanwhile is not enqueued again', async (t) => {
  // Every unit finished but point 0's first seed, whose trial ends while the queue is asked for its live jobs: its
  // worker appends the result, then BullMQ drops the completed job, so neither the queue nor the open trials hold it.
  let ended = false;
  const study = (xEnded: boolean): ReturnType<typeof journal> =>
    journal((create) =>
      plan.points.flatMap((_, point) =>
        [0, 1].flatMap((replicate) => {
          const id = create(point, replicate, 0);
          return point === 0 && replicate === 0 && !xEnded ? [] : [finishOp(id, 'COMPLETE', 0.5)];
        }),
      ),
    );
  const added: TrialJob[] = [];
  const result = await reconcile(
    plan,
    { openTrials: async () => new Map(), withoutHeartbeat: async () => [], closeAbandoned: async () => false },
    {
      liveJobIds: async () => {
        ended = true;
        return new Set();
      },
      enqueue: async (jobs, live) => {
        added.push(...jobs.filter((j) => !live.has(trialJobId(j))));
        return { added: added.length, replacedFailed: 0 };
      },
    },
    async () => study(ended),
  );
  t.deepEqual(added, []);
  t.is(result.enqueued, 0);
  // The journal as it was before the trial ended asks for that unit: read first, it would have been enqueued again.
  t.deepEqual(jobsToEnqueue(plan, study(false), new Set()).map((j) => [j.gridId, j.replicate]), [[plan.points[0]?.id, 0]]);
});

test('job ids: one per study, point, replicate and attempt; never a ":" nor an integer, and distinct inputs stay distinct', (t) => {
  t.is(trialJobId({ study: 's', gridId: 'fast:0.8@2', replicate: 1, failures: 0 }), 's|fast%3A0.8@2|r1|a0');
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.nat(), fc.nat(), (a, b, r, f) => {
      const id = trialJobId({ study: 's', gridId: a, replicate: r, failures: f });
      const other = trialJobId({ study: 's', gridId: b, replicate: r, failures: f });
      return !id.includes(':') && !/^\d+$/.test(id) && (a === b) === (id === other);
    }),
  );
});

test('the in-memory ledger closes a unit once: a second close is a duplicate, a closed trial is gone', (t) => {
  const ledger = emptyLedger();
  ledger.open.set(0, 'u');
  ledger.open.set(1, 'u');
  const close = { unit: 'u', failedAttempt: null, ops: [], duplicateOps: [] };
  const first = closeDecision(ledger, 0, close);
  applyClose(ledger, 0, close, first);
  const second = closeDecision(ledger, 1, close);
  applyClose(ledger, 1, close, second);
  t.deepEqual([first, second, closeDecision(ledger, 0, close)], ['closed', 'duplicate', 'gone']);
  t.is(ledger.finished.get('u'), 0);
});
