/**
 * ScaleLab's wasm training kernels against TF.js' cpu backend (the reference): every kernel over strides 1 and 2,
 * kernels 1/3/5, `same` and `valid` padding and odd sizes, max abs error ≤ 1e-4; and whole-model gradients of a
 * small MBConv+SE network.
 */
import test from 'ava';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ExecutionContext } from 'ava';
import { zooModel } from '@scalelab/arch';
import { useBackend } from '../backend.js';
import { buildModel } from '../build.js';
import { seededRandom } from '../random.js';
import { tf } from '../tf.js';
import { TrainingBatchNormalization } from '../layers/batch-norm.js';
import { TrainingConv2D } from '../layers/conv.js';
import { TrainingGlobalAveragePooling2D } from '../layers/global-average-pooling.js';
import { batchNormOutputsAndGradients, maxAbsDifference, onBothBackends, swishOutputAndGradient } from './kernel-testing.js';
import { useSimdLoops } from './simd/channel-loops.js';

const random = seededRandom(42);
const values = (n: number): Float32Array => Float32Array.from({ length: n }, () => random() * 2 - 1);
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function maxAbsError(t: ExecutionContext, a: readonly Float32Array[], b: readonly Float32Array[]): number {
  const worst = maxAbsDifference(a, b);
  t.true(Number.isFinite(worst), 'outputs of the same count and sizes');
  return worst;
}

const outSize = (n: number, k: number, s: number, pad: 'same' | 'valid'): number => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

interface Case {
  kernel: number;
  stride: number;
  pad: 'same' | 'valid';
  h: number;
  w: number;
}
const CASES: Case[] = [];
for (const kernel of [1, 3, 5]) for (const stride of [1, 2]) for (const pad of ['same', 'valid'] as const) for (const [h, w] of [[7, 9], [8, 8], [11, 5]] as const) {
  if (pad === 'valid' && (h < kernel || w < kernel)) continue;
  CASES.push({ kernel, stride, pad, h, w });
}

// Depthwise multiplier 1 takes the forward-convolution route for dX, multiplier 2 the direct loop; 8 channels
// take the SIMD loop for dW, 5 the JavaScript one. conv2d with 8 input and 12 output channels takes the SIMD
// aᵀ·b loop for dW (4×8 tiles and a 4-column tail), with 5 input channels the XNNPACK matmul: test each.
for (const [kind, mult, inC, outC2d] of [['conv2d', 1, 5, 6], ['conv2d', 1, 8, 12], ['depthwise', 1, 5, 0], ['depthwise', 1, 8, 0], ['depthwise', 2, 5, 0], ['depthwise', 2, 8, 0]] as const) {
  const name = kind === 'conv2d' ? `conv2d (${inC} → ${outC2d} channels)` : `${kind} (multiplier ${mult}, ${inC} channels)`;
  test.serial(`${name} gradients (dx and dW: Conv2DBackprop*/DepthwiseConv2dNativeBackprop*) equal cpu over ${CASES.length} geometries`, async (t) => {
    let worst = 0;
    for (const c of CASES) {
      const xShape = [2, c.h, c.w, inC];
      const wShape = kind === 'conv2d' ? [c.kernel, c.kernel, inC, outC2d] : [c.kernel, c.kernel, inC, mult];
      const outC = kind === 'conv2d' ? outC2d : inC * mult;
      const rShape = [2, outSize(c.h, c.kernel, c.stride, c.pad), outSize(c.w, c.kernel, c.stride, c.pad), outC];
      const [cpu, wasm] = await onBothBackends(
        [{ values: values(size(xShape)), shape: xShape }, { values: values(size(wShape)), shape: wShape }, { values: values(size(rShape)), shape: rShape }],
        (x, w, r) => {
          const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
            kind === 'conv2d' ? tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad) : tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
          return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), r as tf.Tensor)))([x as tf.Tensor, w as tf.Tensor]);
        },
      );
      worst = Math.max(worst, maxAbsError(t, cpu, wasm));
    }
    t.true(worst <= 1e-4, `max abs error ${worst}`);
  });
}

test.serial('training-mode batch norm (forward outputs and dx, dγ, dβ) equals TF.js moments + batchNorm on cpu', async (t) => {
  let worst = 0;
  for (const shape of [[3, 5, 7, 4], [2, 1, 1, 9], [16, 3, 3, 24]]) {
    const C = shape[3] as number;
    const inputs = [
      { values: values(size(shape)).map((v) => 3 * v + 0.5), shape },
      { values: values(C).map((v) => 1 + 0.5 * v), shape: [C] },
      { values: values(C), shape: [C] },
      { values: values(size(shape)), shape },
    ];
    const [expected, actual] = await onBothBackends(inputs, (x, gamma, beta, r) => batchNormOutputsAndGradients(x as tf.Tensor, gamma as tf.Tensor, beta as tf.Tensor, r as tf.Tensor));
    worst = Math.max(worst, maxAbsError(t, expected, actual));
  }
  t.true(worst <= 1e-4, `max abs error ${worst}`);
});

test.serial('whole-model gradients of a small MBConv+SE network (proxy-b0 at 16 px) equal cpu', async (t) => {
  const spec = { ...zooModel('proxy-b0'), input: { resolution: 16, channels: 1, normalization: 'none' as const } };
  const own = seededRandom(7); // its own stream: the input must not depend on which tests ran before
  const x = Float32Array.from({ length: 8 * 16 * 16 }, () => own() * 2 - 1);
  const labels = Int32Array.from({ length: 8 }, (_, i) => i);
  const gradients = async (backend: 'cpu' | 'wasm'): Promise<{ loss: number; grads: Float32Array[] }> => {
    await useBackend(backend);
    const model = buildModel(spec, { seed: 3, outputLogits: true });
    const out = tf.tidy(() => {
      const input = tf.tensor4d(x, [8, 16, 16, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(input, { training: true }) as tf.Tensor) as tf.Scalar);
      return { loss: value.dataSync()[0] ?? Number.NaN, grads: model.trainableWeights.map((w) => (grads[(w.read() as tf.Variable).name] as tf.Tensor).dataSync() as Float32Array) };
    });
    model.dispose();
    return out;
  };
  const cpu = await gradients('cpu');
  const wasm = await gradients('wasm');
  // float32 sums in different orders: relative agreement to 1e-5
  t.true(Math.abs(cpu.loss - wasm.loss) < 1e-5 * Math.abs(cpu.loss), `loss ${cpu.loss} vs ${wasm.loss}`);
  t.is(cpu.grads.length, wasm.grads.length);
  // Per tensor, error relative to the tensor's largest gradient (float32 sums in different orders), or to a
  // thousandth of the model's largest gradient for tensors whose gradients are themselves rounding noise.
  const globalScale = Math.max(...cpu.grads.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  cpu.grads.forEach((g, i) => {
    const h = wasm.grads[i] as Float32Array;
    let scale = 0;
    let err = 0;
    for (let j = 0; j < g.length; j++) {
      scale = Math.max(scale, Math.abs(g[j] as number));
      err = Math.max(err, Math.abs((g[j] as number) - (h[j] as number)));
    }
    t.true(err / Math.max(scale, 1e-3 * globalScale) < 1e-3, `weight ${i}: error ${err} of ${scale}`);
  });
});

test.serial('Identity on wasm shares memory: a clone outlives its source, and the memory is freed with the last holder', async (t) => {
  await useBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.clone(a);
  t.is(backend.dataIdMap.get(b.dataId)?.memoryOffset, backend.dataIdMap.get(a.dataId)?.memoryOffset, 'one buffer for both');
  a.dispose();
  t.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
  const dataId = b.dataId;
  b.dispose();
  t.false(backend.dataIdMap.has(dataId), 'freed with the last holder');
});

for (const simd of [true, false]) {
  test.serial(`swish in training (${simd ? 'SIMD' : 'JavaScript'} gradient): output and gradient on wasm equal TF.js' swish on cpu, odd sizes included`, async (t) => {
    let worst = 0;
    for (const shape of [[2, 5, 7, 12], [3, 5, 7, 3], [1, 1, 1, 5]]) {
      const inputs = [{ values: values(size(shape)).map((v) => 6 * v), shape }, { values: values(size(shape)), shape }];
      useSimdLoops(simd);
      const [cpu, wasm] = await onBothBackends(inputs, (x, r) => swishOutputAndGradient(x as tf.Tensor, r as tf.Tensor));
      useSimdLoops(true);
      worst = Math.max(worst, maxAbsError(t, cpu, wasm));
    }
    t.true(worst <= 1e-5, `max abs error ${worst}`);
  });
}

test.serial('Cast on wasm: to its own dtype shares memory; to another dtype converts as the backend does (float32 → int32 truncates)', async (t) => {
  await useBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const a = tf.tensor1d([1.7, -2.5, 3]);
  const same = tf.cast(a, 'float32');
  t.is(backend.dataIdMap.get(same.dataId)?.memoryOffset, backend.dataIdMap.get(a.dataId)?.memoryOffset);
  const ints = tf.cast(a, 'int32');
  t.is(ints.dtype, 'int32');
  t.deepEqual(Array.from(ints.dataSync()), [1, -2, 3]);
  a.dispose();
  t.deepEqual(Array.from(same.dataSync()), [1.7000000476837158, -2.5, 3]);
  tf.dispose([same, ints]);
});

test.serial('global average pooling in training: output and gradient on wasm (one broadcast) equal TF.js on cpu', async (t) => {
  let worst = 0;
  for (const shape of [[2, 5, 7, 12], [3, 1, 1, 5], [1, 4, 4, 3]]) {
    const [cpu, wasm] = await onBothBackends([{ values: values(size(shape)), shape }, { values: values((shape[0] ?? 1) * (shape[3] ?? 1)), shape: [shape[0] ?? 1, shape[3] ?? 1] }], (x, r) => {
      const layer = new TrainingGlobalAveragePooling2D({});
      const f = (a: tf.Tensor): tf.Tensor => layer.apply(a, { training: true }) as tf.Tensor;
      return [f(x as tf.Tensor), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), r as tf.Tensor)))(x as tf.Tensor)];
    });
    worst = Math.max(worst, maxAbsError(t, cpu, wasm));
  }
  t.true(worst <= 1e-6, `max abs error ${worst}`);
});

test.serial('a convolution without bias trains through the plain conv2d op: no input gradient for an input that needs none (the stem), the same filter gradient', async (t) => {
  const x = { values: values(2 * 9 * 9 * 3), shape: [2, 9, 9, 3] };
  const run = async (backend: 'cpu' | 'wasm'): Promise<{ dW: Float32Array; kernels: string[] }> => {
    await useBackend(backend);
    const layer = new TrainingConv2D({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
    const input = tf.tensor4d(x.values, [2, 9, 9, 3]);
    layer.apply(input); // builds the kernel
    let dW: Float32Array = new Float32Array(0);
    const info = await tf.profile(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(input, { training: true }) as tf.Tensor)), layer.trainableWeights.map((w) => w.read() as tf.Variable));
      dW = Object.values(grads)[0]?.dataSync() as Float32Array;
      tf.dispose(Object.values(grads));
    });
    input.dispose();
    layer.dispose();
    return { dW, kernels: info.kernels.map((k) => k.name) };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  t.false(wasm.kernels.includes('Conv2DBackpropInput'), wasm.kernels.join(' '));
  t.true(wasm.kernels.includes('Conv2DBackpropFilter'));
  t.true(maxAbsDifference([cpu.dW], [wasm.dW]) <= 1e-4);
});

test.serial("batch norm's moving mean and variance after two training calls (one kernel on wasm) equal TF.js' layer on cpu", async (t) => {
  const shape = [4, 3, 3, 6];
  const batches = [values(size(shape)).map((v) => 2 * v + 1), values(size(shape)).map((v) => v - 0.5)];
  const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
    await useBackend(backend);
    const layer = new TrainingBatchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    for (const b of batches) tf.tidy(() => void layer.apply(tf.tensor4d(b, [4, 3, 3, 6]), { training: true }));
    const stats = layer.getWeights().slice(2).map((w) => w.dataSync() as Float32Array); // moving mean, variance
    layer.dispose();
    return stats;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  t.is(cpu.length, 2);
  t.true(maxAbsError(t, cpu, wasm) <= 1e-5, `max abs error ${maxAbsDifference(cpu, wasm)}`);
});
