/**
 * A strategy's network at a cost target. The cost multiplier s is the target itself (`nominal`: d·w²·r² = target,
 * as the papers compare) or the s whose *realized* MACs ratio — after channels, repeats and resolution are rounded
 * by `scaleSpec` and `expandNetwork`, once — is closest to the target (`realized`, the default). On EfficientNet-B0,
 * `fast` at a nominal 2× adds a block to every stage (ceil of repeats) and costs ~3×: comparing at nominal cost
 * compares networks of different cost.
 *
 * The realized ratio is a step function of s. Every strategy's exponents are ≥ 0 (compound's α, β, γ ≥ 1, fast's
 * a ∈ [0, 1], exp's e ≥ 0 are enforced in arch), so d, w and r never shrink as s grows, and each rounded quantity —
 * channels (`roundFilters`, the 0.9 guard included), repeats (ceil), pixels (round) and hence the spatial sizes
 * (ceil of size / stride) — is nondecreasing in s: so is the ratio. A bisection on ln s therefore finds the crossing
 * of the target (to 1e-10 in ln s); the steps just below and just above it are the two candidates, and no other step
 * can be closer (but for one narrower than 1e-10 in ln s, which the bisection could pass over).
 */
import { ArchError, scaleSpec, strategyMultipliers } from '@scalelab/arch';
import type { GivenStrategy, Multipliers, NetworkSpec } from '@scalelab/arch';
import { AnalyzerError } from './errors.js';
import { analyzeSpec } from './spec-analysis.js';

/** How s is chosen for a target: the target itself, or the s whose realized MACs ratio is closest to it. */
export type CostMatch = 'realized' | 'nominal';
export const COST_MATCHES: readonly CostMatch[] = ['realized', 'nominal'];

/** One strategy at one cost target: the continuous multipliers, the network they round to, and its exact cost. */
export interface StrategyPoint {
  /** As given (`fast`, `compound:1.2,1.1,1.15`). */
  readonly strategy: string;
  readonly target: number;
  /** The cost multiplier the multipliers come from: d·w²·r² = s. */
  readonly s: number;
  /** Realized matching: every s in this interval rounds to the same MACs (s is its geometric middle). */
  readonly sInterval: readonly [number, number] | null;
  /** Continuous, before rounding. */
  readonly multipliers: Multipliers;
  /** Input pixels after rounding. */
  readonly resolution: number;
  /** Total parameters (trainable and not). */
  readonly params: number;
  readonly macs: number;
  readonly activations: number;
  /** MACs over the baseline's MACs. */
  readonly macsRatio: number;
}

type Priced = Omit<StrategyPoint, 'strategy' | 'target' | 'sInterval'>;

/** The priced network at one s, or the side of ScaleLab's limits s fell off. */
type Probe = { readonly kind: 'priced'; readonly point: Priced } | { readonly kind: 'too small' | 'too large'; readonly reason: string };

/** The search looks for s within this factor of the target either way: far more than rounding moves cost. */
const SEARCH_FACTOR = 64;
/** Bisections on u = ln s stop at this width: s to 10 significant digits, far finer than any step of the ratio. */
const U_RESOLUTION = 1e-10;
/** The first stride (in ln s) of the search for a step's far end. */
const FIRST_STRIDE = 1e-3;

function price(baseline: NetworkSpec, given: GivenStrategy, s: number, baselineMacs: number): Priced {
  const multipliers = strategyMultipliers(given.strategy, s);
  const a = analyzeSpec(scaleSpec(baseline, multipliers));
  return { s, multipliers, resolution: a.resolution, params: a.params.total, macs: a.macs, activations: a.activations, macsRatio: a.macs / baselineMacs };
}

function pointOf(given: GivenStrategy, target: number, priced: Priced, sInterval: StrategyPoint['sInterval']): StrategyPoint {
  const { s, ...cost } = priced;
  return { strategy: given.text, target, s, sInterval, ...cost };
}

function probe(baseline: NetworkSpec, given: GivenStrategy, s: number, baselineMacs: number): Probe {
  try {
    return { kind: 'priced', point: price(baseline, given, s, baselineMacs) };
  } catch (e) {
    // With exponents ≥ 0, a resolution rounding to nothing means s is too small; a limit (pixels, blocks, channels,
    // MACs) means it is too large. The search treats both as the edge of what can be built.
    if (e instanceof ArchError && e.code === 'BAD_RESOLUTION') return { kind: 'too small', reason: e.message };
    if (e instanceof ArchError && e.code === 'LIMIT_EXCEEDED') return { kind: 'too large', reason: e.message };
    throw e;
  }
}

/** The realized ratio as a nondecreasing function of u = ln s: −∞ where too small to build, +∞ where too large. */
class RatioCurve {
  private readonly probes = new Map<number, Probe>();
  constructor(private readonly at: (s: number) => Probe) {}

  probe(u: number): Probe {
    let p = this.probes.get(u);
    if (p === undefined) this.probes.set(u, (p = this.at(Math.exp(u))));
    return p;
  }

  ratio(u: number): number {
    const p = this.probe(u);
    return p.kind === 'priced' ? p.point.macsRatio : p.kind === 'too small' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  /**
   * Bisection between `inside` (where `keep` holds) and `outside` (where it does not), to within U_RESOLUTION: the
   * last u found where it holds and the first where it does not.
   */
  boundary(inside: number, outside: number, keep: (ratio: number) => boolean): readonly [number, number] {
    let [a, b] = [inside, outside];
    while (Math.abs(b - a) > U_RESOLUTION) {
      const mid = (a + b) / 2;
      if (mid === a || mid === b) break;
      if (keep(this.ratio(mid))) a = mid;
      else b = mid;
    }
    return [a, b];
  }

  /**
   * The far end of u's step (where the ratio stays what it is at u) toward `limit`: strides grow geometrically from
   * FIRST_STRIDE until the ratio changes (on EfficientNet-B0 the chosen steps are 0.1% to 25% of s wide), then a
   * bisection.
   */
  stepEnd(u: number, limit: number): number {
    const value = this.ratio(u);
    const same = (r: number): boolean => r === value;
    const direction = Math.sign(limit - u);
    let inside = u;
    for (let stride = FIRST_STRIDE; ; stride *= 2) {
      const next = u + direction * stride;
      if (direction * (next - limit) >= 0) return same(this.ratio(limit)) ? limit : this.boundary(inside, limit, same)[0];
      if (!same(this.ratio(next))) return this.boundary(inside, next, same)[0];
      inside = next;
    }
  }
}

/** Is ratio a closer to the target than b (relative distance; a tie goes to the cheaper)? */
function closer(a: number, b: number, target: number): boolean {
  const da = Math.abs(a / target - 1);
  const db = Math.abs(b / target - 1);
  return da < db || (da === db && a < b);
}

function matchRealized(baseline: NetworkSpec, given: GivenStrategy, target: number, baselineMacs: number): StrategyPoint {
  const curve = new RatioCurve((s) => probe(baseline, given, s, baselineMacs));
  const unreachable = (detail: string): AnalyzerError =>
    new AnalyzerError('UNREACHABLE_TARGET', `strategy '${given.text}' cannot reach ${target}× the MACs of ${baseline.name}: ${detail}`);
  const why = (u: number): string => {
    const p = curve.probe(u);
    return p.kind === 'priced' ? `at s = ${p.point.s.toPrecision(4)} it costs ${p.point.macsRatio.toPrecision(4)}×` : p.reason;
  };
  const lo = Math.log(target / SEARCH_FACTOR);
  const hi = Math.log(target * SEARCH_FACTOR);
  // Only a target between two buildable networks is matched: one just below it and one at or above it.
  if (curve.ratio(lo) >= target) throw unreachable(`even s = target ÷ ${SEARCH_FACTOR} is too costly (${why(lo)})`);
  if (curve.ratio(hi) < target) throw unreachable(`even s = target × ${SEARCH_FACTOR} is too cheap (${why(hi)})`);
  const [below, above] = curve.boundary(lo, hi, (r) => r < target);
  for (const u of [below, above]) if (!Number.isFinite(curve.ratio(u))) throw unreachable(why(u));
  // The crossing is one end of the chosen step; its other end is searched.
  const [from, to] = closer(curve.ratio(below), curve.ratio(above), target) ? [curve.stepEnd(below, lo), below] : [above, curve.stepEnd(above, hi)];
  return pointOf(given, target, price(baseline, given, Math.exp((from + to) / 2), baselineMacs), [Math.exp(from), Math.exp(to)]);
}

/**
 * A strategy's network at a cost target, priced exactly. `realized` searches s (see the module comment); `nominal`
 * takes s = target. Errors: a network over ScaleLab's limits at the nominal s (ArchError LIMIT_EXCEEDED); a target
 * not between two buildable networks with s within ×64 of it (AnalyzerError UNREACHABLE_TARGET, naming the limit).
 */
export function matchStrategy(baseline: NetworkSpec, given: GivenStrategy, target: number, match: CostMatch, baselineMacs = analyzeSpec(baseline).macs): StrategyPoint {
  if (match === 'realized') return matchRealized(baseline, given, target, baselineMacs);
  return pointOf(given, target, price(baseline, given, target, baselineMacs), null);
}
