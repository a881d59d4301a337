/**
 * Runs a study's grid: the main thread alone decides which grid point runs next and alone writes the journal;
 * piscina worker threads (one TF.js each) train. A trial that throws, gives a non-finite objective or passes the
 * timeout is recorded as FAIL and the study goes on; it is retried up to `retries` times. With successive halving,
 * every candidate first gets the base budget and the best 1/η of each rung go on with η× more, the rest PRUNED.
 */
import { Piscina } from 'piscina';
import type { BackendName } from '@scalelab/engine';
import type { Candidate } from './candidates.js';
import type { JsonValue } from './journal/format.js';
import type { StudyRecord } from './journal/replay.js';
import type { JournalWriter } from './journal/writer.js';
import { isBetter } from './objective.js';
import type { StudyPlan } from './study.js';
import type { TrialOutcome, TrialTask } from './trial-worker.js';
import { RUN_ATTR_PREFIX, trialRuns } from './trials.js';
import type { RunRecord } from './trials.js';
import { coefficientDistribution } from './space.js';

export type FinalState = 'COMPLETE' | 'PRUNED' | 'FAIL';

export type SearchEvent =
  | { readonly type: 'begin'; readonly points: number; readonly finished: number; readonly workers: number; readonly interrupted: number }
  | { readonly type: 'trial-start'; readonly trialId: number; readonly gridId: string; readonly rung: number }
  | { readonly type: 'trial-end'; readonly trialId: number; readonly gridId: string; readonly rung: number; readonly ok: boolean; readonly value: number | null; readonly error: string | null; readonly seconds: number; readonly retry: boolean }
  | { readonly type: 'point-final'; readonly gridId: string; readonly state: FinalState; readonly value: number | null }
  | { readonly type: 'progress'; readonly finished: number; readonly points: number; readonly running: number; readonly elapsedSeconds: number; readonly etaSeconds: number; readonly best: { readonly gridId: string; readonly value: number } | null };

export interface RunOptions {
  readonly onEvent?: (event: SearchEvent) => void;
  /** The worker module (compiled `trial-worker.js` beside this file by default). */
  readonly workerUrl?: URL;
}

interface PointState {
  readonly candidate: Candidate;
  trialId: number | null;
  failures: number;
  readonly runs: Map<number, RunRecord>;
  final: FinalState | null;
  resumedFrom: number | null;
}

const INTERRUPTED = 'interrupted: the search stopped while this trial ran (crash or kill); its grid point runs again';

/** The budget of rung r: the base budget × η^r (steps or epochs, whichever the study uses). */
export function rungBudget(plan: StudyPlan, rung: number): { epochs: number | null; steps: number | null } {
  const factor = (plan.config.budget.halving ?? 1) ** rung;
  const { epochs, steps } = plan.config.budget;
  return steps !== null ? { epochs: null, steps: Math.round(steps * factor) } : { epochs: Math.round((epochs ?? 1) * factor), steps: null };
}

/** Rebuild each grid point's state from a replayed journal; trials left RUNNING are closed as FAIL (interrupted). */
function restoreStates(plan: StudyPlan, previous: StudyRecord | null, writer: JournalWriter): { states: PointState[]; interrupted: number } {
  const states = plan.candidates.map((candidate): PointState => ({ candidate, trialId: null, failures: 0, runs: new Map(), final: null, resumedFrom: null }));
  const byId = new Map(states.map((s) => [s.candidate.id, s]));
  let interrupted = 0;
  const closeInterrupted = (trialId: number): void => {
    writer.setTrialUserAttr(trialId, 'error', INTERRUPTED);
    writer.setTrialUserAttr(trialId, 'interrupted', true);
    writer.finishTrial(trialId, 'FAIL', null);
    interrupted++;
  };
  for (const t of previous?.trials ?? []) {
    const ps = byId.get(String(t.userAttrs.grid_id));
    if (ps === undefined) {
      // A journal written before trials were created in one line can hold a trial killed before its grid id: close it.
      if (t.state === 'RUNNING' || t.state === 'WAITING') closeInterrupted(t.id);
      continue;
    }
    for (const run of trialRuns(t.userAttrs)) if (!ps.runs.has(run.rung)) ps.runs.set(run.rung, run);
    switch (t.state) {
      case 'COMPLETE':
      case 'PRUNED':
        ps.final = t.state;
        break;
      case 'FAIL':
        if (t.userAttrs.interrupted !== true) ps.failures++;
        break;
      case 'RUNNING':
      case 'WAITING':
        closeInterrupted(t.id);
        ps.resumedFrom = t.id;
        break;
    }
  }
  for (const ps of states) if (ps.final === null && ps.failures > plan.config.retries) ps.final = 'FAIL';
  return { states, interrupted };
}

export async function runStudy(plan: StudyPlan, writer: JournalWriter, previous: StudyRecord | null, options: RunOptions = {}): Promise<void> {
  const { config, objective } = plan;
  const emit = options.onEvent ?? ((): void => undefined);
  const { states, interrupted } = restoreStates(plan, previous, writer);
  const distributions = { alpha: coefficientDistribution(config.space, 'alpha'), beta: coefficientDistribution(config.space, 'beta'), gamma: coefficientDistribution(config.space, 'gamma') };
  const started = performance.now();
  let running = 0;
  let runSeconds = 0;
  let runsDone = 0;
  const finishedAtStart = states.filter((s) => s.final !== null).length;
  emit({ type: 'begin', points: states.length, finished: finishedAtStart, workers: config.workers, interrupted });

  const best = (): { gridId: string; value: number } | null => {
    let top: { gridId: string; value: number } | null = null;
    for (const ps of states) {
      const last = [...ps.runs.values()].pop();
      if (last !== undefined && ps.final !== 'FAIL' && (top === null || isBetter(last.value, top.value, config.objective.direction))) top = { gridId: ps.candidate.id, value: last.value };
    }
    return top;
  };
  const progress = (): void => {
    const finished = states.filter((s) => s.final !== null).length;
    const elapsed = (performance.now() - started) / 1000;
    // Remaining points in waves of `workers`, each as long as the mean run so far (halving's later rungs not counted).
    const remaining = states.length - finished;
    const eta = runsDone > 0 ? Math.ceil(remaining / config.workers) * (runSeconds / runsDone) : Number.NaN;
    emit({ type: 'progress', finished, points: states.length, running, elapsedSeconds: elapsed, etaSeconds: eta, best: best() });
  };

  const ensureTrial = (ps: PointState): number => {
    if (ps.trialId !== null) return ps.trialId;
    const c = ps.candidate;
    const attrs: Record<string, JsonValue> = {
      grid_id: c.id,
      grid_index: c.index,
      attempt: ps.failures,
      phi: config.space.phi,
      depth: c.multipliers.depth,
      width: c.multipliers.width,
      resolution_multiplier: c.multipliers.resolution,
      resolution: c.resolution,
      macs: c.macs,
      params: c.params,
      activations: c.activations,
      nominal_cost: c.nominalCostAtPhi,
      macs_ratio: c.macsRatio,
    };
    if (ps.resumedFrom !== null) attrs.resumed_from = ps.resumedFrom;
    // One line: a kill can not leave a trial without its grid point (resume closes it as interrupted by that id).
    const id = writer.createTrial(new Date(), {
      params: {
        alpha: { value: c.alpha, distribution: distributions.alpha },
        beta: { value: c.beta, distribution: distributions.beta },
        gamma: { value: c.gamma, distribution: distributions.gamma },
      },
      userAttrs: attrs,
    });
    // Runs finished before an interruption are deterministic (same seed): carried over, not rerun.
    for (const run of ps.runs.values()) writer.setTrialUserAttr(id, `${RUN_ATTR_PREFIX}${run.rung}`, run as unknown as JsonValue);
    const last = [...ps.runs.values()].pop();
    if (last !== undefined) recordRunOutcome(id, last);
    ps.trialId = id;
    return id;
  };

  const recordRunOutcome = (id: number, run: RunRecord): void => {
    for (const point of run.curve) writer.setIntermediateValue(id, point.epoch, point.accuracy);
    const attrs: Record<string, JsonValue> = { accuracy: run.accuracy, loss: run.loss, backend: run.backend, epochs: run.epochs, steps: run.steps, train_seconds: run.trainSeconds, images_per_second: run.imagesPerSecond };
    if (run.latencyMs !== null) attrs.latency_ms = run.latencyMs;
    for (const [key, value] of Object.entries(attrs)) writer.setTrialUserAttr(id, key, value);
  };

  const finish = (ps: PointState, state: FinalState, value: number | null): void => {
    if (ps.final !== null) return;
    const id = ensureTrial(ps);
    writer.finishTrial(id, state, value);
    ps.final = state;
    ps.trialId = null;
    emit({ type: 'point-final', gridId: ps.candidate.id, state, value });
    progress();
  };

  const pool = new Piscina<TrialTask, TrialOutcome>({
    filename: (options.workerUrl ?? new URL('./trial-worker.js', import.meta.url)).href,
    minThreads: config.workers,
    maxThreads: config.workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  });

  /** One training run of a point at a rung; returns true when it failed and should be retried. */
  const runOne = async (ps: PointState, rung: number): Promise<boolean> => {
    const c = ps.candidate;
    const id = ensureTrial(ps);
    const t0 = performance.now();
    emit({ type: 'trial-start', trialId: id, gridId: c.id, rung });
    const budget = rungBudget(plan, rung);
    const task: TrialTask = {
      spec: c.spec,
      dataset: config.dataset,
      datasetSeed: config.seed,
      epochs: budget.epochs,
      steps: budget.steps,
      batchSize: config.budget.batchSize,
      learningRate: config.budget.learningRate,
      augment: config.budget.augment,
      seed: config.seed + ps.failures,
      backend: config.backend as BackendName | null,
      latency: objective.variables.includes('latency'),
    };
    let error: string | null = null;
    let run: RunRecord | null = null;
    try {
      const signal = config.trialTimeout === null ? undefined : AbortSignal.timeout(config.trialTimeout * 1000);
      const out = await pool.run(task, signal === undefined ? {} : { signal });
      const value = objective.evaluate({ accuracy: out.accuracy, loss: out.loss, macs: c.macs, params: c.params, activations: c.activations, latency: out.latencyMs ?? Number.NaN });
      if (Number.isNaN(value)) {
        error = `objective '${objective.expression}' is not a finite number for this trial (accuracy ${out.accuracy}, loss ${out.loss})`;
      } else {
        run = { rung, epochs: out.epochs, steps: out.steps, value, accuracy: out.accuracy, loss: out.loss, trainSeconds: out.trainSeconds, imagesPerSecond: out.imagesPerSecond, backend: out.backend, latencyMs: out.latencyMs, curve: out.curve.map((p) => ({ epoch: p.epoch, accuracy: p.accuracy, loss: p.loss })) };
        writer.setTrialUserAttr(id, `${RUN_ATTR_PREFIX}${rung}`, run as unknown as JsonValue);
        recordRunOutcome(id, run);
        writer.setTrialUserAttr(id, 'num_tensors', out.numTensors);
        writer.setTrialUserAttr(id, 'rss_bytes', out.rssBytes);
        ps.runs.set(rung, run);
      }
    } catch (e) {
      const aborted = e instanceof Error && (e.name === 'AbortError' || /abort/i.test(e.message));
      error = aborted ? `trial exceeded the trial timeout of ${config.trialTimeout} s` : e instanceof Error ? e.message : String(e);
    }
    const seconds = (performance.now() - t0) / 1000;
    running--;
    runSeconds += seconds;
    runsDone++;
    if (error === null) {
      // Without halving a trial's one run is its result: close it now, not at the end of the grid.
      if (config.budget.halving === null) finish(ps, 'COMPLETE', run?.value ?? null);
      emit({ type: 'trial-end', trialId: id, gridId: c.id, rung, ok: true, value: run?.value ?? null, error: null, seconds, retry: false });
      return false;
    }
    writer.setTrialUserAttr(id, 'error', error);
    writer.finishTrial(id, 'FAIL', null);
    ps.trialId = null;
    ps.failures++;
    const retry = ps.failures <= config.retries;
    if (!retry) {
      ps.final = 'FAIL';
      emit({ type: 'point-final', gridId: c.id, state: 'FAIL', value: null });
    }
    emit({ type: 'trial-end', trialId: id, gridId: c.id, rung, ok: false, value: null, error, seconds, retry });
    progress();
    return retry;
  };

  const runRung = async (todo: readonly PointState[], rung: number): Promise<void> => {
    // Costliest first (longest-processing-time order): the last wave then holds the short trials, so workers finish
    // together. Grid ids and seeds do not depend on this order, so neither do the results.
    const queue = [...todo].sort((a, b) => b.candidate.macs - a.candidate.macs || a.candidate.index - b.candidate.index);
    const inFlight = new Set<Promise<void>>();
    while (queue.length > 0 || inFlight.size > 0) {
      while (inFlight.size < config.workers && queue.length > 0) {
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
      const eta = config.budget.halving;
      if (eta === null || alive.length <= eta) {
        for (const ps of alive) finish(ps, 'COMPLETE', ps.runs.get(rung)?.value ?? null);
        break;
      }
      const value = (ps: PointState): number => ps.runs.get(rung)?.value ?? Number.NaN;
      const ranked = [...alive].sort((a, b) => (isBetter(value(a), value(b), config.objective.direction) ? -1 : isBetter(value(b), value(a), config.objective.direction) ? 1 : a.candidate.index - b.candidate.index));
      const keep = Math.ceil(alive.length / eta);
      for (const ps of ranked.slice(keep)) finish(ps, 'PRUNED', null);
      members = ranked.slice(0, keep);
    }
  } finally {
    await pool.destroy();
  }
}
