/**
 * Training-mode batch normalization over the last axis for wasm, as two kernels and a gradient, replacing TF.js'
 * composition (moments → FusedBatchNorm, whose gradient tiles 1/σ to the activation shape and back-propagates
 * through the moments): measured here, that composition was ~40% of a training step.
 *
 * Forward (2 passes over x): per-channel mean and biased variance summed in float64, then
 *   y = γ·(x − μ)/σ + β,  σ = √(var + ε).
 * Backward (2 passes), the closed form with x̂ = (x − μ)/σ and M values per channel:
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/σ · (dy − dβ/M − x̂·dγ/M).
 * Measured alternative, slower: the same passes on the backend's kernels (ones·X matmuls for the sums,
 * FusedBatchNorm, broadcast Multiply/Add) took 50 + 52 ms per proxy-b0 step at batch 128 against 28 + 40 here.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { f32 } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';

export const BATCH_NORM_TRAIN = 'ScaleLabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'ScaleLabBatchNormTrainGrad';

interface Attrs {
  epsilon: number;
}

function batchNormTrain({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { epsilon } = attrs as Attrs;
  const C = x.shape[x.shape.length - 1] ?? 1;
  const y = wasm.makeOutput([...x.shape], 'float32');
  const mean = wasm.makeOutput([C], 'float32');
  const variance = wasm.makeOutput([C], 'float32');
  const xs = f32(wasm, x);
  const size = xs.length;
  const M = size / C;
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  for (let p = 0; p < size; p += C) {
    for (let c = 0; c < C; c++) {
      const v = xs[p + c] as number;
      sum[c] = (sum[c] as number) + v;
      sumSq[c] = (sumSq[c] as number) + v * v;
    }
  }
  const gs = f32(wasm, gamma);
  const bs = f32(wasm, beta);
  const means = f32(wasm, mean);
  const vars = f32(wasm, variance);
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const mu = (sum[c] as number) / M;
    const v = Math.max(0, (sumSq[c] as number) / M - mu * mu);
    means[c] = mu;
    vars[c] = v;
    const a = (gs[c] as number) / Math.sqrt(v + epsilon);
    scale[c] = a;
    shift[c] = (bs[c] as number) - mu * a;
  }
  const ys = f32(wasm, y);
  for (let p = 0; p < size; p += C) {
    for (let c = 0; c < C; c++) ys[p + c] = (xs[p + c] as number) * (scale[c] as number) + (shift[c] as number);
  }
  return [y, mean, variance];
}

function batchNormTrainGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', TensorInfo>;
  const { epsilon } = attrs as Attrs;
  const C = x.shape[x.shape.length - 1] ?? 1;
  const dx = wasm.makeOutput([...x.shape], 'float32');
  const dGamma = wasm.makeOutput([C], 'float32');
  const dBeta = wasm.makeOutput([C], 'float32');
  const xs = f32(wasm, x);
  const dys = f32(wasm, dy);
  const means = f32(wasm, mean);
  const vars = f32(wasm, variance);
  const gs = f32(wasm, gamma);
  const size = xs.length;
  const M = size / C;
  const inv = new Float64Array(C);
  for (let c = 0; c < C; c++) inv[c] = 1 / Math.sqrt((vars[c] as number) + epsilon);
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C); // Σ dy·(x − μ); dγ = this · inv
  for (let p = 0; p < size; p += C) {
    for (let c = 0; c < C; c++) {
      const g = dys[p + c] as number;
      sumDy[c] = (sumDy[c] as number) + g;
      sumDyX[c] = (sumDyX[c] as number) + g * ((xs[p + c] as number) - (means[c] as number));
    }
  }
  // dx = A·dy + B·x + D per channel, with A = γ/σ, B = −A·dγ/(M·σ), D = −A·dβ/M − B·μ.
  const A = new Float32Array(C);
  const B = new Float32Array(C);
  const D = new Float32Array(C);
  const dgs = f32(wasm, dGamma);
  const dbs = f32(wasm, dBeta);
  for (let c = 0; c < C; c++) {
    const i = inv[c] as number;
    const dg = (sumDyX[c] as number) * i;
    const db = sumDy[c] as number;
    dgs[c] = dg;
    dbs[c] = db;
    const a = (gs[c] as number) * i;
    const b = (-a * dg * i) / M;
    A[c] = a;
    B[c] = b;
    D[c] = (-a * db) / M - b * (means[c] as number);
  }
  const dxs = f32(wasm, dx);
  for (let p = 0; p < size; p += C) {
    for (let c = 0; c < C; c++) dxs[p + c] = (A[c] as number) * (dys[p + c] as number) + (B[c] as number) * (xs[p + c] as number) + (D[c] as number);
  }
  return [dx, dGamma, dBeta];
}

export const batchNormTrainConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: 'wasm',
  kernelFunc: batchNormTrain as tf.KernelFunc,
};

export const batchNormTrainGradConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: 'wasm',
  kernelFunc: batchNormTrainGrad as tf.KernelFunc,
};

export const batchNormTrainGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const dyY = Array.isArray(dy) ? dy[0] : dy;
    if (dyY === undefined) throw new Error(`${BATCH_NORM_TRAIN}: no gradient for y`);
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dyY, x, mean, variance, gamma }, attrs) as tf.Tensor[];
    return { x: () => dx as tf.Tensor, gamma: () => dGamma as tf.Tensor, beta: () => dBeta as tf.Tensor };
  },
};
