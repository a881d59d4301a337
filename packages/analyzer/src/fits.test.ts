import test from 'ava';
import { parseStrategy, parseStrategyList, zooModel } from '@scalelab/arch';
import { compareCost } from './comparison.js';
import { activationsExponent, fitScalingExponents, leastSquaresSlope, paramsExponent } from './fits.js';

const near = (a: number | null | undefined, b: number, tolerance = 1e-12): boolean => a !== null && a !== undefined && Math.abs(a - b) <= tolerance;

test('least squares: the slope of exact lines, none without two distinct x', (t) => {
  t.true(near(leastSquaresSlope([0, 1, 2], [1, 3, 5]), 2));
  // dx = −1.5, −0.5, 0.5, 1.5; dy = −0.5, −1.5, 1.5, 0.5: Σdx·dy = 3, Σdx² = 5
  t.true(near(leastSquaresSlope([1, 2, 3, 4], [2, 1, 4, 3]), 0.6));
  t.is(leastSquaresSlope([1, 1], [2, 3]), null);
  t.is(leastSquaresSlope([1], [2]), null);
});

test("theory: Dollár et al.'s closed forms (params ∝ d·w², activations ∝ d·w·r²)", (t) => {
  const cases: readonly [string, number, number][] = [
    ['depth', 1, 1],
    ['width', 1, 0.5],
    ['resolution', 0, 1],
    ['fast', (1 + 0.8) / 2, 1 - 0.8 / 2], // s^((1+a)/2), s^(1−a/2)
    ['dwr', (1 + 1 / 3) / 2, 1 - 1 / 3 / 2],
    ['exp:0.2,0.2,0.2', 0.2 + 0.4, 0.2 + 0.2 + 0.4],
    // Compound: params ∝ (α·β²)^φ, activations ∝ (α·β·γ²)^φ, s = (α·β²·γ²)^φ.
    ['compound', Math.log(1.2 * 1.1 * 1.1) / Math.log(1.2 * 1.21 * 1.3225), Math.log(1.2 * 1.1 * 1.3225) / Math.log(1.2 * 1.21 * 1.3225)],
  ];
  for (const [text, params, activations] of cases) {
    t.true(near(paramsExponent(parseStrategy(text)), params), `${text} params`);
    t.true(near(activationsExponent(parseStrategy(text)), activations), `${text} activations`);
  }
});

test('fits recover the exponent of exact power laws, per strategy and quantity', (t) => {
  const points = [1, 2, 4, 8].flatMap((r) => [
    { strategy: 'width', macsRatio: r, params: 7 * r ** 0.9 },
    { strategy: 'fast', macsRatio: r, params: 3 * r ** 0.25 },
  ]);
  const fits = fitScalingExponents(points, [{ name: 'params', value: (p) => p.params, theory: () => null }]);
  t.deepEqual(fits.map((f) => [f.strategy, f.quantity, f.points]), [['width', 'params', 4], ['fast', 'params', 4]]);
  t.true(near(fits[0]?.exponent, 0.9, 1e-9));
  t.true(near(fits[1]?.exponent, 0.25, 1e-9));
  t.deepEqual(fitScalingExponents(points.slice(0, 1), [{ name: 'params', value: (p) => p.params, theory: () => null }]), []);
});

test('on EfficientNet-B0 (2×, 4×, 8× realized) resolution leaves params exactly flat and every fit is within 0.15 of theory', (t) => {
  const c = compareCost(zooModel('efficientnet-b0'), parseStrategyList('depth,width,resolution,compound,fast'), [2, 4, 8]);
  t.is(c.fits.length, 5 * 2);
  const resolutionParams = c.fits.find((f) => f.strategy === 'resolution' && f.quantity === 'params');
  t.is(resolutionParams?.exponent, 0);
  for (const f of c.fits) t.true(Math.abs((f.exponent ?? Number.NaN) - (f.theory ?? Number.NaN)) <= 0.15, `${f.strategy} ${f.quantity}: ${f.exponent} vs ${f.theory}`);
});
