/**
 * What ScaleLab keeps on a trial, as journal user attributes, and the typed view of a replayed trial that the
 * summary and the report read. One place names the attributes, so writer and readers cannot drift apart.
 */
import type { JsonObject, JsonValue, TrialStateName } from './journal/format.js';
import type { TrialRecord } from './journal/replay.js';

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
  readonly curve: readonly { readonly epoch: number; readonly accuracy: number; readonly loss: number }[];
}

export const RUN_ATTR_PREFIX = 'rung_';

export interface TrialView {
  readonly id: number;
  readonly state: TrialStateName;
  readonly gridId: string;
  readonly gridIndex: number;
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
