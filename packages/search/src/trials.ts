/**
 * The one codec of what ScaleLab keeps on a trial: the ops that write a trial's parameters, attributes, runs and
 * end (used by the runner and the benchmarks), and the typed view of a replayed trial that the summary and the
 * report read. One place names the attributes, so writers and readers cannot drift apart.
 */
import { OP, floatDistributionJson, optunaDatetime, TRIAL_STATE } from './storage/journal-ops.js';
import type { FinishedState, JsonObject, JsonValue, OpFields, TrialStateName } from './storage/journal-ops.js';
import type { StudyRecord, TrialRecord } from './storage/replay.js';
import type { TrialTemplate } from './storage/journal-storage.js';
import { emptyLedger, failedAttemptKey } from './storage/ledger.js';
import type { LedgerState } from './storage/ledger.js';
import { intParam } from './points.js';
import type { StudyPoint } from './points.js';

/** One training run of a candidate at one budget (one rung of successive halving, or the only run). */
export interface RunRecord {
  readonly rung: number;
  readonly epochs: number;
  readonly steps: number;
  readonly value: number;
  readonly accuracy: number;
  readonly loss: number;
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
  readonly backend: string;
  readonly latencyMs: number | null;
  /** Per image at batch 32 (absent in runs recorded before it was measured). */
  readonly latencyBatchMs?: number | null;
  /** CPU seconds of the run's thread (absent in runs recorded before it was measured; null where unmeasured). */
  readonly cpuSeconds?: number | null;
  readonly curve: readonly { readonly epoch: number; readonly accuracy: number; readonly loss: number }[];
}

export const RUN_ATTR_PREFIX = 'rung_';

/** Why a trial left RUNNING by a stopped search is closed as FAIL on resume (not the trial's own failure). */
export const INTERRUPTED_ERROR = 'interrupted: the search stopped while this trial ran (crash or kill); its grid point runs again';

/** Why a trial is closed when another trial already finished its unit (a redelivered job): not a failure of the point. */
export const duplicateError = (unit: string, finishedBy: string): string => `duplicate: run unit ${unit} was already finished by ${finishedBy}; this run's result is not used`;

/**
 * A run unit: one point of the space and one of its seeds (`a1.20-b1.10-g1.15#7`; `#-` when the study trains one
 * seed per point and writes no seed parameter). The unit, not the trial, is what is finished exactly once.
 */
export const unitKey = (gridId: string, seedParam: number | null): string => `${gridId}#${seedParam ?? '-'}`;

/** The unit a trial ran, or null for a trial without a grid point (a phantom of an old crash). */
export function trialUnit(t: TrialRecord): string | null {
  const gridId = t.userAttrs.grid_id;
  return typeof gridId === 'string' ? unitKey(gridId, t.params.seed ?? null) : null;
}

/** Does this FAIL count against `--retries`? Not when the search stopped under it, nor when it was a duplicate run. */
export function countsAsFailure(t: TrialRecord): boolean {
  return t.state === 'FAIL' && t.userAttrs.interrupted !== true && t.userAttrs.duplicate_of === undefined;
}

/** The trial ledger a replayed journal implies (for the file journal, which keeps it in memory). */
export function ledgerOf(record: StudyRecord): LedgerState {
  const ledger = emptyLedger();
  for (const t of record.trials) {
    const unit = trialUnit(t) ?? '';
    if (t.state === 'RUNNING' || t.state === 'WAITING') ledger.open.set(t.id, unit);
    else if ((t.state === 'COMPLETE' || t.state === 'PRUNED') && !ledger.finished.has(unit)) ledger.finished.set(unit, t.id);
    else if (countsAsFailure(t) && typeof t.userAttrs.attempt === 'number') ledger.failed.set(failedAttemptKey(unit, t.userAttrs.attempt), t.id);
  }
  return ledger;
}

export interface FloatDistribution {
  readonly low: number;
  readonly high: number;
  readonly step: number | null;
}

export const paramOp = (trialId: number, name: string, value: number, d: FloatDistribution): OpFields =>
  ({ op_code: OP.SET_TRIAL_PARAM, trial_id: trialId, param_name: name, param_value_internal: value, distribution: floatDistributionJson(d.low, d.high, d.step) });

/** Optuna asserts one attribute per line. */
export const userAttrOps = (trialId: number, attrs: Readonly<Record<string, JsonValue>>): OpFields[] =>
  Object.entries(attrs).map(([key, value]) => ({ op_code: OP.SET_TRIAL_USER_ATTR, trial_id: trialId, user_attr: { [key]: value } }));

export const studyAttrOps = (attrs: Readonly<Record<string, JsonValue>>): OpFields[] =>
  Object.entries(attrs).map(([key, value]) => ({ op_code: OP.SET_STUDY_USER_ATTR, study_id: 0, user_attr: { [key]: value } }));

/** COMPLETE with its value, or PRUNED / FAIL (no value). */
export const finishOp = (trialId: number, state: FinishedState, value: number | null, end = new Date()): OpFields =>
  ({ op_code: OP.SET_TRIAL_STATE_VALUES, trial_id: trialId, state: TRIAL_STATE[state], values: value === null ? null : [value], datetime_complete: optunaDatetime(end) });

/**
 * A point's trial as it is created, in one line: the point's parameters (and `seed` when the study trains several
 * seeds per point), its attributes, and the attempt (earlier failures of this point and seed).
 */
export function pointTemplate(point: StudyPoint, seed: { readonly value: number; readonly low: number; readonly high: number } | null, attempt: number, resumedFrom: number | null, start = new Date()): TrialTemplate {
  return {
    datetimeStart: optunaDatetime(start),
    params: { ...point.journalParams, ...(seed === null ? {} : { seed: intParam(seed.value, seed.low, seed.high) }) },
    userAttrs: { ...point.attrs, attempt, ...(resumedFrom === null ? {} : { resumed_from: resumedFrom }) },
  };
}

/** One point of a learning curve: Optuna's intermediate value at step = epoch. */
export const intermediateOp = (trialId: number, epoch: number, accuracy: number): OpFields =>
  ({ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: trialId, step: epoch, intermediate_value: accuracy });

/** A run's record (kept whole under `rung_<r>`), its learning curve as intermediate values, and its headline metrics. */
export function runOps(trialId: number, run: RunRecord, options: { readonly record: boolean; readonly curve?: boolean }): OpFields[] {
  return [
    ...(options.record ? userAttrOps(trialId, { [`${RUN_ATTR_PREFIX}${run.rung}`]: run as unknown as JsonValue }) : []),
    ...(options.curve === false ? [] : run.curve.map((p) => intermediateOp(trialId, p.epoch, p.accuracy))),
    ...userAttrOps(trialId, {
      accuracy: run.accuracy,
      loss: run.loss,
      backend: run.backend,
      epochs: run.epochs,
      steps: run.steps,
      train_seconds: run.trainSeconds,
      images_per_second: run.imagesPerSecond,
      ...(run.latencyMs === null ? {} : { latency_ms: run.latencyMs }),
      ...(run.latencyBatchMs === undefined || run.latencyBatchMs === null ? {} : { latency_batch_ms: run.latencyBatchMs }),
      ...(run.cpuSeconds === undefined || run.cpuSeconds === null ? {} : { cpu_seconds: run.cpuSeconds }),
    }),
  ];
}

/** A failed trial: its error, then FAIL. */
export const failOps = (trialId: number, error: string, interrupted = false): OpFields[] =>
  [...userAttrOps(trialId, { error, ...(interrupted ? { interrupted: true } : {}) }), finishOp(trialId, 'FAIL', null)];

/** A duplicate run closed as FAIL, marked so it never counts as the point's failure. */
export const duplicateOps = (trialId: number, unit: string, finishedBy: string): OpFields[] =>
  [...userAttrOps(trialId, { error: duplicateError(unit, finishedBy), duplicate_of: unit }), finishOp(trialId, 'FAIL', null)];

/** One trial, typed from its journal params and user attributes (null where a foreign or older journal lacks a field). */
export interface TrialView {
  readonly id: number;
  readonly state: TrialStateName;
  readonly gridId: string;
  readonly gridIndex: number;
  /** The replicate's seed (the `seed` parameter of studies that train several seeds per point), else null. */
  readonly seed: number | null;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly value: number | null;
  readonly accuracy: number | null;
  readonly loss: number | null;
  readonly macs: number | null;
  readonly params: number | null;
  readonly activations: number | null;
  readonly nominalCost: number | null;
  readonly macsRatio: number | null;
  readonly width: number | null;
  readonly depth: number | null;
  readonly resolution: number | null;
  readonly latencyMs: number | null;
  readonly latencyBatchMs: number | null;
  readonly imagesPerSecond: number | null;
  /** A comparison's strategy (as given) and cost target; null in a coefficient search. */
  readonly strategy: string | null;
  readonly target: number | null;
  readonly backend: string | null;
  readonly error: string | null;
  /** Closed as FAIL on resume because the search stopped while it ran (not the trial's failure). */
  readonly interrupted: boolean;
  /** Closed as FAIL because another trial had already finished its unit (a redelivered job): the unit, else null. */
  readonly duplicateOf: string | null;
  readonly trainSeconds: number | null;
  /** CPU seconds of the thread that trained the trial's last run (as train_seconds: the last run's), else null. */
  readonly cpuSeconds: number | null;
  /** Test accuracy by epoch (the journal's intermediate values). */
  readonly curve: readonly { readonly epoch: number; readonly accuracy: number }[];
  readonly runs: readonly RunRecord[];
  readonly datetimeStart: string | null;
  readonly datetimeComplete: string | null;
}

const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

function isRunRecord(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as JsonObject).value === 'number' && typeof (v as JsonObject).rung === 'number';
}

/** The runs recorded on a trial, by rung. */
export function trialRuns(userAttrs: Readonly<Record<string, JsonValue>>): RunRecord[] {
  return Object.entries(userAttrs)
    .filter(([k, v]) => k.startsWith(RUN_ATTR_PREFIX) && isRunRecord(v))
    .map(([, v]) => v as unknown as RunRecord)
    .sort((a, b) => a.rung - b.rung);
}

/** A journal trial as ScaleLab reads it: grid point, coefficients, state, value, cost, curve and run metrics, typed. */
export function trialView(t: TrialRecord): TrialView {
  const u = t.userAttrs;
  const runs = trialRuns(u);
  return {
    id: t.id,
    state: t.state,
    gridId: str(u.grid_id) ?? `trial-${t.id}`,
    gridIndex: num(u.grid_index) ?? -1,
    seed: t.params.seed ?? null,
    alpha: t.params.alpha ?? Number.NaN,
    beta: t.params.beta ?? Number.NaN,
    gamma: t.params.gamma ?? Number.NaN,
    value: t.value,
    accuracy: num(u.accuracy),
    loss: num(u.loss),
    macs: num(u.macs),
    params: num(u.params),
    activations: num(u.activations),
    nominalCost: num(u.nominal_cost),
    macsRatio: num(u.macs_ratio),
    width: num(u.width),
    depth: num(u.depth),
    resolution: num(u.resolution),
    latencyMs: num(u.latency_ms),
    latencyBatchMs: num(u.latency_batch_ms),
    imagesPerSecond: num(u.images_per_second),
    strategy: str(u.strategy),
    target: num(u.target),
    backend: str(u.backend),
    error: str(u.error),
    interrupted: u.interrupted === true,
    duplicateOf: str(u.duplicate_of),
    trainSeconds: num(u.train_seconds),
    cpuSeconds: num(u.cpu_seconds),
    curve: [...t.intermediate.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, accuracy]) => ({ epoch, accuracy })),
    runs,
    datetimeStart: t.datetimeStart,
    datetimeComplete: t.datetimeComplete,
  };
}
