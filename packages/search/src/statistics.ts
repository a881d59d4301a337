/**
 * Statistics of replicated trials (issue 12): mean, sample standard deviation, the Student-t 95% confidence
 * interval, Welch's unequal-variance t-test, and the candidates statistically tied with the best. Pure functions;
 * the t distribution is computed (regularized incomplete beta function, Numerical Recipes §6.4), not read from a
 * table, so any number of seeds and Welch's fractional degrees of freedom are exact.
 *
 * Undefined statistics are null, never NaN: one value has no standard deviation or interval, and Welch's test needs
 * two values on each side. Values must be finite numbers and a sample non-empty (a RangeError otherwise: that is a
 * caller's bug, not a user's input).
 */

/** `{ mean, std, ci95, n }`, the shape a comparison's accuracy takes in `compare.json`. */
export interface SampleSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null for one value. */
  readonly std: number | null;
  /** mean ± t(0.975, n − 1)·std/√n; null for one value; [mean, mean] when every value is the same. */
  readonly ci95: readonly [number, number] | null;
}

export interface WelchTest {
  /** (mean a − mean b) / √(var a / n a + var b / n b). */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom; null when both samples have zero variance (0 / 0). */
  readonly df: number | null;
  /** Two-sided p-value. */
  readonly p: number;
}

function checkSample(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: an empty sample has no statistics`);
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`${what}: values must be finite numbers, got ${String(v)}`);
}

export function mean(values: readonly number[]): number {
  checkSample(values, 'mean');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance (Bessel's n − 1), two passes for accuracy; null for fewer than two values. */
export function sampleVariance(values: readonly number[]): number | null {
  checkSample(values, 'variance');
  if (values.length < 2) return null;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return sum / (values.length - 1);
}

export function sampleStd(values: readonly number[]): number | null {
  const variance = sampleVariance(values);
  return variance === null ? null : Math.sqrt(variance);
}

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, 9 terms; relative error below 1e-15). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < c.length; i++) sum += (c[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes `betacf`). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0)) throw new RangeError(`I_x(a, b) needs 0 ≤ x ≤ 1 and a, b > 0, got x=${x} a=${a} b=${b}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use I_x(a, b) = 1 − I_{1−x}(b, a).
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function checkDegreesOfFreedom(df: number): void {
  if (!(df > 0 && Number.isFinite(df))) throw new RangeError(`degrees of freedom must be a positive number, got ${String(df)}`);
}

/** P(|T| ≥ |t|) for Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSidedP(t: number, df: number): number {
  checkDegreesOfFreedom(df);
  if (Number.isNaN(t)) throw new RangeError('t must be a number, got NaN');
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p: the CDF inverted by bisection to the last bit (it is increasing in t). */
export function studentTQuantile(p: number, df: number): number {
  checkDegreesOfFreedom(df);
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile needs 0 < p < 1, got ${String(p)}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let lo = 0;
  for (;;) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) return hi;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
}

/** Mean, sample standard deviation and the Student-t 95% confidence interval of the mean. */
export function summarizeSample(values: readonly number[]): SampleSummary {
  const m = mean(values);
  const std = sampleStd(values);
  if (std === null) return { n: values.length, mean: m, std: null, ci95: null };
  const half = (studentTQuantile(0.975, values.length - 1) * std) / Math.sqrt(values.length);
  return { n: values.length, mean: m, std, ci95: [m - half, m + half] };
}

/**
 * Welch's t-test of equal means without assuming equal variances (Welch 1947), two-sided. Null when either sample
 * has fewer than two values. When both have zero variance the standard error is 0: p = 1 if the means are equal,
 * else p = 0 (t = ±∞), and df is null.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest | null {
  const va = sampleVariance(a);
  const vb = sampleVariance(b);
  if (va === null || vb === null) return null;
  const difference = mean(a) - mean(b);
  const qa = va / a.length;
  const qb = vb / b.length;
  const se2 = qa + qb;
  if (se2 === 0) return difference === 0 ? { t: 0, df: null, p: 1 } : { t: Math.sign(difference) * Number.POSITIVE_INFINITY, df: null, p: 0 };
  const t = difference / Math.sqrt(se2);
  // Welch–Satterthwaite: (qa + qb)² / (qa² / (na − 1) + qb² / (nb − 1)).
  const df = se2 ** 2 / (qa ** 2 / (a.length - 1) + qb ** 2 / (b.length - 1));
  return { t, df, p: studentTTwoSidedP(t, df) };
}

export interface Replicates<Id> {
  readonly id: Id;
  readonly values: readonly number[];
}

export interface TiedWithBest<Id> {
  /** The best by mean (the first listed among equal means). */
  readonly best: Id;
  /** Not significantly different from the best: Welch's p ≥ alpha. */
  readonly tied: readonly Id[];
  /** Significantly worse than the best: p < alpha. */
  readonly separated: readonly Id[];
  /** Welch's test is undefined (fewer than two values on a side): neither tied nor separated. */
  readonly untestable: readonly Id[];
}

/**
 * The candidates not significantly worse than the best by mean (issue 12: "the best is statistically tied with N
 * others"): each compared with the best by Welch's two-sided test at level alpha (default 0.05).
 */
export function tiedWithBest<Id>(candidates: readonly Replicates<Id>[], direction: 'maximize' | 'minimize' = 'maximize', alpha = 0.05): TiedWithBest<Id> {
  const first = candidates[0];
  if (first === undefined) throw new RangeError('tiedWithBest: no candidates');
  const means = candidates.map((c) => mean(c.values));
  const better = (x: number, y: number): boolean => (direction === 'maximize' ? x > y : x < y);
  let bestIndex = 0;
  means.forEach((m, i) => {
    if (better(m, means[bestIndex] ?? m)) bestIndex = i;
  });
  const best = candidates[bestIndex] ?? first;
  const tied: Id[] = [];
  const separated: Id[] = [];
  const untestable: Id[] = [];
  candidates.forEach((c, i) => {
    if (i === bestIndex) return;
    const test = welchTest(best.values, c.values);
    if (test === null) untestable.push(c.id);
    else if (test.p >= alpha) tied.push(c.id);
    else separated.push(c.id);
  });
  return { best: best.id, tied, separated, untestable };
}
