/**
 * After the grid: counts by state, the best (α, β, γ) and its metrics, and the family φ = 1…K scaled from the
 * best coefficients and priced by the analyzer — beside the published B1–B7 when the baseline is EfficientNet-B0.
 * A pure function of the replayed journal, so a summary can be rebuilt from any journal at any time.
 */
import type { NetworkSpec } from '@scalelab/arch';
import { compoundFamily, publishedModel } from '@scalelab/analyzer';
import type { PublishedModel } from '@scalelab/analyzer';
import type { StudyConfig } from './config.js';
import { TRIAL_STATE_NAMES } from './storage/journal-ops.js';
import type { TrialStateName } from './storage/journal-ops.js';
import type { StudyRecord } from './storage/replay.js';
import { isBetter } from './objective.js';
import { trialView } from './trials.js';
import type { TrialView } from './trials.js';

export interface FamilyMember {
  readonly phi: number;
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
  /** (α·β²·γ²)^φ. */
  readonly nominalCost: number;
  /** MACs(φ) / MACs(baseline). */
  readonly realizedMacsRatio: number;
  readonly params: number;
  readonly macs: number;
  readonly activations: number;
  readonly published: PublishedModel | null;
}

export interface StudySummary {
  readonly study: string;
  readonly description: string;
  readonly baseline: string;
  readonly dataset: string;
  readonly objective: string;
  readonly direction: 'maximize' | 'minimize';
  readonly gridPoints: number;
  readonly trials: number;
  readonly counts: Readonly<Record<TrialStateName, number>>;
  /** Grid points that ended COMPLETE / FAIL / PRUNED, and those not finished yet. */
  readonly points: { readonly complete: number; readonly failed: number; readonly pruned: number; readonly pending: number };
  readonly best: TrialView | null;
  readonly backends: readonly string[];
  readonly family: readonly FamilyMember[];
  readonly wallSeconds: number | null;
}

/** The best COMPLETE trial under the study's direction (ties: the earlier grid point). */
export function bestTrial(trials: readonly TrialView[], direction: 'maximize' | 'minimize'): TrialView | null {
  let best: TrialView | null = null;
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || t.value === null) continue;
    if (best === null || isBetter(t.value, best.value ?? Number.NaN, direction) || (t.value === best.value && t.gridIndex < best.gridIndex)) best = t;
  }
  return best;
}

export function familyOf(fittedBaseline: NetworkSpec, rawBaseline: NetworkSpec, coefficients: { alpha: number; beta: number; gamma: number }, phiMax: number): FamilyMember[] {
  return compoundFamily(fittedBaseline, coefficients, phiMax)
    .filter((m) => m.phi >= 1)
    .map((m) => ({
      phi: m.phi,
      depth: m.multipliers.depth,
      width: m.multipliers.width,
      resolution: m.analysis.resolution,
      nominalCost: m.nominalCost,
      realizedMacsRatio: m.realizedMacsRatio,
      params: m.analysis.params.total,
      macs: m.analysis.macs,
      activations: m.analysis.activations,
      published: publishedModel(rawBaseline, m.phi) ?? null,
    }));
}

/** Seconds from the first trial's start to the last trial's end (journal datetimes). */
function wallSeconds(trials: readonly TrialView[]): number | null {
  const starts = trials.map((t) => t.datetimeStart).filter((d): d is string => d !== null).map((d) => Date.parse(`${d}Z`));
  const ends = trials.map((t) => t.datetimeComplete ?? t.datetimeStart).filter((d): d is string => d !== null).map((d) => Date.parse(`${d}Z`));
  if (starts.length === 0) return null;
  return (Math.max(...ends) - Math.min(...starts)) / 1000;
}

export function summarizeStudy(record: StudyRecord, config: StudyConfig, gridPoints: number, fittedBaseline: NetworkSpec, rawBaseline: NetworkSpec): StudySummary {
  const trials = record.trials.map(trialView);
  const counts = Object.fromEntries(TRIAL_STATE_NAMES.map((s) => [s, trials.filter((t) => t.state === s).length])) as Record<TrialStateName, number>;
  const finalByPoint = new Map<string, TrialStateName>();
  for (const t of trials) {
    if (t.state === 'COMPLETE' || t.state === 'PRUNED') finalByPoint.set(t.gridId, t.state);
  }
  const failures = new Map<string, number>();
  for (const t of trials) if (t.state === 'FAIL' && !t.interrupted && t.duplicateOf === null) failures.set(t.gridId, (failures.get(t.gridId) ?? 0) + 1);
  for (const [gridId, n] of failures) if (!finalByPoint.has(gridId) && n > config.retries) finalByPoint.set(gridId, 'FAIL');
  const stateCount = (s: TrialStateName): number => [...finalByPoint.values()].filter((v) => v === s).length;
  const best = bestTrial(trials, record.direction);
  return {
    study: record.name,
    description: config.description,
    baseline: config.baseline,
    dataset: config.dataset,
    objective: config.objective.expression,
    direction: record.direction,
    gridPoints,
    trials: trials.length,
    counts,
    points: { complete: stateCount('COMPLETE'), failed: stateCount('FAIL'), pruned: stateCount('PRUNED'), pending: gridPoints - finalByPoint.size },
    best,
    backends: [...new Set(trials.map((t) => t.backend).filter((b): b is string => b !== null))],
    family: best === null ? [] : familyOf(fittedBaseline, rawBaseline, best, config.familyMax),
    wallSeconds: wallSeconds(trials),
  };
}
