/**
 * The one codec of what ScaleLab keeps on a trial: the ops that write a trial's parameters, attributes, runs and
 * end (used by the runner and the benchmarks), and the typed view of a replayed trial that the summary and the
 * report read. One place names the attributes, so writers and readers cannot drift apart.
 */
import { OP, floatDistributionJson, optunaDatetime, TRIAL_STATE } from './storage/journal-ops.js';
import type { FinishedState, JsonObject, JsonValue, OpFields, TrialStateName } from './storage/journal-ops.js';
import type { TrialRecord } from './storage/replay.js';
import type { TrialTemplate } from './storage/journal-storage.js';
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
  readonly curve: readonly { readonly epoch: number; readonly accuracy: number; readonly loss: number }[];
}

export const RUN_ATTR_PREFIX = 'rung_';

/** Why a trial left RUNNING by a stopped search is closed as FAIL on resume (not the trial's own failure). */
export const INTERRUPTED_ERROR = 'interrupted: the search stopped while this trial ran (crash or kill); its grid point runs again';

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

/** A run's record (kept whole under `rung_<r>`), its learning curve as intermediate values, and its headline metrics. */
export function runOps(trialId: number, run: RunRecord, options: { readonly record: boolean }): OpFields[] {
  return [
    ...(options.record ? userAttrOps(trialId, { [`${RUN_ATTR_PREFIX}${run.rung}`]: run as unknown as JsonValue }) : []),
    ...run.curve.map((p): OpFields => ({ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: trialId, step: p.epoch, intermediate_value: p.accuracy })),
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
    }),
  ];
}

/** A failed trial: its error, then FAIL. */
export const failOps = (trialId: number, error: string, interrupted = false): OpFields[] =>
  [...userAttrOps(trialId, { error, ...(interrupted ? { interrupted: true } : {}) }), finishOp(trialId, 'FAIL', null)];

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
  readonly trainSeconds: number | null;
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
    trainSeconds: num(u.train_seconds),
    curve: [...t.intermediate.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, accuracy]) => ({ epoch, accuracy })),
    runs,
    datetimeStart: t.datetimeStart,
    datetimeComplete: t.datetimeComplete,
  };
}
