import test from 'ava';
import { zooModel } from '@scalelab/arch';
import { compoundFamily, publishedModel, scaleCompound } from './family.js';
import { analyzeSpec } from './spec-analysis.js';

const PAPER = { alpha: 1.2, beta: 1.1, gamma: 1.15 };

test('the family φ = 0…K starts at the baseline and prices each member', (t) => {
  const family = compoundFamily(zooModel('efficientnet-b0'), PAPER, 3);
  t.deepEqual(family.map((f) => f.phi), [0, 1, 2, 3]);
  t.is(family[0]?.analysis.params.total, 5_330_571);
  t.is(family[0]?.realizedMacsRatio, 1);
  // resolution = round(224 · 1.15^φ): 258, 296, 341
  t.deepEqual(family.map((f) => f.analysis.resolution), [224, 258, 296, 341]);
  t.true(Math.abs((family[2]?.nominalCost ?? 0) - (1.2 * 1.1 ** 2 * 1.15 ** 2) ** 2) < 1e-12);
});

test('realized MACs ratio is the scaled MACs over the baseline MACs', (t) => {
  const base = analyzeSpec(zooModel('resnet50'));
  const s = scaleCompound(zooModel('resnet50'), PAPER, 1);
  t.is(s.realizedMacsRatio, s.analysis.macs / base.macs);
  t.not(s.realizedMacsRatio, s.nominalCost);
});

test('published B-models appear beside an efficientnet-b0 baseline only, with Keras params', (t) => {
  const b0 = zooModel('efficientnet-b0');
  t.is(publishedModel(b0, 4)?.model, 'efficientnet-b4');
  t.is(publishedModel(b0, 4)?.params, 19_466_823);
  t.is(publishedModel(b0, 4)?.resolution, 380);
  t.is(publishedModel(b0, 8), undefined);
  t.is(publishedModel(b0, 1.5), undefined);
  t.is(publishedModel(zooModel('resnet50'), 1), undefined);
});
