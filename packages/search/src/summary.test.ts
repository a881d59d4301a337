import test from 'ava';
import { zooModel } from '@scalelab/arch';
import { parseConfigInput, resolveConfig } from './config.js';
import type { StudyRecord, TrialRecord } from './storage/replay.js';
import { familyOf, summarizeStudy } from './summary.js';

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

test('several seeds: per-point mean, sample std and Student-t CI; the best by mean and who is tied with it (hand-computed)', (t) => {
  // Three points × three seeds. A: 0.90, 0.92, 0.91 (mean 0.91, sd 0.01); B: 0.80, 0.81, 0.79 (mean 0.80, sd 0.01);
  // C: 0.905, 0.915, 0.925 (mean 0.915, sd 0.01). t(0.975, 2) = 4.303 (published table): half-width 4.303·0.01/√3.
  // C vs A (Welch): t = 0.005/√(2·0.0001/3) = 0.612, df = 4 → p ≈ 0.57 (tied); C vs B: t = 14.08, p ≈ 1.5e-4 (separated).
  const values: Record<string, number[]> = { A: [0.9, 0.92, 0.91], B: [0.8, 0.81, 0.79], C: [0.905, 0.915, 0.925] };
  const trials: TrialRecord[] = [];
  Object.entries(values).forEach(([point, vs], index) => {
    vs.forEach((v, seed) => {
      trials.push({ id: trials.length, state: 'COMPLETE', params: { seed }, distributions: {}, value: v, intermediate: new Map(), userAttrs: { grid_id: point, grid_index: index, accuracy: v }, systemAttrs: {}, datetimeStart: null, datetimeComplete: null, line: trials.length + 2 });
    });
  });
  const record: StudyRecord = { name: 's', direction: 'maximize', userAttrs: {}, systemAttrs: {}, trials };
  const proxy = zooModel('proxy-b0');
  const config = resolveConfig([parseConfigInput({ name: 's', seeds: 3 }, 'test')]);
  const summary = summarizeStudy(record, config, 3, proxy, proxy);
  const a = summary.pointSummaries.find((p) => p.gridId === 'A');
  t.true(Math.abs((a?.value?.mean ?? 0) - 0.91) < 1e-12);
  t.true(Math.abs((a?.value?.std ?? 0) - 0.01) < 1e-12);
  const half = (4.303 * 0.01) / Math.sqrt(3);
  t.true(Math.abs((a?.value?.ci95?.[1] ?? 0) - (0.91 + half)) < 1e-5, 't quantile to the table’s 4 digits');
  t.is(summary.bestByMean?.gridId, 'C');
  t.deepEqual(summary.bestByMean?.tiedWith, ['A']);
  t.deepEqual(summary.bestByMean?.separated, ['B']);
  t.is(summary.best?.gridId, 'C');
  t.deepEqual(summary.points, { complete: 9, failed: 0, pruned: 0, pending: 0 });
});
