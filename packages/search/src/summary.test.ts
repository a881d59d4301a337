import test from 'ava';
import { zooModel } from '@scalelab/arch';
import { familyOf } from './summary.js';

// EfficientNet's own coefficients from the paper (α 1.2, β 1.1, γ 1.15) on its B0.
const PAPER = { alpha: 1.2, beta: 1.1, gamma: 1.15 };

test('the family of an efficientnet-b0 baseline sits beside the published B1–B7 (Keras parameter counts)', (t) => {
  const b0 = zooModel('efficientnet-b0');
  const family = familyOf(b0, b0, PAPER, 7);
  t.deepEqual(family.map((m) => m.phi), [1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual(family.map((m) => m.published?.model), ['efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'efficientnet-b4', 'efficientnet-b5', 'efficientnet-b6', 'efficientnet-b7']);
  // Keras Applications totals: B1 7,856,239; B7 66,658,687.
  t.is(family[0]?.published?.params, 7_856_239);
  t.is(family[6]?.published?.params, 66_658_687);
  // φ = 1: d = 1.2, w = 1.1, r = 1.15 → round(224 · 1.15) = 258 px; nominal cost 1.2 · 1.21 · 1.3225 = 1.92027.
  t.is(family[0]?.resolution, 258);
  t.true(Math.abs((family[0]?.nominalCost ?? 0) - 1.92027) < 1e-9);
});

test('other baselines have no published counterpart', (t) => {
  const proxy = zooModel('proxy-b0');
  t.true(familyOf(proxy, proxy, PAPER, 3).every((m) => m.published === null));
});
