import test from 'ava';
import { mean, regularizedIncompleteBeta, sampleStd, studentTCdf, studentTQuantile, studentTTwoSidedP, summarizeSample, tiedWithBest, welchTest } from './statistics.js';

const near = (a: number | null | undefined, b: number, tolerance: number): boolean => a !== null && a !== undefined && Math.abs(a - b) <= tolerance;

test('t quantiles match the published table: t(0.975, df) = 12.706, 4.303, 2.571, 2.228, 2.042 for df 1, 2, 5, 10, 30', (t) => {
  // Student's t table, two-sided 95% (e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2), printed to 3 decimals.
  for (const [df, table] of [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [10, 2.228], [20, 2.086], [30, 2.042], [100, 1.984]] as const) {
    t.true(near(studentTQuantile(0.975, df), table, 0.0005), `df ${df}: ${studentTQuantile(0.975, df)}`);
  }
  t.true(near(studentTQuantile(0.995, 10), 3.169, 0.0005)); // 99% two-sided, df 10
  t.true(near(studentTQuantile(0.025, 5), -2.571, 0.0005));
  t.is(studentTQuantile(0.5, 7), 0);
});

test('t quantiles and CDF agree with the closed forms for df 1 (Cauchy) and df 2', (t) => {
  for (const p of [0.6, 0.9, 0.975, 0.999]) {
    t.true(near(studentTQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-9 * Math.tan(Math.PI * (p - 0.5))), `df 1, p ${p}`);
    t.true(near(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-10), `df 2, p ${p}`);
  }
  for (const x of [-3, -0.5, 0, 0.7, 4]) {
    t.true(near(studentTCdf(x, 1), 0.5 + Math.atan(x) / Math.PI, 1e-14), `Cauchy CDF at ${x}`);
    t.true(near(studentTCdf(x, 2), 0.5 + x / (2 * Math.sqrt(2 + x * x)), 1e-14), `df 2 CDF at ${x}`);
  }
  // A very large df is the normal distribution: z(0.975) = 1.959964.
  t.true(near(studentTQuantile(0.975, 1e7), 1.959964, 1e-5));
});

test('the incomplete beta function at known points: I_x(1, 1) = x, I_x(a, 1) = x^a, I_½(a, a) = ½', (t) => {
  t.true(near(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-14));
  t.true(near(regularizedIncompleteBeta(0.4, 3, 1), 0.4 ** 3, 1e-14));
  t.true(near(regularizedIncompleteBeta(0.5, 7.5, 7.5), 0.5, 1e-14));
  t.is(regularizedIncompleteBeta(0, 2, 3), 0);
  t.is(regularizedIncompleteBeta(1, 2, 3), 1);
});

test('mean, sample std and the Student-t 95% interval by hand: 1…5 → 3 ± 2.776·√2.5/√5', (t) => {
  const s = summarizeSample([1, 2, 3, 4, 5]);
  t.is(s.n, 5);
  t.is(s.mean, 3);
  t.true(near(s.std, Math.sqrt(2.5), 1e-15)); // Σ(x − 3)² = 10, / (5 − 1)
  const half = (2.776 * Math.sqrt(2.5)) / Math.sqrt(5); // t(0.975, 4) = 2.776 from the table
  t.true(near(s.ci95?.[0], 3 - half, 0.0005) && near(s.ci95?.[1], 3 + half, 0.0005), JSON.stringify(s.ci95));
});

test('one value has no std and no interval; equal values an interval of zero width', (t) => {
  t.deepEqual(summarizeSample([0.93]), { n: 1, mean: 0.93, std: null, ci95: null });
  t.deepEqual(summarizeSample([0.5, 0.5, 0.5]), { n: 3, mean: 0.5, std: 0, ci95: [0.5, 0.5] });
  t.is(sampleStd([4]), null);
  t.throws(() => mean([]), { instanceOf: RangeError });
  t.throws(() => mean([1, Number.NaN]), { instanceOf: RangeError });
});

test("Welch's test on Wikipedia's example 1: t = −2.46, df = 25.0, p = 0.021", (t) => {
  // en.wikipedia.org/wiki/Welch's_t-test, "Examples", A1 and A2 (15 values each); finer digits as printed by
  // MathPHP's documentation for the same data: t = −2.4553600, df = 24.988527, p = 0.0213778.
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const w = welchTest(a1, a2);
  t.true(near(w?.t, -2.45536, 1e-5), `t ${w?.t}`);
  t.true(near(w?.df, 24.98853, 1e-5), `df ${w?.df}`);
  t.true(near(w?.p, 0.0213778, 1e-6), `p ${w?.p}`);
});

test("Welch's test by hand with df = 2: [0, 2] vs [1, 3] → t = −1/√2, p = 1 − |t|/√(2 + t²)", (t) => {
  // Variances 2 and 2, n = 2: se = √(2/2 + 2/2) = √2; df = (1 + 1)² / (1² / 1 + 1² / 1) = 2.
  const w = welchTest([0, 2], [1, 3]);
  t.true(near(w?.t, -1 / Math.SQRT2, 1e-15));
  t.true(near(w?.df, 2, 1e-15));
  t.true(near(w?.p, 1 - Math.SQRT1_2 / Math.sqrt(2.5), 1e-14)); // the df = 2 closed form
  t.true(near(studentTTwoSidedP(1, 8), 0.3465935, 1e-7)); // R: 2 * pt(-1, 8)
});

test("Welch's test: undefined below two values a side; zero variance on both sides is p 1 (same) or 0 (different)", (t) => {
  t.is(welchTest([1], [1, 2]), null);
  t.deepEqual(welchTest([0.9, 0.9], [0.9, 0.9, 0.9]), { t: 0, df: null, p: 1 });
  t.deepEqual(welchTest([0.9, 0.9], [0.8, 0.8]), { t: Number.POSITIVE_INFINITY, df: null, p: 0 });
  // One side constant: df = n − 1 of the other (Welch–Satterthwaite with one term).
  t.true(near(welchTest([1, 2, 3, 4], [0, 0])?.df, 3, 1e-12));
});

test('tied with the best: Welch p ≥ 0.05 against the best by mean; untestable ones said so', (t) => {
  const result = tiedWithBest([
    { id: 'a', values: [0.9, 0.92, 0.91] },
    { id: 'best', values: [0.95, 0.96, 0.94] },
    { id: 'close', values: [0.93, 0.97, 0.92] },
    { id: 'single', values: [0.96] },
    { id: 'far', values: [0.5, 0.52, 0.51] },
  ]);
  // 'single' has the highest mean but one value; the best by mean is taken as given: it is 'single'.
  t.is(result.best, 'single');
  t.deepEqual(result.untestable, ['a', 'best', 'close', 'far']);
  const replicated = tiedWithBest([
    { id: 'a', values: [0.9, 0.92, 0.91] },
    { id: 'best', values: [0.95, 0.96, 0.94] },
    { id: 'close', values: [0.93, 0.97, 0.92] },
    { id: 'far', values: [0.5, 0.52, 0.51] },
  ]);
  t.is(replicated.best, 'best');
  // best vs a: means 0.95 vs 0.91, variances 0.0001 each: t = 0.04 / √(2·0.0001/3) = 4.90, df = 4, p = 0.008.
  t.deepEqual(replicated.separated, ['a', 'far']);
  t.deepEqual(replicated.tied, ['close']);
  t.is(tiedWithBest([{ id: 'x', values: [3, 4] }, { id: 'y', values: [1, 2] }], 'minimize').best, 'y');
});
