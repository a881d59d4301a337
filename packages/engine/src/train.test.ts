import test from 'ava';
import { parseArchFile, zooModel } from '@scalelab/arch';
import { useBackend } from './backend.js';
import { syntheticDataset } from './data/synthetic.js';
import { EngineError } from './errors.js';
import { tf } from './tf.js';
import { learningRateAt, shiftBatch, trainSpec } from './train.js';

const tiny = parseArchFile('name: tiny\nresolution: 16\nstem: 8 k3 s2\nhead: 32\nclasses: 4\ndropout: 0.2\nds_r1_k3_s1_e1_c8_se0.25\nir_r2_k3_s2_e3_c16_se0.25\n');
const data = syntheticDataset({ classes: 4, size: 16, trainPerClass: 40, testPerClass: 10, seed: 7 });

test.before(async () => {
  await useBackend('wasm');
});

test.serial('same seed and backend give the same result, to the last bit (the default seed 0 too)', (t) => {
  for (const seed of [0, 5]) {
    const a = trainSpec(tiny, data, { steps: 12, batchSize: 16, seed });
    const b = trainSpec(tiny, data, { steps: 12, batchSize: 16, seed });
    t.deepEqual(a.history.map(({ seconds, ...h }) => h), b.history.map(({ seconds, ...h }) => h));
    t.is(a.accuracy, b.accuracy);
  }
  const a = trainSpec(tiny, data, { steps: 12, batchSize: 16, seed: 5 });
  const c = trainSpec(tiny, data, { steps: 12, batchSize: 16, seed: 6 });
  t.notDeepEqual(c.history.map((h) => h.trainLoss), a.history.map((h) => h.trainLoss));
});

test.serial('no tensor leaks: numTensors returns to its starting value over many trials', (t) => {
  const start = tf.memory().numTensors;
  for (let i = 0; i < 12; i++) trainSpec(tiny, data, { steps: 2, batchSize: 16, seed: i, optimizer: (['adam', 'momentum', 'sgd', 'rmsprop'] as const)[i % 4] ?? 'adam' });
  t.is(tf.memory().numTensors, start);
});

test.serial('it learns: a seeded synthetic task goes far above chance (25%) in 60 steps', (t) => {
  const r = trainSpec(tiny, data, { steps: 60, batchSize: 16, seed: 1, optimizer: 'momentum' });
  t.true(r.accuracy >= 0.9, `accuracy ${r.accuracy}`);
  t.is(r.steps, 60);
  t.is(r.backend, 'wasm');
  t.true(r.imagesPerSecond > 0 && r.trainSeconds > 0);
  t.is(r.history.length, r.epochs);
});

test.serial('per-epoch history: one record per epoch with test accuracy', (t) => {
  const r = trainSpec(tiny, data, { epochs: 3, batchSize: 40, seed: 2 });
  t.deepEqual(r.history.map((h) => h.epoch), [1, 2, 3]);
  t.deepEqual(r.history.map((h) => h.step), [4, 8, 12]); // 160 images / 40 per batch
  t.is(r.accuracy, r.history[2]?.testAccuracy ?? Number.NaN);
});

test.serial('a diverging run fails with NON_FINITE_LOSS instead of reporting garbage', (t) => {
  const e = t.throws(() => trainSpec(tiny, data, { steps: 30, batchSize: 16, optimizer: 'sgd', learningRate: 1e12 }), { instanceOf: EngineError });
  t.is(e?.code, 'NON_FINITE_LOSS');
});

test('bad budgets are rejected with the value named', (t) => {
  t.throws(() => trainSpec(tiny, data, { epochs: 0 }), { message: /epochs must be a whole number ≥ 1, got 0/ });
  t.throws(() => trainSpec(tiny, data, { batchSize: 2.5 }), { message: /batch size/ });
  t.throws(() => trainSpec(tiny, data, { learningRate: -1 }), { message: /learning rate must be a positive number/ });
});

test('learning rate: linear warm-up, then cosine to zero (hand values)', (t) => {
  t.is(learningRateAt(0, 100, 0.1, 10, 'cosine'), 0.01);
  t.is(learningRateAt(9, 100, 0.1, 10, 'cosine'), 0.1);
  t.true(Math.abs(learningRateAt(55, 100, 0.1, 10, 'cosine') - 0.05) < 1e-12); // halfway through the decay
  t.is(learningRateAt(99, 100, 0.1, 10, 'constant'), 0.1);
});

test.serial('the model adapts to the data: channels and classes follow the dataset', (t) => {
  const rgb = syntheticDataset({ classes: 3, channels: 3, size: 16, trainPerClass: 8, testPerClass: 2, seed: 3 });
  const r = trainSpec(zooModel('proxy-b0'), rgb, { steps: 1, batchSize: 8 });
  t.true(r.accuracy >= 0 && r.accuracy <= 1);
});

test('shift augmentation translates with zero fill (a 3×3 image moved one pixel right and down, by hand)', (t) => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // random() = 0.99 picks the largest offset, +1, for both dy and dx (max 1 → offsets −1, 0, 1).
  shiftBatch(x, 1, 3, 1, 1, () => 0.99);
  t.deepEqual([...x], [0, 0, 0, 0, 1, 2, 0, 4, 5]);
});
