/**
 * The independent check: every zoo model and a spread of scaled variants built with TF.js layers; TF.js'
 * `countParams()` must equal the analyzer's total, and a walk of the TF.js model (kernel and output shapes as
 * TF.js computed them) must give the analyzer's per-layer params, MACs, activations and output shapes. The model's
 * saved topology (`toJSON`), priced from its config alone by the model-file analyzer, must give the same walk.
 */
import test from 'ava';
import { ZOO_NAMES, compoundMultipliers, scaleSpec, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { analyzeKerasTopology, analyzeLayersModel, analyzeSpec } from '@scalelab/analyzer';
import { buildModel, loadModelTopology, tf } from '@scalelab/engine';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function assertParity(t: import('ava').ExecutionContext, spec: NetworkSpec): void {
  const model = buildModel(spec, { initialize: false });
  try {
    const expected = analyzeSpec(spec, { layers: true });
    t.is(model.countParams(), expected.params.total, `${spec.name}: countParams`);
    const walked = analyzeLayersModel(model, { layers: true });
    t.deepEqual(walked.unsupported, []);
    t.deepEqual(walked.params, expected.params, `${spec.name}: trainable / non-trainable`);
    t.is(walked.macs, expected.macs, `${spec.name}: MACs`);
    t.is(walked.activations, expected.activations, `${spec.name}: activations`);
    const fromConfig = analyzeKerasTopology(model.toJSON(null, false), { layers: true });
    t.deepEqual(fromConfig.layers, walked.layers, `${spec.name}: the topology JSON walk equals TF.js' layer walk`);
    t.deepEqual(fromConfig.byStage, walked.byStage);
    const byName = new Map((walked.layers ?? []).map((l) => [l.name, l]));
    for (const layer of expected.layers ?? []) {
      const other = byName.get(layer.name);
      if (other === undefined) return void t.fail(`${spec.name}: TF.js model has no layer ${layer.name}`);
      if (other.params.total !== layer.params.total || other.macs !== layer.macs || other.outputShape.join() !== layer.outputShape.join()) {
        return void t.fail(`${spec.name}/${layer.name}: ${JSON.stringify(other)} vs ${JSON.stringify(layer)}`);
      }
    }
  } finally {
    model.dispose();
  }
}

for (const name of ZOO_NAMES) {
  test(`${name}: TF.js countParams() and layer walk equal the analyzer`, (t) => assertParity(t, zooModel(name)));
}

/** Seeded LCG so the scaled variants are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('scaled variants (random α, β, γ ≥ 1, φ from −1 to 3, odd resolutions) keep TF.js parity', (t) => {
  const rand = lcg(20261128);
  const bases = ['efficientnet-b0', 'efficientnetv2-b0', 'mobilenetv2', 'resnet50', 'proxy-b0', 'efficientnetv2-s', 'efficientnet-lite0', 'mobilenetv1', 'densenet121'];
  for (let i = 0; i < 18; i++) {
    const base = zooModel(bases[i % bases.length] ?? 'proxy-b0');
    const c = { alpha: 1 + rand(), beta: 1 + 0.5 * rand(), gamma: 1 + 0.5 * rand() };
    const phi = -1 + 4 * rand();
    const spec = scaleSpec(base, compoundMultipliers(c, phi));
    // Keep the big ones small enough to build quickly: resolution does not change params.
    assertParity(t, spec.input.resolution > 320 ? { ...spec, input: { ...spec.input, resolution: 97 } } : spec);
  }
});

test('a model.json topology is analyzed like the live model', async (t) => {
  const model = buildModel(zooModel('mobilenetv2'), { initialize: false });
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-'));
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify({ modelTopology: model.toJSON(null, false) }));
  const loaded = await loadModelTopology(path);
  t.deepEqual(analyzeLayersModel(loaded), analyzeLayersModel(model));
  t.is(analyzeLayersModel(loaded).params.total, 3_538_984);
  model.dispose();
  loaded.dispose();
});

test('layers the analyzer cannot price are named, with their params, not counted as zero silently', (t) => {
  const x = tf.input({ shape: [8, 4] });
  const y = tf.layers.lstm({ units: 5, name: 'my_lstm' }).apply(x) as tf.SymbolicTensor;
  const z = tf.layers.dense({ units: 3, name: 'out' }).apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: z });
  const a = analyzeLayersModel(model);
  t.deepEqual(a.unsupported, [{ name: 'my_lstm', className: 'LSTM' }]);
  t.is(a.params.total, model.countParams()); // 4·5·(4+5+1) = 200 LSTM + 18 dense
  t.is(a.macs, 15); // only the dense layer is priced
  model.dispose();
});
