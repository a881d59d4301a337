/**
 * One trial's life, the same in a local search and in `scalelab worker`: create the trial (one CREATE_TRIAL line,
 * open in the ledger) → train on an executor, journaling each epoch's accuracy as it is measured → record the run
 * → close it (COMPLETE, PRUNED or FAIL) through the ledger, which keeps the close exactly-once per unit.
 *
 * What differs between the two callers is only who decides what runs next (the local runner, or the queue) and
 * whether a heartbeat is needed (a file journal has one writer; Redis trials are held by a heartbeat that expires
 * when the worker dies).
 */
import { join } from 'node:path';
import type { BackendName, Dataset } from '@scalelab/engine';
import type { StudyConfig } from './config.js';
import type { TrialExecutor } from './executors/executor.js';
import type { Objective } from './objective.js';
import { rungBudget } from './pruners/successive-halving.js';
import { trainingSeed } from './points.js';
import type { StudyPoint } from './points.js';
import type { JsonValue } from './storage/journal-ops.js';
import type { CloseOutcome, JournalStorage, TrialStatus } from './storage/journal-storage.js';
import type { TrialOutcome, TrialTask } from './trial-worker.js';
import { duplicateOps, failOps, finishOp, intermediateOp, pointTemplate, runOps, unitKey, userAttrOps } from './trials.js';
import type { RunRecord } from './trials.js';

/** One unit to run: a point, one of its seeds, and how often it failed before (the attempt). */
export interface RunUnit {
  readonly point: StudyPoint;
  /** 0…seeds−1; the seed parameter is the study seed + replicate. */
  readonly replicate: number;
  /** Earlier failures of this unit that count against `--retries`: the attempt number. */
  readonly failures: number;
  /** The interrupted trial this one reruns, if any. */
  readonly resumedFrom: number | null;
}

export interface TrialContext {
  readonly config: StudyConfig;
  readonly objective: Objective;
  readonly storage: JournalStorage;
  readonly executor: TrialExecutor;
  /** The dataset in shared memory, handed to every trial (`sharedStudyData`); absent: each thread loads its own. */
  readonly data?: Dataset;
  /** Keep every trained model under this folder, as `trial-<id>/` (`keepBestModel` keeps the best); absent: none. */
  readonly saveModelsIn?: string;
}

/** The folder a trial's model is saved in, under `TrialContext.saveModelsIn`. */
export function trialModelDir(saveModelsIn: string, trialId: number): string {
  return join(saveModelsIn, `trial-${trialId}`);
}

/** The seed parameter of a replicate (only studies with several seeds per point write one). */
export function seedParam(config: StudyConfig, replicate: number): { value: number; low: number; high: number } | null {
  return config.seeds > 1 ? { value: config.seed + replicate, low: config.seed, high: config.seed + config.seeds - 1 } : null;
}

export function runUnitKey(config: StudyConfig, point: StudyPoint, replicate: number): string {
  return unitKey(point.id, seedParam(config, replicate)?.value ?? null);
}

/** The budget of rung r of this study (successive halving; rung 0 is the base budget). */
export function studyRungBudget(config: StudyConfig, rung: number): { epochs: number | null; steps: number | null } {
  return rungBudget(config.budget, config.budget.halving, rung);
}

/**
 * Create the unit's trial. `carried` are runs an interrupted trial finished before it stopped (deterministic: same
 * seed), carried over rather than rerun; `attrs` are extra attributes (a worker's job id and delivery).
 */
export async function openTrial(ctx: TrialContext, unit: RunUnit, carried: readonly RunRecord[] = [], attrs: Readonly<Record<string, JsonValue>> = {}): Promise<number> {
  const template = pointTemplate(unit.point, seedParam(ctx.config, unit.replicate), unit.failures, unit.resumedFrom);
  const id = await ctx.storage.createTrial({ ...template, userAttrs: { ...template.userAttrs, ...attrs } }, runUnitKey(ctx.config, unit.point, unit.replicate));
  const last = carried.at(-1);
  if (last !== undefined) await ctx.storage.appendToTrial(id, [...carried.flatMap((run) => runOps(id, run, { record: true, curve: false })), ...runOps(id, last, { record: false })]);
  return id;
}

export type RunResult =
  | { readonly ok: true; readonly run: RunRecord }
  /** `stopped`: the caller's signal ended it (the unit was finished elsewhere, or the trial was closed under it). */
  | { readonly ok: false; readonly error: string; readonly stopped: boolean };

function taskOf(ctx: TrialContext, trialId: number, unit: RunUnit, rung: number): TrialTask {
  const budget = studyRungBudget(ctx.config, rung);
  const { config } = ctx;
  return {
    spec: unit.point.spec,
    dataset: config.dataset,
    datasetSeed: config.seed,
    epochs: budget.epochs,
    steps: budget.steps,
    batchSize: config.budget.batchSize,
    learningRate: config.budget.learningRate,
    augment: config.budget.augment,
    seed: trainingSeed(config.seed, unit.replicate, config.seeds, unit.failures),
    backend: config.backend as BackendName | null,
    // A comparison reports inference latency for every point; a search measures it when the objective reads it.
    latency: config.comparison !== null || ctx.objective.variables.includes('latency'),
    ...(ctx.data === undefined ? {} : { data: ctx.data }),
    ...(ctx.saveModelsIn === undefined ? {} : { saveTo: trialModelDir(ctx.saveModelsIn, trialId) }),
  };
}

const isAbort = (e: unknown): boolean => e instanceof Error && (e.name === 'AbortError' || /abort/i.test(e.message));

/**
 * Train one run of an open trial at a rung. Each epoch's accuracy is appended as it arrives (in order, one append at
 * a time); the run's record and metrics follow the last of them. Nothing is written once the trial is closed.
 */
export async function trainRun(ctx: TrialContext, trialId: number, unit: RunUnit, rung: number, stop?: AbortSignal): Promise<RunResult> {
  const { config, objective, storage } = ctx;
  const written = new Set<number>();
  let appends: Promise<unknown> = Promise.resolve();
  const journalEpoch = (epoch: number, accuracy: number): void => {
    if (written.has(epoch)) return;
    written.add(epoch);
    appends = appends.then(() => storage.appendToTrial(trialId, [intermediateOp(trialId, epoch, accuracy)]));
  };
  const signals = [...(stop === undefined ? [] : [stop]), ...(config.trialTimeout === null ? [] : [AbortSignal.timeout(config.trialTimeout * 1000)])];
  let out: TrialOutcome;
  try {
    out = await ctx.executor.run(taskOf(ctx, trialId, unit, rung), signals.length === 0 ? undefined : AbortSignal.any(signals), (p) => journalEpoch(p.epoch, p.accuracy));
  } catch (e) {
    await appends;
    if (stop?.aborted === true) return { ok: false, error: 'stopped', stopped: true };
    return { ok: false, error: isAbort(e) ? `trial exceeded the trial timeout of ${config.trialTimeout} s` : e instanceof Error ? e.message : String(e), stopped: false };
  }
  for (const p of out.curve) journalEpoch(p.epoch, p.accuracy);
  await appends;
  const c = unit.point;
  const value = objective.evaluate({ accuracy: out.accuracy, loss: out.loss, macs: c.macs, params: c.params, activations: c.activations, latency: out.latencyMs ?? Number.NaN });
  if (Number.isNaN(value)) return { ok: false, error: `objective '${objective.expression}' is not a finite number for this trial (accuracy ${out.accuracy}, loss ${out.loss})`, stopped: false };
  const run: RunRecord = { rung, epochs: out.epochs, steps: out.steps, value, accuracy: out.accuracy, loss: out.loss, trainSeconds: out.trainSeconds, imagesPerSecond: out.imagesPerSecond, backend: out.backend, latencyMs: out.latencyMs, latencyBatchMs: out.latencyBatchMs, cpuSeconds: out.cpuSeconds, curve: out.curve.map((p) => ({ epoch: p.epoch, accuracy: p.accuracy, loss: p.loss })) };
  await storage.appendToTrial(trialId, [...runOps(trialId, run, { record: true, curve: false }), ...userAttrOps(trialId, { num_tensors: out.numTensors, rss_bytes: out.rssBytes })]);
  return { ok: true, run };
}

/** How a unit's trial ends. */
export type TrialEnd = { readonly state: 'COMPLETE'; readonly value: number } | { readonly state: 'PRUNED' } | { readonly state: 'FAIL'; readonly error: string };

/** Close a trial through the ledger: a unit finished (or an attempt failed) elsewhere turns this into a duplicate. */
export async function closeRun(ctx: TrialContext, trialId: number, unit: RunUnit, end: TrialEnd): Promise<CloseOutcome> {
  const key = runUnitKey(ctx.config, unit.point, unit.replicate);
  const ops = end.state === 'FAIL' ? failOps(trialId, end.error) : [finishOp(trialId, end.state, end.state === 'COMPLETE' ? end.value : null)];
  return ctx.storage.closeTrial(trialId, {
    unit: key,
    failedAttempt: end.state === 'FAIL' ? unit.failures : null,
    ops,
    duplicateOps: duplicateOps(trialId, key, end.state === 'FAIL' ? `an earlier run of attempt ${unit.failures}` : 'another trial'),
  });
}

/**
 * A run stopped because the ledger said so: its unit was finished by another trial (closed as a duplicate), or
 * the trial itself was closed under it (nothing is written).
 */
async function closeStopped(ctx: TrialContext, trialId: number, unit: RunUnit): Promise<CloseOutcome> {
  const key = runUnitKey(ctx.config, unit.point, unit.replicate);
  const ops = duplicateOps(trialId, key, 'another trial');
  return ctx.storage.closeTrial(trialId, { unit: key, failedAttempt: null, ops, duplicateOps: ops });
}

export interface WholeTrial {
  readonly trialId: number;
  readonly result: RunResult;
  readonly outcome: CloseOutcome;
  readonly seconds: number;
}

/** Keep a trial's heartbeat while it runs; `onStop` hears when the ledger says to stop (unit finished, trial closed). */
function keepAlive(storage: JournalStorage, trialId: number, everyMs: number, onStop: (status: TrialStatus) => void): () => void {
  let stopped = false;
  const beat = (): void => {
    storage.heartbeat(trialId).then(
      (status) => {
        if (status !== 'open' && !stopped) onStop(status);
      },
      // A missed beat (Redis restarting) is retried at the next one; the heartbeat's TTL spans several beats.
      () => undefined,
    );
  };
  const timer = setInterval(beat, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * A whole single-rung trial: open → train → close. With `heartbeatMs`, the trial's heartbeat is renewed while it
 * trains and training stops early when the unit is finished by someone else (the trial is then closed as a
 * duplicate) or when the trial was closed under it (a worker taken for dead: nothing more is written).
 */
export async function runWholeTrial(ctx: TrialContext, unit: RunUnit, options: { readonly attrs?: Readonly<Record<string, JsonValue>>; readonly heartbeatMs?: number; readonly onStart?: (trialId: number) => void } = {}): Promise<WholeTrial> {
  const t0 = performance.now();
  const trialId = await openTrial(ctx, unit, [], options.attrs);
  options.onStart?.(trialId);
  const stop = new AbortController();
  const release = options.heartbeatMs === undefined ? () => undefined : keepAlive(ctx.storage, trialId, options.heartbeatMs, () => stop.abort());
  let result: RunResult;
  try {
    result = await trainRun(ctx, trialId, unit, 0, stop.signal);
  } finally {
    release();
  }
  const outcome = result.ok ? await closeRun(ctx, trialId, unit, { state: 'COMPLETE', value: result.run.value }) : result.stopped ? await closeStopped(ctx, trialId, unit) : await closeRun(ctx, trialId, unit, { state: 'FAIL', error: result.error });
  return { trialId, result, outcome, seconds: (performance.now() - t0) / 1000 };
}
