/**
 * Scaling exponents: how a quantity grows with cost along one strategy. The fit is the least-squares slope of
 * ln(quantity) on ln(MACs ratio) over the strategy's points; the theory is Dollár, Singh & Girshick 2021 (§3,
 * Table 1): for a network of convolutions, flops ∝ d·w²·r², params ∝ d·w², activations ∝ d·w·r². With
 * d = s^e_d, w = s^e_w, r = s^e_r (every strategy in arch is such a power law, e_d + 2·e_w + 2·e_r = 1):
 *   params ∝ s^(e_d + 2·e_w),   activations ∝ s^(e_d + e_w + 2·e_r).
 * So depth: 1 and 1; width: 1 and ½; resolution: 0 and 1; fast:a: (1+a)/2 and 1 − a/2; compound: (ln α + 2 ln β)
 * / ln c and (ln α + ln β + 2 ln γ) / ln c with c = α·β²·γ². The theory ignores what does not scale (the stem, the
 * classifier's fixed outputs) and rounding; the fit measures both.
 *
 * `fitScalingExponents` takes any points with a strategy and a MACs ratio, so trained comparisons can add
 * quantities (latency, accuracy) with their own theory, or none.
 */
import { parseStrategy, strategyExponents } from '@scalelab/arch';
import type { Strategy } from '@scalelab/arch';
import type { StrategyPoint } from './match.js';

/** A quantity fitted against cost: how to read it from a point, and the exponent theory predicts for a strategy. */
export interface FitQuantity<P> {
  readonly name: string;
  readonly value: (point: P) => number;
  /** The predicted exponent, or null where theory predicts none. */
  readonly theory: (strategy: Strategy) => number | null;
}

export interface ScalingFit {
  /** As given in the points. */
  readonly strategy: string;
  readonly quantity: string;
  /** Least-squares slope of ln(quantity) on ln(MACs ratio); null when the points' MACs ratios do not differ. */
  readonly exponent: number | null;
  readonly theory: number | null;
  /** Points the fit used (one per target). */
  readonly points: number;
}

/** Dollár et al. 2021, Table 1: params ∝ d·w², independent of resolution. */
export function paramsExponent(strategy: Strategy): number {
  const e = strategyExponents(strategy);
  return e.depth + 2 * e.width;
}

/** Dollár et al. 2021, Table 1: activations ∝ d·w·r². */
export function activationsExponent(strategy: Strategy): number {
  const e = strategyExponents(strategy);
  return e.depth + e.width + 2 * e.resolution;
}

/** The quantities every cost-only comparison fits. */
export const COST_FIT_QUANTITIES: readonly FitQuantity<StrategyPoint>[] = [
  { name: 'params', value: (p) => p.params, theory: paramsExponent },
  { name: 'activations', value: (p) => p.activations, theory: activationsExponent },
];

/** The slope b of y = a + b·x by least squares; null for fewer than two distinct x. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] ?? 0;
    my += ys[i] ?? 0;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx;
    sxy += dx * ((ys[i] ?? 0) - my);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * One fit per strategy (in the order the points first name it) and quantity, over the strategy's points with a
 * positive value; a strategy with fewer than two such points gets none.
 */
export function fitScalingExponents<P extends { readonly strategy: string; readonly macsRatio: number }>(points: readonly P[], quantities: readonly FitQuantity<P>[]): ScalingFit[] {
  const byStrategy = new Map<string, P[]>();
  for (const p of points) byStrategy.set(p.strategy, [...(byStrategy.get(p.strategy) ?? []), p]);
  const fits: ScalingFit[] = [];
  for (const [text, group] of byStrategy) {
    const strategy = parseStrategy(text);
    for (const q of quantities) {
      const usable = group.filter((p) => p.macsRatio > 0 && q.value(p) > 0);
      if (usable.length < 2) continue;
      const exponent = leastSquaresSlope(usable.map((p) => Math.log(p.macsRatio)), usable.map((p) => Math.log(q.value(p))));
      fits.push({ strategy: text, quantity: q.name, exponent, theory: q.theory(strategy), points: usable.length });
    }
  }
  return fits;
}
