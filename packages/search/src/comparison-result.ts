/**
 * A trained strategy comparison's result (`compare.json`): every (strategy, target) point at its matched cost,
 * with the statistics of its seeds — accuracy as mean, sample std, Student-t 95% CI and n; training images/s and
 * inference latency at batch 1 and 32 on the trial's backend — and the scaling exponents of params, activations,
 * latency and accuracy against realized MACs, beside theory where there is one. A pure function of the plan and the
 * summary, so it is rebuilt from the journal at any time.
 */
import { COST_FIT_QUANTITIES, fitScalingExponents } from '@scalelab/analyzer';
import type { CostComparison, FitQuantity, ScalingFit, StrategyPoint } from '@scalelab/analyzer';
import type { SampleSummary } from './statistics.js';
import { comparisonPointId } from './points.js';
import type { BestByMean, PointSummary, StudySummary } from './summary.js';

export const COMPARE_FILE = 'compare.json';

/** A point at its matched cost (analyzer's StrategyPoint) with the statistics of its trained seeds. */
export interface ComparedPoint extends StrategyPoint {
  readonly accuracy: SampleSummary | null;
  readonly imagesPerSecond: number | null;
  readonly latencyMs: { readonly batch1: number | null; readonly batch32: number | null };
}

export interface ComparisonResult {
  readonly study: string;
  readonly baseline: string;
  readonly dataset: string;
  readonly match: CostComparison['match'];
  readonly seeds: number;
  readonly baselineCost: CostComparison['baselineCost'];
  readonly points: readonly ComparedPoint[];
  readonly fits: readonly ScalingFit[];
  /** The best point by mean accuracy and the points Welch's test cannot separate from it (null before two seeds). */
  readonly tiedWithBest: BestByMean | null;
}

type Fitted = StrategyPoint & { readonly trained: PointSummary | undefined };

/** Latency and accuracy have no closed-form theory: fitted, with theory null. */
const TRAINED_FIT_QUANTITIES: readonly FitQuantity<Fitted>[] = [
  ...COST_FIT_QUANTITIES,
  { name: 'latency', value: (p) => p.trained?.latencyMs ?? Number.NaN, theory: () => null },
  { name: 'accuracy', value: (p) => p.trained?.accuracy?.mean ?? Number.NaN, theory: () => null },
];

/** A trained comparison's result (`compare.json`): the cost comparison's points with their trained statistics and fits. */
export function comparisonResult(comparison: CostComparison, summary: StudySummary): ComparisonResult {
  const trained = new Map(summary.pointSummaries.map((p) => [p.gridId, p]));
  const fitted: Fitted[] = comparison.points.map((p) => ({ ...p, trained: trained.get(comparisonPointId(p.strategy, p.target)) }));
  return {
    study: summary.study,
    baseline: comparison.baseline,
    dataset: summary.dataset,
    match: comparison.match,
    seeds: summary.seeds,
    baselineCost: comparison.baselineCost,
    points: fitted.map(({ trained: t, ...point }) => ({
      ...point,
      accuracy: t?.accuracy ?? null,
      imagesPerSecond: t?.imagesPerSecond ?? null,
      latencyMs: { batch1: t?.latencyMs ?? null, batch32: t?.latencyBatchMs ?? null },
    })),
    fits: fitScalingExponents(fitted, TRAINED_FIT_QUANTITIES),
    tiedWithBest: summary.bestByMean,
  };
}
