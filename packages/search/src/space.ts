/**
 * The α, β, γ search space of compound scaling (Tan & Le 2019, §3.3): a lattice of coefficients ≥ 1 kept when
 * α·β²·γ² is within a tolerance of the target c (boundary included, decided in exact decimal arithmetic), or with
 * γ solved from α and β so that the constraint holds exactly.
 */
import { LIMITS, limitExceeded } from '@scalelab/arch';
import type { LimitName } from '@scalelab/arch';
import { decimalPlaces, decimalScale, latticeCount, latticeValues, units } from './lattice.js';
import { SearchError } from './errors.js';

export interface CoefficientRange {
  readonly min: number;
  readonly max: number;
}

export type SpaceMode = 'tolerance' | 'solve';

export interface SearchSpace {
  readonly alpha: CoefficientRange;
  readonly beta: CoefficientRange;
  readonly gamma: CoefficientRange;
  readonly step: number;
  /** c in α·β²·γ² ≈ c: the cost multiplier per unit of φ (2 in the paper). */
  readonly target: number;
  readonly mode: SpaceMode;
  /** |α·β²·γ² − c| ≤ tolerance keeps a point (tolerance mode). */
  readonly tolerance: number;
  /** The compound coefficient φ at which candidates are trained (1 in the paper's step 1). */
  readonly phi: number;
}

export const DEFAULT_SPACE: SearchSpace = {
  alpha: { min: 1, max: 2 },
  beta: { min: 1, max: 1.5 },
  gamma: { min: 1, max: 1.5 },
  step: 0.05,
  target: 2,
  mode: 'tolerance',
  tolerance: 0.1,
  phi: 1,
};

/** Decimal places of a solved γ: 1e-4 of a 224-px input is 0.02 px, below what resolution rounding can see. */
export const SOLVED_GAMMA_DECIMALS = 4;

export interface GridPoint {
  /** Stable and readable: the same config gives the same ids in the same order (`a1.20-b1.10-g1.15`). */
  readonly id: string;
  /** Position in grid order (α, then β, then γ ascending). */
  readonly index: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  /** α·β²·γ², the nominal cost multiplier at φ = 1. */
  readonly nominalCost: number;
}

function checkSpaceLimit(name: LimitName, value: number, subject: string): void {
  const message = limitExceeded(name, value, subject);
  if (message !== null) throw new SearchError('LIMIT_EXCEEDED', message);
}

/** Lattice points before the constraint filters them (α × β × γ, or α × β when γ is solved). */
export function latticeSize(space: SearchSpace): number {
  const count = (r: CoefficientRange): number => latticeCount(r.min, r.max, space.step);
  return count(space.alpha) * count(space.beta) * (space.mode === 'solve' ? 1 : count(space.gamma));
}

/** Every check of a space, cheap and before any point is enumerated: values, ranges and ScaleLab's limits. */
export function validateSpace(space: SearchSpace): void {
  const bad = (message: string): never => {
    throw new SearchError('BAD_SPACE', message);
  };
  for (const name of ['alpha', 'beta', 'gamma'] as const) {
    const { min, max } = space[name];
    if (!Number.isFinite(min) || !Number.isFinite(max)) bad(`${name} range must be numbers, got ${min}:${max}`);
    if (min < 1) bad(`${name} min must be at least 1 (compound scaling has α, β, γ ≥ 1), got ${min}`);
    if (min > max) bad(`${name} range min > max: ${min}:${max}`);
    checkSpaceLimit('coefficient', max, `the ${name} range's max`);
    if (decimalPlaces(min) > 6) bad(`${name} min must have at most 6 decimal places, got ${min}`);
  }
  if (!(Number.isFinite(space.step) && space.step > 0)) bad(`step must be a positive number, got ${space.step}`);
  if (decimalPlaces(space.step) > 6) bad(`step must have at most 6 decimal places, got ${space.step}`);
  if (!(Number.isFinite(space.target) && space.target >= 1)) bad(`target c must be a number ≥ 1, got ${space.target}`);
  checkSpaceLimit('target', space.target, 'the target c');
  if (decimalPlaces(space.target) > 6) bad(`target c must have at most 6 decimal places, got ${space.target}`);
  if (!(Number.isFinite(space.tolerance) && space.tolerance >= 0)) bad(`tolerance must be a number ≥ 0, got ${space.tolerance}`);
  if (space.tolerance > space.target) bad(`tolerance must be at most the target c (${space.target}), got ${space.tolerance}`);
  if (decimalPlaces(space.tolerance) > 6) bad(`tolerance must have at most 6 decimal places, got ${space.tolerance}`);
  if (!Number.isFinite(space.phi) || space.phi <= 0) bad(`phi must be a positive number, got ${space.phi}`);
  checkSpaceLimit('phi', space.phi, 'φ');
  checkSpaceLimit('latticePoints', latticeSize(space), `the lattice (step ${space.step} over α ${space.alpha.min}:${space.alpha.max}, β ${space.beta.min}:${space.beta.max}${space.mode === 'solve' ? '' : `, γ ${space.gamma.min}:${space.gamma.max}`})`);
}

function formatCoefficient(x: number, places: number): string {
  return x.toFixed(places);
}

/**
 * Every feasible point of the space, in grid order. Throws NO_FEASIBLE_POINT when the constraint keeps none,
 * naming the cost range the lattice spans so the user sees how far off the target is.
 */
export function gridCandidates(space: SearchSpace): GridPoint[] {
  validateSpace(space);
  const alphas = latticeValues(space.alpha.min, space.alpha.max, space.step);
  const betas = latticeValues(space.beta.min, space.beta.max, space.step);
  const places = Math.max(2, decimalPlaces(space.step), decimalPlaces(space.alpha.min), decimalPlaces(space.beta.min), decimalPlaces(space.gamma.min));
  const points: GridPoint[] = [];
  const push = (alpha: number, beta: number, gamma: number, gammaPlaces: number): void => {
    // Stop counting past the limit: a huge grid is refused without enumerating all of it.
    if (points.length >= LIMITS.gridPoints.max) {
      const { max, what } = LIMITS.gridPoints;
      throw new SearchError('LIMIT_EXCEEDED', `the grid has more than ${max.toLocaleString('en-US')} feasible points, over ScaleLab's limit of ${max.toLocaleString('en-US')} ${what}`);
    }
    points.push({
      id: `a${formatCoefficient(alpha, places)}-b${formatCoefficient(beta, places)}-g${formatCoefficient(gamma, gammaPlaces)}`,
      index: points.length,
      alpha,
      beta,
      gamma,
      nominalCost: alpha * beta ** 2 * gamma ** 2,
    });
  };
  if (space.mode === 'solve') {
    const gammaUnit = 10 ** SOLVED_GAMMA_DECIMALS;
    for (const alpha of alphas) {
      for (const beta of betas) {
        const exact = Math.sqrt(space.target / (alpha * beta ** 2));
        const gamma = Math.round(exact * gammaUnit) / gammaUnit;
        if (gamma >= Math.max(1, space.gamma.min) && gamma <= space.gamma.max) push(alpha, beta, gamma, SOLVED_GAMMA_DECIMALS);
      }
    }
  } else {
    const gammas = latticeValues(space.gamma.min, space.gamma.max, space.step);
    const scale = decimalScale(space.alpha.min, space.beta.min, space.gamma.min, space.step, space.target, space.tolerance);
    const s4 = BigInt(scale) ** 4n;
    const lo = (units(space.target, scale) - units(space.tolerance, scale)) * s4;
    const hi = (units(space.target, scale) + units(space.tolerance, scale)) * s4;
    for (const alpha of alphas) {
      for (const beta of betas) {
        for (const gamma of gammas) {
          // α·β²·γ² in units of scale⁻⁵, compared exactly: a point on the boundary counts as feasible.
          const b = units(beta, scale);
          const g = units(gamma, scale);
          const cost = units(alpha, scale) * b * b * g * g;
          if (cost >= lo && cost <= hi) push(alpha, beta, gamma, places);
        }
      }
    }
  }
  if (points.length === 0) {
    const costAt = (a: number, b: number, g: number): number => a * b * b * g * g;
    const least = costAt(space.alpha.min, space.beta.min, space.gamma.min);
    const most = costAt(space.alpha.max, space.beta.max, space.gamma.max);
    const rule = space.mode === 'solve' ? `γ = √(c/(α·β²)) within ${space.gamma.min}:${space.gamma.max}` : `|α·β²·γ² − ${space.target}| ≤ ${space.tolerance}`;
    throw new SearchError('NO_FEASIBLE_POINT', `no feasible point: no (α, β, γ) on the lattice (step ${space.step}) satisfies ${rule}; the ranges span α·β²·γ² from ${least.toFixed(3)} to ${most.toFixed(3)}`);
  }
  return points;
}

/** The lattice values a coefficient can take (for the journal's FloatDistribution): low, high, step. */
export function coefficientDistribution(space: SearchSpace, name: 'alpha' | 'beta' | 'gamma'): { low: number; high: number; step: number | null } {
  if (name === 'gamma' && space.mode === 'solve') return { low: space.gamma.min, high: space.gamma.max, step: null };
  const values = latticeValues(space[name].min, space[name].max, space.step);
  return { low: values[0] ?? space[name].min, high: values[values.length - 1] ?? space[name].max, step: space.step };
}
