/**
 * Chaos (issue #13 §5): Redis, a coordinator and 3 `scalelab worker` processes on a 12-point grid with tiny budgets.
 * While it runs, a worker that is training is SIGKILLed every few seconds and a new one started; the coordinator is
 * SIGKILLed once and resumed; Redis is SIGKILLed once and restarted (AOF, fsync always). Then: every grid point is
 * COMPLETE exactly once, nothing is RUNNING, every FAIL is an interrupted or duplicate run (never a point's own
 * failure), the kills did happen and hit trials, and real Optuna loads the study from Redis and agrees trial by trial.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStudy, trialView } from '@scalelab/search';
import type { TrialView } from '@scalelab/search';
import { redisServerMissing, startRedis } from './redis-server.js';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-chaos-'));
const NAME = 'chaos';
/** 12 grid points (|α·β²·γ² − 2| ≤ 0.5 on a 0.25 lattice), 36 steps of 32 on 16-px synthetic data (2 evaluations). */
const GRID = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.25', '--tolerance', '0.5', '--steps', '36', '--batch', '32', '--seed', '3', '--out', OUT];
/** Worker kills: at most this many, at least 4 s apart, each after a point completed since the last (so the grid progresses). */
const WORKER_KILLS = 4;
const POINTS = 12;
const LOCK_SECONDS = '3';

interface Proc {
  readonly child: ChildProcess;
  readonly log: string;
  readonly exit: Promise<number | null>;
}

let started = 0;
function launch(args: readonly string[], label: string): Proc {
  const log = join(OUT, `${label}-${started++}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { child, log, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

const worker = (url: string): Proc => launch(['worker', '--storage', url, '--lock-seconds', LOCK_SECONDS], 'worker');
const text = (p: Proc): string => readFileSync(p.log, 'utf8');
/** The delivery of the job this worker is training right now (a trial started and not ended, by its log), or 0. */
function delivery(p: Proc): number {
  const ended = new Set([...text(p).matchAll(/ trial (\d+) \S+: /g)].map((m) => m[1]));
  const running = [...text(p).matchAll(/ trial (\d+) \S+ started \(job .*, delivery (\d+)\)/g)].filter((m) => !ended.has(m[1]));
  return Math.max(0, ...running.map((m) => Number(m[2])));
}
const training = (p: Proc): boolean => delivery(p) > 0;

async function kill(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exit;
}

test('chaos: workers SIGKILLed every few seconds, the coordinator killed and resumed, Redis restarted — every point COMPLETE exactly once, Optuna agrees', async (t) => {
  t.timeout(420_000);
  const missing = redisServerMissing();
  if (missing !== null) t.fail(missing);
  const redis = await startRedis();
  const workers: Proc[] = [];
  const coordinators: Proc[] = [];
  const counts = { workerKills: 0, workersHitMidTrial: 0, coordinatorKills: 0, redisRestarts: 0, secondStalls: 0, pauses: 0 };
  let pausedWorker: Proc | null = null;
  let frozenTrialId: string | null = null;
  const study = join(OUT, NAME);
  const completed = async (): Promise<number> => {
    try {
      return (await openStudy(study)).record.trials.filter((x) => x.state === 'COMPLETE').length;
    } catch {
      return 0; // not created yet, or Redis restarting
    }
  };
  try {
    coordinators.push(launch(['search', '--name', NAME, '--storage', redis.url, '--workers', '0', ...GRID], 'coordinator'));
    for (let i = 0; i < 3; i++) workers.push(worker(redis.url));
    const deadline = Date.now() + 360_000;
    let lastKill = Date.now();
    let doneAtLastKill = 0;
    while (Date.now() < deadline) {
      const coordinator = coordinators.at(-1);
      if (coordinator !== undefined && coordinator.child.exitCode !== null) break;
      await sleep(500);
      const done = await completed();
      const frozen = counts.pauses === 0 && done >= 2 ? workers.find((w) => w.child.exitCode === null && w.child.signalCode === null && training(w)) : undefined;
      if (frozen !== undefined) {
        // Slow, not dead: a training worker frozen (SIGSTOP) past its lock and heartbeat, then let go on. Its job
        // is redelivered and its trial closed as interrupted; woken up, it must write nothing more for that trial.
        frozenTrialId = [...text(frozen).matchAll(/ trial (\d+) \S+ started/g)].at(-1)?.[1] ?? null;
        frozen.child.kill('SIGSTOP');
        await sleep(3000 * Number(LOCK_SECONDS));
        frozen.child.kill('SIGCONT');
        counts.pauses++;
        pausedWorker = frozen;
      } else if (counts.coordinatorKills === 0 && done >= 3 && coordinator !== undefined) {
        await kill(coordinator);
        counts.coordinatorKills++;
        await sleep(1000);
        coordinators.push(launch(['search', '--resume', study, '--workers', '0'], 'coordinator'));
      } else if (counts.redisRestarts === 0 && done >= 6) {
        await redis.restart();
        counts.redisRestarts++;
      }
      // Kill a worker every few seconds, preferring one that is training, as long as the grid progresses between
      // kills; once, kill the worker running a redelivered job, so BullMQ sees it stall twice and fails it for good.
      const alive = workers.filter((w) => w !== pausedWorker && w.child.exitCode === null && w.child.signalCode === null);
      const redelivered = counts.secondStalls === 0 ? alive.find((w) => delivery(w) >= 2) : undefined;
      if (redelivered !== undefined || (counts.workerKills < WORKER_KILLS && done > doneAtLastKill && Date.now() - lastKill > 4000)) {
        if (redelivered !== undefined) counts.secondStalls++;
        else doneAtLastKill = done;
        const victim = redelivered ?? alive.find(training) ?? alive[Math.floor(Math.random() * alive.length)];
        if (victim !== undefined) {
          if (training(victim)) counts.workersHitMidTrial++;
          await kill(victim);
          counts.workerKills++;
          workers.push(worker(redis.url));
          lastKill = Date.now();
        }
      }
    }
    const last = coordinators.at(-1);
    t.truthy(last);
    if (last === undefined) return;
    const code = await Promise.race([last.exit, sleep(1000).then(() => 'still running')]);
    t.is(code, 0, `the resumed coordinator ends the study: ${text(last).slice(-2000)}`);

    const opened = await openStudy(study);
    const trials = opened.record.trials.map(trialView);
    const complete = trials.filter((x) => x.state === 'COMPLETE');
    const byPoint = new Map<string, number>();
    for (const x of complete) byPoint.set(x.gridId, (byPoint.get(x.gridId) ?? 0) + 1);
    t.is(byPoint.size, POINTS, 'every grid point COMPLETE');
    t.true([...byPoint.values()].every((n) => n === 1), 'each exactly once');
    t.deepEqual(trials.filter((x) => x.state === 'RUNNING' || x.state === 'WAITING').map((x) => x.id), [], 'nothing left RUNNING');
    const failed = trials.filter((x) => x.state === 'FAIL');
    t.true(failed.every((x) => x.interrupted || x.duplicateOf !== null), 'every FAIL is an interrupted or duplicate run');
    const summary = JSON.parse(readFileSync(join(study, 'summary.json'), 'utf8')) as { points: { complete: number; pending: number } };
    t.deepEqual([summary.points.complete, summary.points.pending], [POINTS, 0]);

    t.true(counts.workerKills >= 3, `workers killed: ${counts.workerKills}`);
    t.true(counts.workersHitMidTrial >= 1, 'at least one kill hit a training worker');
    t.is(counts.coordinatorKills, 1);
    t.is(counts.redisRestarts, 1);
    t.true(trials.some((x) => x.interrupted), 'a killed worker\'s trial was closed as interrupted');
    // Redeliveries: trials of a unit's attempt beyond the first (BullMQ's stall redelivery or the reconciler).
    const perAttempt = new Map<string, number>();
    for (const r of opened.record.trials) {
      const key = `${String(r.userAttrs.grid_id)}@${String(r.userAttrs.attempt)}`;
      perAttempt.set(key, (perAttempt.get(key) ?? 0) + 1);
    }
    const redeliveries = [...perAttempt.values()].reduce((a, n) => a + n - 1, 0);
    const bullmqGaveUp = [...coordinators.map(text).join('\n').matchAll(/\((\d+) replacing jobs BullMQ had failed\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    t.log(JSON.stringify({ ...counts, trials: trials.length, complete: complete.length, interrupted: failed.filter((x) => x.interrupted).length, duplicates: failed.filter((x) => x.duplicateOf !== null).length, redeliveries, jobsBullmqFailedReplaced: bullmqGaveUp, workersStarted: workers.length }));
    t.true(redeliveries >= 1, 'a killed worker\'s job ran again');
    t.is(counts.secondStalls, 1, 'a redelivered job was killed again');
    t.is(counts.pauses, 1, 'a worker was frozen past its lock');
    for (let i = 0; i < 40 && pausedWorker !== null && training(pausedWorker); i++) await sleep(250);
    // What the frozen worker made of its trial agrees with the journal: 'gone' — closed as interrupted under it while
    // it was frozen, and nothing written after; 'duplicate' — its unit was finished elsewhere first; COMPLETE — it
    // was slow, not dead, and still the first to finish its unit (exactly once is checked above).
    const frozenTrial = trials.find((x) => String(x.id) === frozenTrialId);
    const frozenEnd = pausedWorker === null ? '' : (new RegExp(` trial ${frozenTrialId ?? ''} \\S+: (\\w+)`).exec(text(pausedWorker)) ?? [])[1] ?? '';
    t.log(`the frozen worker's trial ${frozenTrialId ?? '?'} ended: ${frozenEnd} (journal: ${frozenTrial?.state ?? '?'}${frozenTrial?.interrupted === true ? ', interrupted' : ''})`);
    const expected: Record<string, boolean> = { gone: frozenTrial?.state === 'FAIL' && frozenTrial.interrupted, duplicate: frozenTrial?.state === 'FAIL' && frozenTrial.duplicateOf !== null, COMPLETE: frozenTrial?.state === 'COMPLETE' };
    t.true(expected[frozenEnd] === true, `frozen worker: ${pausedWorker === null ? '' : text(pausedWorker)}`);
    t.true(bullmqGaveUp >= 1, 'BullMQ failed the twice-stalled job for good, and the reconciler enqueued its point again');

    // Real Optuna reads the study from Redis and agrees trial by trial.
    const script = `
import json, sys, warnings
warnings.simplefilter("ignore")
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
from optuna.storages import JournalStorage, JournalRedisStorage
s = optuna.load_study(study_name=sys.argv[2], storage=JournalStorage(JournalRedisStorage(sys.argv[1], prefix="scalelab:" + sys.argv[2])))
print(json.dumps([{"number": t.number, "state": t.state.name, "params": t.params, "value": t.value, "iv": {str(k): v for k, v in t.intermediate_values.items()}, "grid_id": t.user_attrs.get("grid_id"), "error": t.user_attrs.get("error")} for t in s.trials]))
`;
    const py = spawnSync('/usr/bin/python3', ['-c', script, redis.url, NAME], { encoding: 'utf8' });
    t.is(py.status, 0, `/usr/bin/python3 with optuna and redis (Debian python3-optuna, python3-redis): ${py.stderr}`);
    const theirs = JSON.parse(py.stdout) as { number: number; state: string; params: Record<string, number>; value: number | null; iv: Record<string, number>; grid_id: string; error: string | null }[];
    t.is(theirs.length, trials.length);
    theirs.forEach((x, i) => {
      const o = trials[i] as TrialView;
      t.is(x.number, o.id);
      t.is(x.state, o.state, `#${i}`);
      t.deepEqual(x.params, { alpha: o.alpha, beta: o.beta, gamma: o.gamma });
      t.is(x.value, o.value);
      t.is(x.grid_id, o.gridId);
      t.is(x.error, o.error);
      t.deepEqual(x.iv, Object.fromEntries(o.curve.map((c) => [String(c.epoch), c.accuracy])));
    });
  } finally {
    await Promise.all([...workers, ...coordinators].map(kill));
    await redis.stop();
  }
});
