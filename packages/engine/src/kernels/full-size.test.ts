/**
 * ScaleLab's wasm kernels at the full-size geometries of EfficientNet-B0 at 224 px, against TF.js' cpu
 * backend, with every tensor placed above 2 GiB of wasm heap and the heap grown between two calls of each kernel:
 * a kernel that kept a heap view across growth would read a detached (empty) buffer, and one that treated offsets
 * as signed 32-bit would miss its data. Its own file, so the 2+ GB heap (never given back) ends with this process.
 */
import test from 'ava';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '../backend.js';
import { seededRandom } from '../random.js';
import { tf } from '../tf.js';
import { batchNormOutputsAndGradients, HeapFiller, maxRelativeDifference, onBackend, swishOutputAndGradient, wasmHeap } from './kernel-testing.js';
import type { InputTensor } from './kernel-testing.js';
import { useSimdLoops } from './simd/channel-loops.js';

const TWO_GIB = 2 ** 31;
const MIB = 2 ** 20;
const random = seededRandom(11);
const values = (shape: readonly number[]): InputTensor => ({ values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1), shape });

let spacer = 0;
const filler = new HeapFiller();

test.before(async () => {
  await useBackend('wasm');
  // Never written, so never resident: only moves every later allocation above 2 GiB.
  spacer = wasmHeap()._malloc(TWO_GIB + 64 * MIB);
});

/** The offset of a tensor's data on the heap. */
const offsetOf = (x: tf.Tensor): number => (tf.findBackend('wasm') as BackendWasm).dataIdMap.get(x.dataId)?.memoryOffset ?? -1;

/**
 * `f` on cpu, then on wasm twice per variant (SIMD loops on, off), the heap filled before the second call so that
 * it grows between the two; the worst relative difference from cpu, the lowest heap offset of the inputs on wasm,
 * and whether every second call grew the heap. (A growth adds ~100 MB, never given back: one per pair of calls
 * keeps this file under 4 GiB.)
 */
async function compare(inputs: readonly InputTensor[], f: (...xs: tf.Tensor[]) => tf.Tensor[], simdVariants: readonly boolean[] = [true]): Promise<{ worst: number; lowestInput: number; grew: boolean }> {
  const expected = await onBackend('cpu', inputs, f);
  let lowestInput = Number.POSITIVE_INFINITY;
  const probe = (...xs: tf.Tensor[]): tf.Tensor[] => {
    lowestInput = Math.min(lowestInput, ...xs.map(offsetOf));
    return f(...xs);
  };
  let worst = 0;
  let grew = true;
  for (const simd of simdVariants) {
    useSimdLoops(simd);
    for (let call = 0; call < 2; call++) {
      if (call === 1) filler.fill();
      const size = wasmHeap().HEAPU8.length;
      worst = Math.max(worst, maxRelativeDifference(expected, await onBackend('wasm', inputs, probe)));
      if (call === 1) grew &&= wasmHeap().HEAPU8.length > size;
    }
  }
  useSimdLoops(true);
  filler.release();
  return { worst, lowestInput, grew };
}

interface Conv {
  readonly layer: string;
  readonly kind: 'conv2d' | 'depthwise';
  readonly x: readonly [number, number, number, number];
  readonly kernel: number;
  readonly stride: 1 | 2;
  /** Output channels of a conv2d. */
  readonly out?: number;
}

// B0 at 224: the stem, the first depthwise layer, a 1×1 expand (K < N) and project (K > N), the stride-2
// depthwise on 112×112×96, a 5×5 stride-2 depthwise and the head's 1×1 conv to 1,280 channels. Batch 1: TF.js' cpu
// backprop loops (the reference) take ~5 s per image on the large 1×1 layers.
const CONVS: readonly Conv[] = [
  { layer: 'stem_conv', kind: 'conv2d', x: [1, 224, 224, 3], kernel: 3, stride: 2, out: 32 },
  { layer: 'block1a_dwconv', kind: 'depthwise', x: [1, 112, 112, 32], kernel: 3, stride: 1 },
  { layer: 'block2a_expand_conv', kind: 'conv2d', x: [1, 112, 112, 16], kernel: 1, stride: 1, out: 96 },
  { layer: 'block2a_dwconv', kind: 'depthwise', x: [1, 112, 112, 96], kernel: 3, stride: 2 },
  { layer: 'block2a_project_conv', kind: 'conv2d', x: [1, 56, 56, 96], kernel: 1, stride: 1, out: 24 },
  { layer: 'block3a_dwconv', kind: 'depthwise', x: [1, 56, 56, 144], kernel: 5, stride: 2 },
  { layer: 'top_conv', kind: 'conv2d', x: [1, 7, 7, 320], kernel: 1, stride: 1, out: 1280 },
];

for (const c of CONVS) {
  test.serial(`${c.layer} (${c.kind} ${c.kernel}×${c.kernel} stride ${c.stride} on ${c.x.slice(1).join('×')}): dx and dW equal cpu above 2 GiB, across heap growth`, async (t) => {
    const channels = c.x[3];
    const w = c.kind === 'conv2d' ? [c.kernel, c.kernel, channels, c.out ?? 0] : [c.kernel, c.kernel, channels, 1];
    const side = Math.ceil(c.x[1] / c.stride);
    const r = [c.x[0], side, side, c.kind === 'conv2d' ? (c.out ?? 0) : channels];
    const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
      c.kind === 'conv2d' ? tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, 'same') : tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, 'same');
    const { worst, lowestInput, grew } = await compare([values(c.x), values(w), values(r)], (x, k, s) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), s as tf.Tensor)))([x as tf.Tensor, k as tf.Tensor]),
    );
    t.true(lowestInput >= TWO_GIB, `inputs at ${lowestInput}`);
    t.true(grew, 'the heap grew between the two calls');
    t.true(worst <= 1e-4, `max relative error ${worst}`);
  });
}

for (const shape of [[1, 112, 112, 96], [2, 56, 56, 144], [2, 7, 7, 1280]] as const) {
  test.serial(`training batch norm on ${shape.join('×')} (SIMD and JavaScript passes): y, mean, variance, dx, dγ, dβ equal cpu above 2 GiB, across heap growth`, async (t) => {
    const C = shape[3];
    const inputs = [values(shape), values([C]), values([C]), values(shape)];
    const { worst, lowestInput, grew } = await compare(inputs, (x, gamma, beta, r) => batchNormOutputsAndGradients(x as tf.Tensor, gamma as tf.Tensor, beta as tf.Tensor, r as tf.Tensor), [true, false]);
    t.true(lowestInput >= TWO_GIB, `inputs at ${lowestInput}`);
    t.true(grew, 'the heap grew between the two calls');
    t.true(worst <= 1e-4, `max relative error ${worst}`);
  });
}

test.serial('swish in training on 1×112×112×96 (SIMD and JavaScript gradient): output and gradient equal cpu above 2 GiB, across heap growth', async (t) => {
  const shape = [1, 112, 112, 96];
  const { worst, lowestInput, grew } = await compare([values(shape), values(shape)], (x, r) => swishOutputAndGradient(x as tf.Tensor, r as tf.Tensor), [true, false]);
  t.true(lowestInput >= TWO_GIB, `inputs at ${lowestInput}`);
  t.true(grew, 'the heap grew between the two calls');
  t.true(worst <= 1e-5, `max relative error ${worst}`);
});

test.after.always(() => {
  wasmHeap()._free(spacer);
});
