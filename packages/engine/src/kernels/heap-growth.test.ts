/**
 * No ScaleLab kernel keeps a view of the wasm heap across its own allocations. Each kernel here runs with the heap
 * filled just before it (kernel-testing's HeapFiller), so its first allocation grows the heap and detaches every
 * view taken earlier: a kernel that read or wrote through such a view would compute from an empty buffer. Results
 * are compared with TF.js' cpu backend, on every code path of each kernel (im2col or pointwise, the SIMD aᵀ·b loop or
 * XNNPACK with either operand transposed, SIMD or JavaScript loops, the forward-convolution route or the direct loop).
 */
import test from 'ava';
import { useBackend } from '../backend.js';
import { seededRandom } from '../random.js';
import { tf } from '../tf.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from './batch-norm-train.js';
import { batchNormOutputsAndGradients, HeapFiller, maxAbsDifference, onBothBackends, swishOutputAndGradient, wasmHeap } from './kernel-testing.js';
import type { InputTensor } from './kernel-testing.js';
import { WASM_TRAINING_KERNELS } from './register.js';
import { SWISH_GRAD } from './swish-grad.js';
import { useSimdLoops } from './simd/channel-loops.js';

const random = seededRandom(5);
const input = (shape: readonly number[]): InputTensor => ({ values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1), shape });

const WATCHED = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, SWISH_GRAD];
const grewIn = new Set<string>();

test.before(async () => {
  await useBackend('wasm');
  const filler = new HeapFiller();
  for (const config of WASM_TRAINING_KERNELS.filter((c) => WATCHED.includes(c.kernelName))) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        filler.fill();
        const size = wasmHeap().HEAPU8.length;
        const out = config.kernelFunc(args);
        if (wasmHeap().HEAPU8.length > size) grewIn.add(config.kernelName);
        filler.release();
        return out;
      },
    });
  }
});

type Case = { name: string; x: number[]; filter: number[]; stride: number; depthwise: boolean; simd: boolean };
const CASES: readonly Case[] = [
  { name: 'conv2d 3×3 stride 2, im2col and the SIMD aᵀ·b loop (K 72, N 16)', x: [2, 9, 9, 8], filter: [3, 3, 8, 16], stride: 2, depthwise: false, simd: true },
  { name: 'conv2d 3×3 on 3 channels, im2col and XNNPACK with colsᵀ (K 27 ≤ N 32)', x: [2, 9, 9, 3], filter: [3, 3, 3, 32], stride: 2, depthwise: false, simd: true },
  { name: 'conv2d 1×1 6 → 5 channels, XNNPACK with dYᵀ (K 6 > N 5)', x: [2, 8, 8, 6], filter: [1, 1, 6, 5], stride: 1, depthwise: false, simd: true },
  { name: 'conv2d 1×1 (pointwise, the SIMD aᵀ·b loop)', x: [2, 8, 8, 16], filter: [1, 1, 16, 32], stride: 1, depthwise: false, simd: true },
  { name: 'depthwise 3×3 stride 2 (SIMD dW, dX by forward convolution)', x: [2, 9, 9, 64], filter: [3, 3, 64, 1], stride: 2, depthwise: true, simd: true },
  { name: 'depthwise 3×3 stride 2 (JavaScript dW)', x: [2, 9, 9, 64], filter: [3, 3, 64, 1], stride: 2, depthwise: true, simd: false },
  { name: 'depthwise multiplier 2 (direct dX loop)', x: [2, 8, 8, 64], filter: [3, 3, 64, 2], stride: 1, depthwise: true, simd: true },
];

for (const c of CASES) {
  test.serial(`${c.name}: dx and dW equal cpu when the heap grows inside the kernel`, async (t) => {
    const outC = c.depthwise ? (c.x[3] ?? 0) * (c.filter[3] ?? 0) : (c.filter[3] ?? 0);
    const side = Math.ceil((c.x[1] ?? 0) / c.stride);
    const conv = (a: tf.Tensor, w: tf.Tensor): tf.Tensor =>
      c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.stride, 'same') : tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.stride, 'same');
    useSimdLoops(c.simd);
    const [cpu, wasm] = await onBothBackends([input(c.x), input(c.filter), input([c.x[0] ?? 0, side, side, outC])], (x, w, r) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), r as tf.Tensor)))([x as tf.Tensor, w as tf.Tensor]),
    );
    useSimdLoops(true);
    t.true(maxAbsDifference(cpu, wasm) <= 1e-4, `max abs error ${maxAbsDifference(cpu, wasm)}`);
  });
}

// Batch norm and swish, each on its SIMD and its JavaScript loops.
const PASSES: readonly { name: string; inputs: readonly (readonly number[])[]; f: (...xs: tf.Tensor[]) => tf.Tensor[]; tolerance: number }[] = [
  { name: 'training batch norm: outputs and gradients', inputs: [[4, 6, 6, 64], [64], [64], [4, 6, 6, 64]], f: (x, g, b, r) => batchNormOutputsAndGradients(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, r as tf.Tensor), tolerance: 1e-4 },
  { name: 'swish in training: output and gradient', inputs: [[2, 8, 8, 64], [2, 8, 8, 64]], f: (x, r) => swishOutputAndGradient(x as tf.Tensor, r as tf.Tensor), tolerance: 1e-5 },
];
for (const p of PASSES) {
  for (const simd of [true, false]) {
    test.serial(`${p.name} (${simd ? 'SIMD' : 'JavaScript'} loops) equal cpu when the heap grows inside the kernels`, async (t) => {
      useSimdLoops(simd);
      const [cpu, wasm] = await onBothBackends(p.inputs.map(input), p.f);
      useSimdLoops(true);
      t.true(maxAbsDifference(cpu, wasm) <= p.tolerance, `max abs error ${maxAbsDifference(cpu, wasm)}`);
    });
  }
}

test.serial('the heap did grow inside every watched kernel (else the tests above prove nothing)', (t) => {
  t.deepEqual([...grewIn].sort(), [...WATCHED].sort());
});
