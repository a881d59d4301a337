import test from 'ava';
import { ArchError, expandNetwork, parseStrategy, scaleSpec, strategyMultipliers, zooModel } from '@scalelab/arch';
import type { GivenStrategy } from '@scalelab/arch';
import { AnalyzerError } from './errors.js';
import { matchStrategy } from './match.js';
import { analyzeSpec } from './spec-analysis.js';

const B0 = zooModel('efficientnet-b0');
const B0_MACS = analyzeSpec(B0).macs;
const given = (text: string): GivenStrategy => ({ text, strategy: parseStrategy(text) });
const ratioAt = (text: string, s: number): number => analyzeSpec(scaleSpec(B0, strategyMultipliers(parseStrategy(text), s))).macs / B0_MACS;
const off = (ratio: number, target: number): number => Math.abs(ratio / target - 1);

test('on EfficientNet-B0 every built-in strategy is matched within 3% of realized 2×, 4× and 8× (issue 12)', (t) => {
  for (const text of ['depth', 'width', 'resolution', 'compound', 'fast', 'dwr']) {
    for (const target of [2, 4, 8]) {
      const p = matchStrategy(B0, given(text), target, 'realized');
      t.true(off(p.macsRatio, target) <= 0.03, `${text} at ${target}×: realized ${p.macsRatio.toFixed(4)}×`);
      t.is(p.macsRatio, p.macs / B0_MACS);
    }
  }
});

test('fast:0.8 at a nominal s = 2 adds a block to every stage and costs ~3×; realized 2× needs s ≈ 1.27 (issue 12)', (t) => {
  const nominal = matchStrategy(B0, given('fast'), 2, 'nominal');
  t.is(nominal.s, 2);
  t.is(nominal.sInterval, null);
  // d = 2^0.1 = 1.072: repeats ceil(1.072 · [1, 2, 2, 3, 3, 4, 1]) = [2, 3, 3, 4, 4, 5, 2], 23 blocks instead of 16.
  const blocks = expandNetwork(scaleSpec(B0, nominal.multipliers)).blocks;
  t.is(blocks.length, 2 + 3 + 3 + 4 + 4 + 5 + 2);
  t.true(nominal.macsRatio > 2.9 && nominal.macsRatio < 3.1, `nominal 2× realizes ${nominal.macsRatio}×`);
  const matched = matchStrategy(B0, given('fast'), 2, 'realized');
  t.true(matched.s > 1.25 && matched.s < 1.3, `s = ${matched.s}`);
  t.true(off(matched.macsRatio, 2) < 0.01, `realized ${matched.macsRatio}×`);
});

test('the matched point is at least as close as any s of a fine scan (brute force over 3,000 s in target/4 … 4·target)', (t) => {
  for (const [text, target] of [['fast', 2], ['compound', 4], ['dwr', 3], ['resolution', 3]] as const) {
    const matched = matchStrategy(B0, given(text), target, 'realized');
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 3000; i++) best = Math.min(best, off(ratioAt(text, target * 4 ** ((2 * i) / 3000 - 1)), target));
    t.true(off(matched.macsRatio, target) <= best, `${text} at ${target}×: matched ${matched.macsRatio}, scan found one ${best} off`);
  }
});

test('every s of the reported interval builds the same network; just outside it does not', (t) => {
  for (const [text, target] of [['width', 2], ['compound', 8], ['depth', 4]] as const) {
    const p = matchStrategy(B0, given(text), target, 'realized');
    const [from, to] = p.sInterval ?? [Number.NaN, Number.NaN];
    t.true(from < p.s && p.s < to);
    t.is(ratioAt(text, from), p.macsRatio);
    t.is(ratioAt(text, to), p.macsRatio);
    t.not(ratioAt(text, from * (1 - 1e-9)), p.macsRatio);
    t.not(ratioAt(text, to * (1 + 1e-9)), p.macsRatio);
  }
});

test("nominal matching is the papers' setting: s = target (Table 7: d = 4, w = 2, r = 2 for 4×)", (t) => {
  const at = (text: string) => matchStrategy(B0, given(text), 4, 'nominal');
  t.deepEqual(at('depth').multipliers, { depth: 4, width: 1, resolution: 1 });
  t.deepEqual(at('width').multipliers, { depth: 1, width: 2, resolution: 1 });
  t.deepEqual(at('resolution').multipliers, { depth: 1, width: 1, resolution: 2 });
  t.is(at('resolution').resolution, 448); // 224 · 2
  t.is(at('resolution').params, 5_330_571); // resolution leaves the weights as they are (Keras B0)
  t.is(at('depth').s, 4);
});

test('a target beyond ScaleLab\'s limits is refused, naming the limit (depth 100× needs > 1,000 blocks)', (t) => {
  const e = t.throws(() => matchStrategy(B0, given('depth'), 100, 'realized'), { instanceOf: AnalyzerError });
  t.is(e?.code, 'UNREACHABLE_TARGET');
  t.regex(e?.message ?? '', /strategy 'depth' cannot reach 100× the MACs of efficientnet-b0: .*limit of 1,000 blocks/);
  t.is(t.throws(() => matchStrategy(B0, given('depth'), 100, 'nominal'), { instanceOf: ArchError })?.code, 'LIMIT_EXCEEDED');
  // Width cannot make B0 a thousand times cheaper: channels stop at 8.
  t.regex(t.throws(() => matchStrategy(B0, given('width'), 0.001, 'realized'), { instanceOf: AnalyzerError })?.message ?? '', /too costly/);
});
