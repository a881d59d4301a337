import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { ArchError } from './errors.js';
import { LIMITS } from './limits.js';
import {
  DEFAULT_STRATEGIES,
  compoundStrategy,
  formatStrategy,
  formatStrategyList,
  parseStrategy,
  parseStrategyList,
  strategyExponents,
  strategyMultipliers,
} from './strategies.js';
import type { Strategy } from './strategies.js';

const close = (a: number, b: number, tolerance = 1e-12): boolean => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

test('depth, width and resolution put all of s into one dimension: d = s, w = √s, r = √s', (t) => {
  t.deepEqual(strategyMultipliers(parseStrategy('depth'), 2), { depth: 2, width: 1, resolution: 1 });
  t.deepEqual(strategyMultipliers(parseStrategy('width'), 4), { depth: 1, width: 2, resolution: 1 });
  t.deepEqual(strategyMultipliers(parseStrategy('resolution'), 4), { depth: 1, width: 1, resolution: 2 });
});

test('compound is Tan & Le: φ = ln s / ln(α·β²·γ²), d = α^φ, w = β^φ, r = γ^φ (default 1.2, 1.1, 1.15)', (t) => {
  const c = 1.2 * 1.1 ** 2 * 1.15 ** 2; // 1.92027
  for (const s of [2, 4, 8, c]) {
    const phi = Math.log(s) / Math.log(c);
    const m = strategyMultipliers(parseStrategy('compound'), s);
    t.true(close(m.depth, 1.2 ** phi), `d at s=${s}`);
    t.true(close(m.width, 1.1 ** phi), `w at s=${s}`);
    t.true(close(m.resolution, 1.15 ** phi), `r at s=${s}`);
  }
  // At s = c, φ = 1: the coefficients themselves (EfficientNet-B1's nominal multipliers).
  const b1 = strategyMultipliers(parseStrategy('compound:1.2,1.1,1.15'), c);
  t.true(close(b1.depth, 1.2) && close(b1.width, 1.1) && close(b1.resolution, 1.15));
  t.deepEqual(parseStrategy('compound'), { kind: 'compound', alpha: 1.2, beta: 1.1, gamma: 1.15 });
});

test("fast:0.8 equals pycls' fast compound scaling 'd1_w8_g8_r1' (weights d 1, w 8, r 1 over their sum 10)", (t) => {
  // pycls scaling_factors: d = s^(w_d / Σ), w = s^(w_w / Σ / 2), r = s^(w_r / Σ / 2), Σ = w_d + w_w + w_r = 10.
  for (const s of [1.27, 2, 4, 8]) {
    const m = strategyMultipliers(parseStrategy('fast'), s);
    t.true(close(m.depth, s ** (1 / 10)), `d at s=${s}`);
    t.true(close(m.width, s ** (8 / 10 / 2)), `w at s=${s}`);
    t.true(close(m.resolution, s ** (1 / 10 / 2)), `r at s=${s}`);
  }
  t.deepEqual(parseStrategy('fast'), parseStrategy('fast:0.8'));
});

test("dwr is pycls' 'dwr' (equal weights): d = s^(1/3), w = r = s^(1/6), i.e. fast:1/3", (t) => {
  const m = strategyMultipliers(parseStrategy('dwr'), 8);
  t.true(close(m.depth, 2)); // 8^(1/3)
  t.true(close(m.width, Math.SQRT2)); // 8^(1/6)
  t.true(close(m.resolution, Math.SQRT2));
  t.is(formatStrategy(parseStrategy('dwr')), 'fast:0.3333333333333333');
});

test('exp:e_d,e_w,e_r raises s to the given exponents', (t) => {
  const m = strategyMultipliers(parseStrategy('exp:0.2,0.2,0.2'), 32);
  t.true(close(m.depth, 2) && close(m.width, 2) && close(m.resolution, 2)); // 32^0.2 = 2
  t.deepEqual(strategyExponents(parseStrategy('exp:1,0,0')), strategyExponents(parseStrategy('depth')));
});

const strategyArbitrary: fc.Arbitrary<Strategy> = fc.oneof(
  fc.constant<Strategy>({ kind: 'depth' }),
  fc.constant<Strategy>({ kind: 'width' }),
  fc.constant<Strategy>({ kind: 'resolution' }),
  fc
    .record({ alpha: fc.double({ min: 1, max: 10, noNaN: true }), beta: fc.double({ min: 1, max: 10, noNaN: true }), gamma: fc.double({ min: 1, max: 10, noNaN: true }) })
    .filter((c) => c.alpha * c.beta ** 2 * c.gamma ** 2 > 1)
    .map((c): Strategy => ({ kind: 'compound', ...c })),
  fc.double({ min: 0, max: 1, noNaN: true }).map((a): Strategy => ({ kind: 'fast', a: a + 0 })),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([ed, share]): Strategy => {
      const width = ((1 - ed) / 2) * share + 0;
      return { kind: 'exp', depth: ed + 0, width, resolution: Math.max(0, (1 - ed - 2 * width) / 2) };
    }),
);

test('every strategy round-trips through its one string form (property)', (t) => {
  fc.assert(fc.property(strategyArbitrary, (strategy) => isDeepStrictEqual(parseStrategy(formatStrategy(strategy)), strategy)), { numRuns: 2000 });
  const lists = fc.uniqueArray(strategyArbitrary, { minLength: 1, maxLength: 8, selector: formatStrategy });
  fc.assert(fc.property(lists, (list) => isDeepStrictEqual(parseStrategyList(formatStrategyList(list)).map((g) => g.strategy), list)), { numRuns: 500 });
  // And the other way: a written strategy, parsed and printed, prints the same again.
  for (const text of ['depth', 'compound', 'compound:1.3,1.1,1.1', 'fast', 'dwr', 'exp:0.5,0.25,0']) {
    const canonical = formatStrategy(parseStrategy(text));
    t.is(formatStrategy(parseStrategy(canonical)), canonical);
  }
});

test('every strategy keeps d·w²·r² = s (property)', (t) => {
  fc.assert(
    fc.property(strategyArbitrary, fc.double({ min: 0.01, max: 100, noNaN: true }), (strategy, s) => {
      const m = strategyMultipliers(strategy, s);
      return close(m.depth * m.width ** 2 * m.resolution ** 2, s, 1e-9);
    }),
  );
  t.pass();
});

test('a list keeps each strategy as given; compound arguments are not split at their commas', (t) => {
  const list = parseStrategyList('depth, compound:1.3,1.1,1.1 ,fast,dwr,exp:0.5,0.25,0');
  t.deepEqual(list.map((g) => g.text), ['depth', 'compound:1.3,1.1,1.1', 'fast', 'dwr', 'exp:0.5,0.25,0']);
  t.deepEqual(list[1]?.strategy, { kind: 'compound', alpha: 1.3, beta: 1.1, gamma: 1.1 });
  t.deepEqual(parseStrategyList(DEFAULT_STRATEGIES).map((g) => g.text), ['depth', 'width', 'resolution', 'compound', 'fast']);
});

test("a study's best coefficients become a compound strategy, checked like compound:α,β,γ", (t) => {
  t.deepEqual(compoundStrategy({ alpha: 1.4, beta: 1.05, gamma: 1.2 }), parseStrategy('compound:1.4,1.05,1.2'));
  t.is(t.throws(() => compoundStrategy({ alpha: 0.9, beta: 1.1, gamma: 1.1 }), { instanceOf: ArchError })?.code, 'BAD_STRATEGY');
});

const malformed: readonly [string, RegExp][] = [
  ['foo', /unknown strategy 'foo' \(strategies: depth, width, resolution, compound\[:α,β,γ\], fast\[:a\], exp:e_d,e_w,e_r, dwr\)/],
  ['constructor', /unknown strategy/],
  ['compound:0.9,1.1,1.15', /α must be at least 1/],
  ['compound:1.2,1.1,0.5', /γ must be at least 1/],
  ['compound:1,1,1', /α·β²·γ² must be above 1/],
  ['compound:1.2,1.1', /takes 3 argument/],
  ['compound:1.2,1.1,11', /over ScaleLab's limit of 10/],
  ['fast:1.5', /a must be between 0 and 1/],
  ['fast:-0.1', /a must be between 0 and 1/],
  ['fast:abc', /'abc' is not a number/],
  ['fast:', /'' is not a number/],
  ['fast:0x1', /'0x1' is not a number/],
  ['exp:0.5,0.5,0.5', /e_d \+ 2·e_w \+ 2·e_r must be 1 .* got 2\.5/],
  ['exp:1.2,-0.1,0', /e_w must be at least 0/],
  ['exp', /needs its arguments: exp:e_d,e_w,e_r/],
  ['depth:2', /'depth' takes no arguments/],
  ['dwr:1', /'dwr' takes no arguments/],
];
for (const [text, why] of malformed) {
  test(`rejects strategy '${text}' with a message naming the problem`, (t) => {
    const e = t.throws(() => parseStrategy(text), { instanceOf: ArchError });
    t.is(e?.code, 'BAD_STRATEGY');
    t.regex(e?.message ?? '', why);
  });
}

test('rejects malformed lists: empty entries, a strategy twice (in any spelling), more than the limit', (t) => {
  t.regex(t.throws(() => parseStrategyList('depth,,width'), { instanceOf: ArchError })?.message ?? '', /empty entry/);
  t.regex(t.throws(() => parseStrategyList('depth,depth'), { instanceOf: ArchError })?.message ?? '', /'depth' is listed twice/);
  t.regex(t.throws(() => parseStrategyList('fast,fast:0.8'), { instanceOf: ArchError })?.message ?? '', /'fast:0.8' is listed twice \(as 'fast' too\)/);
  t.regex(t.throws(() => parseStrategyList('1.2,depth'), { instanceOf: ArchError })?.message ?? '', /unknown strategy '1.2'/);
  const many = Array.from({ length: LIMITS.strategies.max + 1 }, (_, i) => `fast:${i / 100}`).join(',');
  const e = t.throws(() => parseStrategyList(many), { instanceOf: ArchError });
  t.is(e?.code, 'LIMIT_EXCEEDED');
  t.regex(e?.message ?? '', /over ScaleLab's limit of 32 strategies in one comparison/);
});

test('a cost multiplier s must be positive', (t) => {
  for (const s of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.is(t.throws(() => strategyMultipliers(parseStrategy('depth'), s), { instanceOf: ArchError })?.code, 'BAD_MULTIPLIER');
  }
});
