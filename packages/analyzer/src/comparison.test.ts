import test from 'ava';
import { ArchError, parseStrategyList, zooModel } from '@scalelab/arch';
import { DEFAULT_TARGETS, compareCost, validateTargets } from './comparison.js';
import { AnalyzerError } from './errors.js';
import { analyzeSpec } from './spec-analysis.js';

test('a comparison lists every strategy at every target, strategy-major, against the baseline it names', (t) => {
  const b0 = zooModel('efficientnet-b0');
  const c = compareCost(b0, parseStrategyList('width,compound:1.2,1.1,1.15'), DEFAULT_TARGETS, 'nominal');
  t.is(c.baseline, 'efficientnet-b0');
  t.is(c.match, 'nominal');
  t.deepEqual(c.points.map((p) => [p.strategy, p.target]), [['width', 2], ['width', 4], ['compound:1.2,1.1,1.15', 2], ['compound:1.2,1.1,1.15', 4]]);
  const base = analyzeSpec(b0);
  t.deepEqual(c.baselineCost, { resolution: 224, params: 5_330_571, macs: base.macs, activations: base.activations });
  t.deepEqual(c.fits.map((f) => `${f.strategy} ${f.quantity}`), ['width params', 'width activations', 'compound:1.2,1.1,1.15 params', 'compound:1.2,1.1,1.15 activations']);
});

test('one target gives points and no fits (a slope needs two)', (t) => {
  const c = compareCost(zooModel('proxy-b0'), parseStrategyList('depth'), [3]);
  t.is(c.points.length, 1);
  t.deepEqual(c.fits, []);
});

test('targets are positive, listed once, within the limits', (t) => {
  for (const bad of [[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], [2, 2], []]) {
    t.is(t.throws(() => validateTargets(bad), { instanceOf: AnalyzerError })?.code, 'BAD_TARGET', JSON.stringify(bad));
  }
  t.regex(t.throws(() => validateTargets([101]), { instanceOf: ArchError })?.message ?? '', /the cost target is 101, over ScaleLab's limit of 100 for a comparison's cost target/);
  t.is(t.throws(() => validateTargets(Array.from({ length: 65 }, (_, i) => i + 1)), { instanceOf: ArchError })?.code, 'LIMIT_EXCEEDED');
  t.notThrows(() => validateTargets([0.5, 2, 100]));
});
