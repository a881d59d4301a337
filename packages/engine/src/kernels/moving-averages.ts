/**
 * ScaleLabMovingAverages for wasm: batch norm's moving mean and variance updated in one kernel,
 *   m ← m − (m − batch)·(1 − momentum)   (TF.js' BatchNormalization's own formula, for both),
 * returning [mean, variance]. TF.js' layer updates each with Sub, Multiply, Sub: six kernel dispatches per batch
 * norm per step, ~300 per EfficientNet step, for vectors of a few hundred floats.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { f32 } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';

export const MOVING_AVERAGES = 'ScaleLabMovingAverages';

function movingAverages({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { movingMean, movingVariance, mean, variance } = inputs as Record<'movingMean' | 'movingVariance' | 'mean' | 'variance', TensorInfo>;
  const { momentum } = attrs as { momentum: number };
  const outputs = [wasm.makeOutput([...movingMean.shape], 'float32'), wasm.makeOutput([...movingVariance.shape], 'float32')];
  [[movingMean, mean], [movingVariance, variance]].forEach(([moving, batch], i) => {
    const m = f32(wasm, moving as TensorInfo);
    const b = f32(wasm, batch as TensorInfo);
    const out = f32(wasm, outputs[i] as TensorInfo);
    for (let c = 0; c < m.length; c++) out[c] = (m[c] as number) - ((m[c] as number) - (b[c] as number)) * (1 - momentum);
  });
  return outputs;
}

export const movingAveragesConfig: tf.KernelConfig = {
  kernelName: MOVING_AVERAGES,
  backendName: 'wasm',
  kernelFunc: movingAverages as tf.KernelFunc,
};
