/**
 * A cost-only strategy comparison (issue 12, `scalelab compare` without a dataset): every strategy at every cost
 * target, priced exactly, with the fitted scaling exponents beside theory. Pure and fast (EfficientNet-B0, 5
 * strategies × 8 targets, matched on realized MACs: `npm run bench:compare`).
 */
import { checkLimit } from '@scalelab/arch';
import type { GivenStrategy, NetworkSpec } from '@scalelab/arch';
import { AnalyzerError } from './errors.js';
import { COST_FIT_QUANTITIES, fitScalingExponents } from './fits.js';
import type { ScalingFit } from './fits.js';
import { matchStrategy } from './match.js';
import type { CostMatch, StrategyPoint } from './match.js';
import { analyzeSpec } from './spec-analysis.js';

/** Targets when none are given: 2× and 4× the baseline's MACs (issue 12). */
export const DEFAULT_TARGETS: readonly number[] = [2, 4];
export const DEFAULT_COST_MATCH: CostMatch = 'realized';

export interface CostComparison {
  readonly baseline: string;
  readonly match: CostMatch;
  /** The unscaled baseline's cost, the denominator of every MACs ratio. */
  readonly baselineCost: { readonly resolution: number; readonly params: number; readonly macs: number; readonly activations: number };
  /** Strategy-major: every target of the first strategy, then the next. */
  readonly points: readonly StrategyPoint[];
  readonly fits: readonly ScalingFit[];
}

/** Targets are cost multipliers: positive, each at most once, within ScaleLab's limits. */
export function validateTargets(targets: readonly number[]): void {
  if (targets.length === 0) throw new AnalyzerError('BAD_TARGET', 'at least one cost target is needed');
  checkLimit('costTargets', targets.length, 'the number of cost targets');
  const seen = new Set<number>();
  for (const target of targets) {
    if (!(Number.isFinite(target) && target > 0)) throw new AnalyzerError('BAD_TARGET', `a cost target must be a positive number (× the baseline's MACs), got ${String(target)}`);
    checkLimit('costTarget', target, 'the cost target');
    if (seen.has(target)) throw new AnalyzerError('BAD_TARGET', `cost target ${target} is listed twice`);
    seen.add(target);
  }
}

/** Every strategy scaled to every cost target (matched on realized or nominal MACs), priced, with the fitted exponents of params and activations. */
export function compareCost(baseline: NetworkSpec, strategies: readonly GivenStrategy[], targets: readonly number[], match: CostMatch = DEFAULT_COST_MATCH): CostComparison {
  validateTargets(targets);
  checkLimit('strategies', strategies.length, 'the number of strategies');
  const base = analyzeSpec(baseline);
  const points = strategies.flatMap((given) => targets.map((target) => matchStrategy(baseline, given, target, match, base.macs)));
  return {
    baseline: baseline.name,
    match,
    baselineCost: { resolution: base.resolution, params: base.params.total, macs: base.macs, activations: base.activations },
    points,
    fits: fitScalingExponents(points, COST_FIT_QUANTITIES),
  };
}
