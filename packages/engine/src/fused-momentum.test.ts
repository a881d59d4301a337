/** The fused momentum optimizer on wasm against TF.js' own MomentumOptimizer on cpu (the reference). */
import test from 'ava';
import { useBackend } from './backend.js';
import { FusedMomentumOptimizer } from './fused-momentum.js';
import { maxAbsDifference } from './kernels/kernel-testing.js';
import { seededRandom } from './random.js';
import { tf } from './tf.js';

const random = seededRandom(9);
const start = { w: Float32Array.from({ length: 3 * 5 }, () => random() - 0.5), b: Float32Array.from({ length: 5 }, () => random() - 0.5) };
const x = Float32Array.from({ length: 4 * 3 }, () => random() * 2 - 1);

/** Four steps of a tiny least-squares model, the learning rate changed after the second; final weights. */
async function train(backend: 'cpu' | 'wasm', make: (lr: number) => tf.MomentumOptimizer): Promise<Float32Array[]> {
  await useBackend(backend);
  const w = tf.variable(tf.tensor2d(start.w, [3, 5]));
  const b = tf.variable(tf.tensor1d(start.b));
  const inputs = tf.tensor2d(x, [4, 3]);
  const optimizer = make(0.1);
  for (let step = 0; step < 4; step++) {
    if (step === 2) optimizer.setLearningRate(0.03);
    optimizer.minimize(() => tf.sum(tf.square(tf.sub(tf.add(tf.matMul(inputs, w), b), 1))) as tf.Scalar);
  }
  const out = [w.dataSync() as Float32Array, b.dataSync() as Float32Array];
  optimizer.dispose();
  tf.dispose([w, b, inputs]);
  return out;
}

test.serial('four momentum steps with a learning-rate change: the fused update on wasm equals TF.js on cpu', async (t) => {
  const cpu = await train('cpu', (lr) => tf.train.momentum(lr, 0.9));
  const wasm = await train('wasm', (lr) => new FusedMomentumOptimizer(lr, 0.9));
  t.true(maxAbsDifference(cpu, wasm) <= 1e-5, `max abs error ${maxAbsDifference(cpu, wasm)}`);
  t.notDeepEqual(Array.from(cpu[0] ?? []), Array.from(start.w), 'the weights moved');
});
