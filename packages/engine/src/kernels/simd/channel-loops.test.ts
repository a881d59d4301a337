/**
 * The committed wasm bytes are the assembly of the committed .wat (so the binary is what the source says), and
 * the SIMD loops are in use on the wasm backend: each SIMD kernel equals its JavaScript loop on the same inputs.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '../../backend.js';
import { seededRandom } from '../../random.js';
import { tf } from '../../tf.js';
import { BATCH_NORM_TRAIN } from '../batch-norm-train.js';
import { CHANNEL_LOOPS_WASM_BASE64 } from './channel-loops.wasm.js';
import { channelLoops, useSimdLoops } from './channel-loops.js';

test('channel-loops.wasm.ts holds exactly the assembly of channel-loops.wat', async (t) => {
  const scripts = new URL('../../../scripts/assemble.mjs', import.meta.url).href;
  const { assemble } = (await import(scripts)) as { assemble: (text: string) => Promise<Uint8Array> };
  const wat = await readFile(new URL('../../../src/kernels/simd/channel-loops.wat', import.meta.url), 'utf8');
  t.is(Buffer.from(await assemble(wat)).toString('base64'), CHANNEL_LOOPS_WASM_BASE64);
});

test.serial('the SIMD loops apply to channels that are a multiple of 4, and can be switched off', async (t) => {
  await useBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  t.truthy(channelLoops(backend, 8));
  t.is(channelLoops(backend, 6), undefined);
  t.is(channelLoops(backend, 2), undefined);
  useSimdLoops(false);
  t.is(channelLoops(backend, 8), undefined);
  useSimdLoops(true);
});

test.serial('batch norm and depthwise dW: SIMD loops equal the JavaScript loops (relative error ≤ 1e-5)', async (t) => {
  await useBackend('wasm');
  const random = seededRandom(11);
  const tensor = (shape: number[], scale = 1, offset = 0): tf.Tensor => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => offset + scale * (random() * 2 - 1)), shape);
  // A batch of 32 at 16×16 with 24 channels: 8,192 positions per channel, longer than the SIMD loops' float32 runs.
  const x = tensor([32, 16, 16, 24], 3, 2);
  const gamma = tensor([24], 0.5, 1);
  const beta = tensor([24]);
  const r = tensor([32, 16, 16, 24]);
  const filter = tensor([5, 5, 24, 1]);
  const run = (): Float32Array[] =>
    tf.tidy(() => {
      const bn = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor[] => tf.engine().runKernel(BATCH_NORM_TRAIN, { x: a, gamma: g, beta: b }, { epsilon: 1e-3 }) as tf.Tensor[];
      const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor, w: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(tf.depthwiseConv2d((bn(a, g, b)[0] as tf.Tensor4D), w as tf.Tensor4D, 2, 'same'), tf.slice(r, [0, 0, 0, 0], [32, 8, 8, 24])));
      return [...bn(x, gamma, beta), ...tf.grads(loss)([x, gamma, beta, filter])].map((v) => v.dataSync() as Float32Array);
    });
  const simd = run();
  useSimdLoops(false);
  const js = run();
  useSimdLoops(true);
  simd.forEach((a, i) => {
    const b = js[i] as Float32Array;
    let scale = 0;
    let err = 0;
    for (let j = 0; j < a.length; j++) {
      scale = Math.max(scale, Math.abs(b[j] as number));
      err = Math.max(err, Math.abs((a[j] as number) - (b[j] as number)));
    }
    t.true(err <= 1e-5 * scale, `output ${i}: error ${err} of ${scale}`);
  });
});
