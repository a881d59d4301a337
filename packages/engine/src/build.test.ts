import test from 'ava';
import { parseArchFile, zooModel } from '@scalelab/arch';
import { useBackend } from './backend.js';
import { buildModel } from './build.js';
import { syntheticDataset } from './data/synthetic.js';
import { tf } from './tf.js';
import { trainSpec } from './train.js';

function stats(values: Float32Array): { std: number; maxAbs: number } {
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / values.length;
  return { std: Math.sqrt(sq / values.length - mean * mean), maxAbs };
}

test('init as the Keras reference: conv He fan-out with realized std √(2/fan_out), dense uniform ±√(1/fan_out)', async (t) => {
  await useBackend('cpu');
  const model = buildModel(zooModel('efficientnet-b0'), { seed: 11 });
  const weight = (layer: string): Float32Array => model.getLayer(layer).getWeights()[0]?.dataSync() as Float32Array;
  // top_conv: 1×1, 320 → 1280, fan_out = 1280. Keras' truncated normal is rescaled so the realized std is √(2/1280).
  const top = stats(weight('top_conv'));
  t.true(Math.abs(top.std / Math.sqrt(2 / 1280) - 1) < 0.02, `std ${top.std}`);
  // A truncated normal (cut at 2·σ/0.8796 ≈ 2.27σ), not a uniform of the same std (which ends at √3·σ ≈ 1.73σ).
  t.true(top.maxAbs <= (2 * Math.sqrt(2 / 1280)) / 0.87962566103423978 + 1e-6);
  t.true(top.maxAbs > 2.1 * Math.sqrt(2 / 1280), `max ${top.maxAbs}`);
  // Dense 1280 → 1000: uniform with limit √(3 · (1/3) / 1000).
  const dense = stats(weight('predictions'));
  const limit = Math.sqrt(1 / 1000);
  t.true(dense.maxAbs <= limit && dense.maxAbs > 0.99 * limit);
  t.true(Math.abs(dense.std / (limit / Math.sqrt(3)) - 1) < 0.02);
  model.dispose();
});

test('the same seed builds the same weights, every layer, seed 0 (the default) included', async (t) => {
  await useBackend('cpu');
  // Seed 0 matters: TF.js samplers take a seed of 0 as "no seed" and draw from Math.random.
  for (const seed of [0, 4]) {
    const a = buildModel(zooModel('proxy-b0'), { seed });
    const b = buildModel(zooModel('proxy-b0'), { seed });
    const wa = a.getWeights();
    const wb = b.getWeights();
    t.is(wa.length, wb.length);
    wa.forEach((w, i) => t.deepEqual(w.dataSync(), wb[i]?.dataSync(), `seed ${seed}, weight ${a.weights[i]?.name ?? i}`));
    a.dispose();
    b.dispose();
  }
});

test('every block kind trains on wasm (conv, ds, dsa, mbconv, fused, bottleneck, basic, dense + transition, SE, max-pool stem, BN head, dropout, drop-connect)', async (t) => {
  await useBackend('wasm');
  const spec = parseArchFile(
    'name: every-kind\nresolution: 16\nstem: 8 k3 s2 pool3 s2\nhead: 32\nclasses: 4\ndropout: 0.2\n' +
      'cn_r1_k3_s1_c8_skip\nds_r1_k3_s1_e1_c8_se0.25\ndsa_r1_k3_s1_c8\nir_r2_k5_s1_e4_c8_se0.25_nr6\ner_r2_k3_s2_e2_c16_se0.25\nbt_r2_k3_s1_e0.25_c32_nre\nbb_r2_k3_s1_c32\n',
  );
  const dense = parseArchFile(
    'name: dense-kind\nresolution: 16\nstem: 8 k3 s2 pool3 s2\nhead: bn\nclasses: 4\ndropout: 0.2\nactivation: relu\ndn_r2_k3_s1_e2_c8\ndn_r2_k3_s2_e2_c8\n',
  );
  const data = syntheticDataset({ classes: 4, size: 16, channels: 3, trainPerClass: 16, testPerClass: 4, seed: 1 });
  const before = tf.memory().numTensors;
  for (const s of [spec, dense]) {
    const r = trainSpec(s, data, { steps: 8, batchSize: 16, dropConnect: 0.2 });
    t.is(r.backend, 'wasm');
    t.true(Number.isFinite(r.loss), s.name);
  }
  t.is(tf.memory().numTensors, before);
});
