import test from 'ava';
import { parseArchFile, withClasses, zooModel } from '@scalelab/arch';
import { useBackend } from './backend.js';
import { buildModel } from './build.js';
import { resizeSet } from './data/resize.js';
import { syntheticDataset } from './data/synthetic.js';
import { EngineError } from './errors.js';
import { tf } from './tf.js';
import { learningRateAt, lossAndCorrect, shiftBatch, trainSpec, trainingStep } from './train.js';
import { WeightAverage } from './weight-average.js';

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
  for (let i = 0; i < 12; i++) trainSpec(tiny, data, { steps: 2, batchSize: 16, seed: i, optimizer: (['adam', 'momentum', 'sgd', 'rmsprop'] as const)[i % 4] ?? 'adam', ema: i % 2 === 0 ? 0.9 : 0, weightDecay: i % 3 === 0 ? 0 : 1e-4 });
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

test('label smoothing: the loss of logits (ln 3, 0) for class 0 with smoothing 0.2 is −(0.9·ln 0.75 + 0.1·ln 0.25) (by hand)', (t) => {
  const value = tf.tidy(() => lossAndCorrect(tf.tensor2d([[Math.log(3), 0]]), tf.tensor1d([0], 'int32'), 2, 0.2).loss.dataSync()[0] ?? Number.NaN);
  t.true(Math.abs(value - -(0.9 * Math.log(0.75) + 0.1 * Math.log(0.25))) < 1e-6, `loss ${value}`);
  const plain = tf.tidy(() => lossAndCorrect(tf.tensor2d([[Math.log(3), 0]]), tf.tensor1d([0], 'int32'), 2).loss.dataSync()[0] ?? Number.NaN);
  t.true(Math.abs(plain - -Math.log(0.75)) < 1e-6, `loss ${plain}`);
});

test.serial('weight decay: one plain SGD step moves each conv/dense kernel by an extra −lr·decay·w, and nothing else (by hand)', (t) => {
  const fitted = withClasses({ ...tiny, input: { ...tiny.input, channels: data.channels } }, data.classes);
  const lr = 0.1;
  const decay = 0.01;
  const after = (weightDecay: number): { names: string[]; before: Float32Array[]; after: Float32Array[] } => {
    const model = buildModel(fitted, { seed: 3, bnMomentum: 0.9, outputLogits: true });
    const before = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    const optimizer = tf.train.sgd(lr);
    tf.tidy(() => {
      const x = tf.tensor4d(data.train.images.slice(0, 16 * 16 * 16), [16, 16, 16, 1]);
      trainingStep(model, optimizer, x, tf.tensor1d(data.train.labels.slice(0, 16), 'int32'), data.classes, { weightDecay });
    });
    const result = { names: model.trainableWeights.map((w) => w.originalName), before, after: model.trainableWeights.map((w) => w.read().dataSync() as Float32Array) };
    optimizer.dispose();
    model.dispose();
    return result;
  };
  const plain = after(0);
  const decayed = after(decay);
  let kernels = 0;
  plain.names.forEach((name, i) => {
    const w0 = plain.before[i] as Float32Array;
    const p = plain.after[i] as Float32Array;
    const d = decayed.after[i] as Float32Array;
    const isKernel = name.endsWith('/kernel') || name.endsWith('/depthwise_kernel');
    if (isKernel) kernels++;
    let err = 0;
    for (let j = 0; j < w0.length; j++) err = Math.max(err, Math.abs((d[j] as number) - ((p[j] as number) - (isKernel ? lr * decay * (w0[j] as number) : 0))));
    t.true(err < 1e-6, `${name}: error ${err}`);
  });
  t.is(kernels, 17); // stem, ds (dw, 2 SE, project), 2 × ir (expand, dw, 2 SE, project), head, dense
});

test.serial('EMA of weights: warmed-up decay min(d, (1+n)/(10+n)), evaluated in place of the raw weights, then restored (by hand)', (t) => {
  const input = tf.input({ shape: [1] });
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor });
  const kernel = model.weights[0];
  if (kernel === undefined) return t.fail('no kernel');
  const average = new WeightAverage(model.weights, 0.99);
  const value = (): number => kernel.read().dataSync()[0] ?? Number.NaN;
  kernel.write(tf.tensor2d([[3]]));
  average.update(); // n = 1: d = 2/11 → 2/11·1 + 9/11·3
  kernel.write(tf.tensor2d([[5]]));
  average.update(); // n = 2: d = 3/12 → 1/4·(31/11) + 3/4·5
  const expected = 0.25 * (2 / 11 + (9 / 11) * 3) + 0.75 * 5;
  const seen = average.evaluateWith(() => tf.tidy(() => (model.predict(tf.tensor2d([[1]])) as tf.Tensor).dataSync()[0] ?? Number.NaN));
  t.true(Math.abs(seen - expected) < 1e-5, `averaged output ${seen} vs ${expected}`);
  t.is(value(), 5);
  average.dispose();
  model.dispose();
});

test('label smoothing, weight decay and EMA decay out of range are rejected with the value named', (t) => {
  t.throws(() => trainSpec(tiny, data, { labelSmoothing: 1 }), { message: /label smoothing must be in \[0, 1\), got 1/ });
  t.throws(() => trainSpec(tiny, data, { weightDecay: -1 }), { message: /weight decay must be a number ≥ 0, got -1/ });
  t.throws(() => trainSpec(tiny, data, { ema: 1.5 }), { message: /EMA decay must be in \[0, 1\), got 1.5/ });
});

test.serial('training at a resolution other than the data\'s (batches resized as gathered) equals training on a resized copy, bit for bit', (t) => {
  const at20 = { ...data, size: 20, train: resizeSet(data.train, 16, 1, 20), test: resizeSet(data.test, 16, 1, 20) };
  const options = { steps: 6, batchSize: 16, seed: 4 };
  const resizedCopy = trainSpec(tiny, at20, options);
  const perBatch = trainSpec(tiny, data, { ...options, resolution: 20 });
  t.deepEqual(perBatch.history.map(({ seconds, ...h }) => h), resizedCopy.history.map(({ seconds, ...h }) => h));
  const native = trainSpec(tiny, data, options);
  t.notDeepEqual(native.history.map((h) => h.trainLoss), perBatch.history.map((h) => h.trainLoss), 'the resolution did change');
});
