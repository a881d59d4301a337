import test from 'ava';
import { decimalPlaces, latticeValues } from './lattice.js';
import { DEFAULT_SPACE, gridCandidates } from './space.js';
import type { SearchSpace } from './space.js';
import { SearchError } from './errors.js';

const space = (over: Partial<SearchSpace>): SearchSpace => ({ ...DEFAULT_SPACE, ...over });

test('lattice values are the decimals as written: 1.15 is 1.15, not 1 + 3 × 0.05', (t) => {
  const v = latticeValues(1, 1.5, 0.05);
  t.is(v.length, 11);
  t.true(v.includes(1.15));
  t.true(v.includes(1.45));
  t.is(v[v.length - 1], 1.5);
  // What accumulating the step would have given (the drift the lattice avoids):
  t.not(1 + 0.05 + 0.05 + 0.05, 1.15);
  t.deepEqual(latticeValues(1, 1.3, 0.1), [1, 1.1, 1.2, 1.3]);
  t.deepEqual(latticeValues(1, 1.25, 0.1), [1, 1.1, 1.2]);
});

test('decimalPlaces reads numbers as written', (t) => {
  t.is(decimalPlaces(0.05), 2);
  t.is(decimalPlaces(1), 0);
  t.is(decimalPlaces(1e-7), 7);
  t.is(decimalPlaces(1.125), 3);
});

test('tolerance mode keeps points on the boundary |α·β²·γ² − c| = tol (exact decimal arithmetic)', (t) => {
  // β = γ = 1: cost = α. c = 2, tol = 0.1 → α ∈ [1.9, 2.1]. In floating point |1.9 − 2| = 0.10000000000000009 > 0.1.
  const ids = gridCandidates(space({ alpha: { min: 1, max: 2.5 }, beta: { min: 1, max: 1 }, gamma: { min: 1, max: 1 }, step: 0.1 })).map((p) => p.alpha);
  t.deepEqual(ids, [1.9, 2, 2.1]);
});

test('the default space holds the paper’s (1.2, 1.1, 1.15) and exactly the points a brute-force count in hundredths finds', (t) => {
  const points = gridCandidates(DEFAULT_SPACE);
  t.truthy(points.find((p) => p.alpha === 1.2 && p.beta === 1.1 && p.gamma === 1.15));
  // Independent count: integers a, b, g in hundredths; |a·b²·g² − 2·10¹⁰| ≤ 0.1·10¹⁰.
  let expected = 0;
  for (let a = 100; a <= 200; a += 5) for (let b = 100; b <= 150; b += 5) for (let g = 100; g <= 150; g += 5) if (Math.abs(a * b * b * g * g - 2e10) <= 1e9) expected++;
  t.is(points.length, expected);
  for (const p of points) t.true(Math.abs(p.nominalCost - 2) <= 0.1 + 1e-12);
});

test('grid ids are stable, unique and in α, β, γ order; the same config gives the same ids', (t) => {
  const a = gridCandidates(DEFAULT_SPACE);
  const b = gridCandidates({ ...DEFAULT_SPACE });
  t.deepEqual(a.map((p) => p.id), b.map((p) => p.id));
  t.is(new Set(a.map((p) => p.id)).size, a.length);
  t.true(a.some((p) => p.id === 'a1.20-b1.10-g1.15'));
  a.forEach((p, i) => t.is(p.index, i));
  const key = (p: { alpha: number; beta: number; gamma: number }): number => p.alpha * 1e6 + p.beta * 1e3 + p.gamma;
  for (let i = 1; i < a.length; i++) t.true(key(a[i - 1] as (typeof a)[number]) < key(a[i] as (typeof a)[number]));
});

test('solve mode: γ = √(c/(α·β²)) to 4 decimals, kept only when γ ≥ 1 and within the γ range', (t) => {
  const points = gridCandidates(space({ mode: 'solve', step: 0.1 }));
  const p = points.find((q) => q.alpha === 1.2 && q.beta === 1.1);
  // Hand: √(2 / (1.2 · 1.21)) = √1.377410… = 1.17363…
  t.is(p?.gamma, 1.1736);
  for (const q of points) {
    t.true(q.gamma >= 1 && q.gamma <= 1.5);
    t.true(Math.abs(q.nominalCost - 2) < 2e-4);
  }
  // α = 2, β = 1: γ = 1 exactly; α = 1, β = 1: γ = √2 = 1.4142.
  t.is(points.find((q) => q.alpha === 2 && q.beta === 1)?.gamma, 1);
  t.is(points.find((q) => q.alpha === 1 && q.beta === 1)?.gamma, 1.4142);
  // β = 1.5, α = 1: γ = √(2/2.25) < 1 → dropped.
  t.falsy(points.find((q) => q.alpha === 1 && q.beta === 1.5));
});

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof SearchError ? e.code : 'other';
  }
  return undefined;
};

test('invalid spaces are rejected with a code naming the problem', (t) => {
  t.is(code(() => gridCandidates(space({ target: 12 }))), 'NO_FEASIBLE_POINT');
  t.is(code(() => gridCandidates(space({ alpha: { min: 1.5, max: 1.2 } }))), 'BAD_SPACE');
  t.is(code(() => gridCandidates(space({ beta: { min: 0.9, max: 1.2 } }))), 'BAD_SPACE');
  t.is(code(() => gridCandidates(space({ step: 0 }))), 'BAD_SPACE');
  t.is(code(() => gridCandidates(space({ step: -0.05 }))), 'BAD_SPACE');
  const e = t.throws(() => gridCandidates(space({ target: 12 })));
  t.regex(e?.message ?? "", /no feasible point.*from 1\.000 to 10\.125/); // 2 · 1.5² · 1.5² = 10.125
});
