/**
 * Runs a study's grid: the main thread alone decides which grid point runs next and alone writes the journal; an
 * executor (worker threads) trains. A trial that throws, gives a non-finite objective or passes the timeout is
 * recorded as FAIL and the study goes on; it is retried up to `retries` times. With successive halving, every
 * candidate first gets the base budget and the best 1/η of each rung go on with η× more, the rest PRUNED.
 */
import type { TrialExecutor } from './executors/executor.js';
import { LocalThreadsExecutor, workerCap } from './executors/local-threads.js';
import { isBetter } from './objective.js';
import { splitRung } from './pruners/successive-halving.js';
import type { JournalStorage } from './storage/journal-storage.js';
import type { StudyRecord } from './storage/replay.js';
import type { StudyPlan } from './study.js';
import { sharedStudyData } from './study-plan.js';
import type { StudyPoint } from './points.js';
import { closeRun, openTrial, trainRun } from './trial-lifecycle.js';
import type { RunUnit, TrialContext, TrialEnd } from './trial-lifecycle.js';
import { INTERRUPTED_ERROR, failOps } from './trials.js';
import { costliestFirst, unitStates } from './units.js';
import type { FinalState } from './units.js';
import type { RunRecord } from './trials.js';

export type { FinalState } from './units.js';

/** What a running study reports (`RunOptions.onEvent`): begin, notes, progress, and each trial's start and end. */
export type SearchEvent =
  | { readonly type: 'begin'; readonly points: number; readonly finished: number; readonly workers: number; readonly interrupted: number }
  | { readonly type: 'note'; readonly message: string }
  | { readonly type: 'trial-start'; readonly trialId: number; readonly gridId: string; readonly rung: number }
  | { readonly type: 'trial-end'; readonly trialId: number; readonly gridId: string; readonly rung: number; readonly ok: boolean; readonly value: number | null; readonly error: string | null; readonly seconds: number; readonly retry: boolean }
  | { readonly type: 'point-final'; readonly gridId: string; readonly state: FinalState; readonly value: number | null }
  | { readonly type: 'progress'; readonly finished: number; readonly points: number; readonly running: number; readonly elapsedSeconds: number; readonly etaSeconds: number; readonly best: { readonly gridId: string; readonly value: number } | null };

export interface RunOptions {
  readonly onEvent?: (event: SearchEvent) => void;
  /** What trains the trials (default: local worker threads, as many as the config asks and the machine allows). */
  readonly executor?: TrialExecutor;
  /** Keep every trained model under this folder (`search --save-best`, see best-model.ts). */
  readonly saveModelsIn?: string;
}

/** One run unit's state in this run of the study. */
interface PointState {
  readonly point: StudyPoint;
  /** 0…seeds−1; the seed parameter is the study seed + replicate. */
  readonly replicate: number;
  trialId: number | null;
  failures: number;
  readonly runs: Map<number, RunRecord>;
  final: FinalState | null;
  resumedFrom: number | null;
}

const unitOf = (ps: PointState): RunUnit => ({ point: ps.point, replicate: ps.replicate, failures: ps.failures, resumedFrom: ps.resumedFrom });

/**
 * Rebuild each unit's state from a replayed journal. Every trial left RUNNING (or WAITING) — with or without a
 * grid point, a phantom of a crash — is closed as FAIL (interrupted), by append.
 */
async function restoreStates(plan: StudyPlan, previous: StudyRecord | null, storage: JournalStorage): Promise<{ states: PointState[]; interrupted: number }> {
  let interrupted = 0;
  for (const t of previous?.trials ?? []) {
    if ((t.state === 'RUNNING' || t.state === 'WAITING') && (await storage.closeAbandoned(t.id, failOps(t.id, INTERRUPTED_ERROR, true)))) interrupted++;
  }
  const states = unitStates(plan, previous).map((u): PointState => ({ point: u.point, replicate: u.replicate, trialId: null, failures: u.failures, runs: u.runs, final: u.final, resumedFrom: u.resumedFrom }));
  return { states, interrupted };
}

export async function runStudy(plan: StudyPlan, storage: JournalStorage, previous: StudyRecord | null, options: RunOptions = {}): Promise<void> {
  const { config, objective } = plan;
  const emit = options.onEvent ?? ((): void => undefined);
  const { states, interrupted } = await restoreStates(plan, previous, storage);
  const started = performance.now();
  let running = 0;
  let runSeconds = 0;
  let runsDone = 0;
  const finishedAtStart = states.filter((s) => s.final !== null).length;
  const cap = workerCap(config.workers, states.length - finishedAtStart);
  const executor = options.executor ?? new LocalThreadsExecutor(cap.workers);
  if (options.executor === undefined && cap.note !== null) emit({ type: 'note', message: cap.note });
  const workers = executor.workers;
  const remaining = states.length - finishedAtStart;
  const data = remaining > 0 ? sharedStudyData(config) : undefined;
  const ctx: TrialContext = { config, objective, storage, executor, ...(data === undefined ? {} : { data }), ...(options.saveModelsIn === undefined ? {} : { saveModelsIn: options.saveModelsIn }) };
  emit({ type: 'begin', points: states.length, finished: finishedAtStart, workers, interrupted });

  const best = (): { gridId: string; value: number } | null => {
    let top: { gridId: string; value: number } | null = null;
    for (const ps of states) {
      const last = [...ps.runs.values()].pop();
      if (last !== undefined && ps.final !== 'FAIL' && (top === null || isBetter(last.value, top.value, config.objective.direction))) top = { gridId: ps.point.id, value: last.value };
    }
    return top;
  };
  const progress = (): void => {
    const finished = states.filter((s) => s.final !== null).length;
    const elapsed = (performance.now() - started) / 1000;
    // Remaining points in waves of `workers`, each as long as the mean run so far (halving's later rungs not counted).
    const remaining = states.length - finished;
    const eta = runsDone > 0 ? Math.ceil(remaining / workers) * (runSeconds / runsDone) : Number.NaN;
    emit({ type: 'progress', finished, points: states.length, running, elapsedSeconds: elapsed, etaSeconds: eta, best: best() });
  };

  const ensureTrial = async (ps: PointState): Promise<number> => {
    if (ps.trialId !== null) return ps.trialId;
    // Runs finished before an interruption are deterministic (same seed): carried over, not rerun.
    ps.trialId = await openTrial(ctx, unitOf(ps), [...ps.runs.values()]);
    return ps.trialId;
  };

  const finish = async (ps: PointState, end: Extract<TrialEnd, { state: 'COMPLETE' | 'PRUNED' }>): Promise<void> => {
    if (ps.final !== null) return;
    const id = await ensureTrial(ps);
    await closeRun(ctx, id, unitOf(ps), end);
    ps.final = end.state;
    ps.trialId = null;
    emit({ type: 'point-final', gridId: ps.point.id, state: end.state, value: end.state === 'COMPLETE' ? end.value : null });
    progress();
  };

  /** One training run of a point at a rung; returns true when it failed and should be retried. */
  const runOne = async (ps: PointState, rung: number): Promise<boolean> => {
    const c = ps.point;
    const id = await ensureTrial(ps);
    const t0 = performance.now();
    emit({ type: 'trial-start', trialId: id, gridId: c.id, rung });
    const result = await trainRun(ctx, id, unitOf(ps), rung);
    if (result.ok) ps.runs.set(rung, result.run);
    const seconds = (performance.now() - t0) / 1000;
    running--;
    runSeconds += seconds;
    runsDone++;
    if (result.ok) {
      // Without halving a trial's one run is its result: close it now, not at the end of the grid.
      if (config.budget.halving === null) await finish(ps, { state: 'COMPLETE', value: result.run.value });
      emit({ type: 'trial-end', trialId: id, gridId: c.id, rung, ok: true, value: result.run.value, error: null, seconds, retry: false });
      return false;
    }
    await closeRun(ctx, id, unitOf(ps), { state: 'FAIL', error: result.error });
    ps.trialId = null;
    ps.failures++;
    const retry = ps.failures <= config.retries;
    if (!retry) {
      ps.final = 'FAIL';
      emit({ type: 'point-final', gridId: c.id, state: 'FAIL', value: null });
    }
    emit({ type: 'trial-end', trialId: id, gridId: c.id, rung, ok: false, value: null, error: result.error, seconds, retry });
    progress();
    return retry;
  };

  const runRung = async (todo: readonly PointState[], rung: number): Promise<void> => {
    // Costliest first (longest-processing-time order): the last wave then holds the short trials, so workers finish
    // together. Grid ids and seeds do not depend on this order, so neither do the results.
    const queue = [...todo].sort(costliestFirst);
    const inFlight = new Set<Promise<void>>();
    while (queue.length > 0 || inFlight.size > 0) {
      while (inFlight.size < workers && queue.length > 0) {
        const ps = queue.shift() as PointState;
        running++;
        const p: Promise<void> = runOne(ps, rung).then((retry) => {
          inFlight.delete(p);
          if (retry) queue.push(ps);
        });
        inFlight.add(p);
      }
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
  };

  try {
    progress();
    let members: PointState[] = states;
    for (let rung = 0; members.length > 0; rung++) {
      await runRung(members.filter((ps) => ps.final === null && !ps.runs.has(rung)), rung);
      const alive = members.filter((ps) => ps.runs.has(rung) && ps.final !== 'FAIL');
      const split = splitRung(alive.map((ps) => ({ ps, index: ps.point.index, value: ps.runs.get(rung)?.value ?? Number.NaN })), config.budget.halving, config.objective.direction);
      for (const m of split.complete) await finish(m.ps, { state: 'COMPLETE', value: m.value });
      for (const m of split.prune) await finish(m.ps, { state: 'PRUNED' });
      members = split.promote.map((m) => m.ps);
    }
  } finally {
    await executor.close();
  }
}
