/**
 * After the grid: counts by state, the best (α, β, γ) and its metrics, and the family φ = 1…K scaled from the
 * best coefficients and priced by the analyzer — beside the published B1–B7 when the baseline is EfficientNet-B0.
 * A pure function of the replayed journal, so a summary can be rebuilt from any journal at any time.
 */
import type { NetworkSpec } from '@scalelab/arch';
import { compoundFamily, publishedModel } from '@scalelab/analyzer';
import type { PublishedModel } from '@scalelab/analyzer';
import type { StudyConfig } from './config.js';
import { TRIAL_STATE_NAMES, optunaDatetimeMs } from './storage/journal-ops.js';
import type { TrialStateName } from './storage/journal-ops.js';
import type { StudyRecord } from './storage/replay.js';
import { isBetter } from './objective.js';
import { mean, summarizeSample, tiedWithBest } from './statistics.js';
import type { SampleSummary } from './statistics.js';
import { countsAsFailure, trialUnit, trialView } from './trials.js';
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

/** One point of the space over its seeds: the statistics of its completed runs, and what it costs. */
export interface PointSummary {
  readonly gridId: string;
  readonly gridIndex: number;
  /** Comparisons: the strategy as given and the cost target. */
  readonly strategy: string | null;
  readonly target: number | null;
  /** Coefficient searches: α, β, γ. */
  readonly alpha: number | null;
  readonly beta: number | null;
  readonly gamma: number | null;
  readonly resolution: number | null;
  readonly params: number | null;
  readonly macs: number | null;
  readonly activations: number | null;
  readonly macsRatio: number | null;
  /** The objective and the test accuracy over completed seeds (mean, sample std, Student-t 95% CI, n). */
  readonly value: SampleSummary | null;
  readonly accuracy: SampleSummary | null;
  /** Means over completed seeds: training images/s, inference ms per image at batch 1 and at batch 32. */
  readonly imagesPerSecond: number | null;
  readonly latencyMs: number | null;
  readonly latencyBatchMs: number | null;
  /** Seeds of the completed runs. */
  readonly seeds: readonly number[];
}

/** With several seeds: the best point by mean, and which others Welch's test cannot tell from it (p ≥ 0.05). */
export interface BestByMean {
  readonly gridId: string;
  readonly tiedWith: readonly string[];
  readonly separated: readonly string[];
  /** Fewer than two completed seeds on a side: not tested. */
  readonly untestable: readonly string[];
}

export interface StudySummary {
  readonly study: string;
  readonly description: string;
  readonly baseline: string;
  readonly dataset: string;
  readonly objective: string;
  readonly direction: 'maximize' | 'minimize';
  readonly gridPoints: number;
  /** Runs per point (each grid point is trained with this many seeds). */
  readonly seeds: number;
  readonly trials: number;
  readonly counts: Readonly<Record<TrialStateName, number>>;
  /** Runs (grid point × seed) that ended COMPLETE / FAIL / PRUNED, and those not finished yet. */
  readonly points: { readonly complete: number; readonly failed: number; readonly pruned: number; readonly pending: number };
  /** The best completed trial; with several seeds, the best run of the best point by mean. */
  readonly best: TrialView | null;
  /** Every point with the statistics of its seeds, in grid order. */
  readonly pointSummaries: readonly PointSummary[];
  /** Several seeds: the best point by mean and the points statistically tied with it; null with one seed. */
  readonly bestByMean: BestByMean | null;
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
  const starts = trials.map((t) => t.datetimeStart).filter((d): d is string => d !== null).map(optunaDatetimeMs);
  const ends = trials.map((t) => t.datetimeComplete ?? t.datetimeStart).filter((d): d is string => d !== null).map(optunaDatetimeMs);
  if (starts.length === 0) return null;
  return (Math.max(...ends) - Math.min(...starts)) / 1000;
}

const meanOrNull = (xs: readonly (number | null)[]): number | null => {
  const finite = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return finite.length === 0 ? null : mean(finite);
};

/** Each point's completed runs summarized (a point with none still appears, its statistics null). */
export function summarizePoints(trials: readonly TrialView[]): PointSummary[] {
  const byPoint = new Map<string, TrialView[]>();
  for (const t of trials) {
    let list = byPoint.get(t.gridId);
    if (list === undefined) byPoint.set(t.gridId, (list = []));
    list.push(t);
  }
  return [...byPoint.entries()]
    .map(([gridId, ts]): PointSummary => {
      const done = ts.filter((t) => t.state === 'COMPLETE' && t.value !== null);
      const first = ts[0];
      const sample = (xs: (number | null)[]): SampleSummary | null => {
        const finite = xs.filter((x): x is number => x !== null && Number.isFinite(x));
        return finite.length === 0 ? null : summarizeSample(finite);
      };
      return {
        gridId,
        gridIndex: first?.gridIndex ?? -1,
        strategy: first?.strategy ?? null,
        target: first?.target ?? null,
        alpha: first !== undefined && Number.isFinite(first.alpha) ? first.alpha : null,
        beta: first !== undefined && Number.isFinite(first.beta) ? first.beta : null,
        gamma: first !== undefined && Number.isFinite(first.gamma) ? first.gamma : null,
        resolution: first?.resolution ?? null,
        params: first?.params ?? null,
        macs: first?.macs ?? null,
        activations: first?.activations ?? null,
        macsRatio: first?.macsRatio ?? null,
        value: sample(done.map((t) => t.value)),
        accuracy: sample(done.map((t) => t.accuracy)),
        imagesPerSecond: meanOrNull(done.map((t) => t.imagesPerSecond)),
        latencyMs: meanOrNull(done.map((t) => t.latencyMs)),
        latencyBatchMs: meanOrNull(done.map((t) => t.latencyBatchMs)),
        seeds: done.map((t) => t.seed ?? 0),
      };
    })
    .sort((a, b) => a.gridIndex - b.gridIndex);
}

/** The best point by mean objective and the points Welch's test cannot separate from it. */
export function bestByMean(trials: readonly TrialView[], direction: 'maximize' | 'minimize'): BestByMean | null {
  const replicates = summarizePoints(trials).flatMap((p) => {
    const values = trials.filter((t) => t.gridId === p.gridId && t.state === 'COMPLETE' && t.value !== null).map((t) => t.value ?? Number.NaN);
    return values.length === 0 ? [] : [{ id: p.gridId, values }];
  });
  if (replicates.length === 0) return null;
  const tied = tiedWithBest(replicates, direction);
  return { gridId: tied.best, tiedWith: tied.tied, separated: tied.separated, untestable: tied.untestable };
}

export function summarizeStudy(record: StudyRecord, config: StudyConfig, gridPoints: number, fittedBaseline: NetworkSpec, rawBaseline: NetworkSpec): StudySummary {
  const trials = record.trials.map(trialView);
  const counts = Object.fromEntries(TRIAL_STATE_NAMES.map((s) => [s, trials.filter((t) => t.state === s).length])) as Record<TrialStateName, number>;
  // A run unit is a grid point at one seed; its final state is its last COMPLETE / PRUNED, or FAIL once retries are
  // spent (the failures that count are the runner's: not interrupted, not duplicates).
  const unitOf = (t: StudyRecord['trials'][number]): string => trialUnit(t) ?? `trial-${t.id}`;
  const finalByRun = new Map<string, TrialStateName>();
  const failures = new Map<string, number>();
  for (const t of record.trials) {
    if (t.state === 'COMPLETE' || t.state === 'PRUNED') finalByRun.set(unitOf(t), t.state);
    else if (countsAsFailure(t)) failures.set(unitOf(t), (failures.get(unitOf(t)) ?? 0) + 1);
  }
  for (const [key, n] of failures) if (!finalByRun.has(key) && n > config.retries) finalByRun.set(key, 'FAIL');
  const stateCount = (s: TrialStateName): number => [...finalByRun.values()].filter((v) => v === s).length;
  const byMean = config.seeds > 1 ? bestByMean(trials, record.direction) : null;
  const best = byMean === null ? bestTrial(trials, record.direction) : bestTrial(trials.filter((t) => t.gridId === byMean.gridId), record.direction);
  const isSearch = config.comparison === null;
  return {
    study: record.name,
    description: config.description,
    baseline: config.baseline,
    dataset: config.dataset,
    objective: config.objective.expression,
    direction: record.direction,
    gridPoints,
    seeds: config.seeds,
    trials: trials.length,
    counts,
    points: { complete: stateCount('COMPLETE'), failed: stateCount('FAIL'), pruned: stateCount('PRUNED'), pending: gridPoints * config.seeds - finalByRun.size },
    best,
    pointSummaries: summarizePoints(trials),
    bestByMean: byMean,
    backends: [...new Set(trials.map((t) => t.backend).filter((b): b is string => b !== null))],
    // A journal whose best lacks coefficients (hand-edited, foreign) has no family rather than no summary.
    family: best === null || !isSearch || ![best.alpha, best.beta, best.gamma].every((c) => Number.isFinite(c) && c >= 1) ? [] : familyOf(fittedBaseline, rawBaseline, best, config.familyMax),
    wallSeconds: wallSeconds(trials),
  };
}
