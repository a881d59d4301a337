/**
 * ScaleLabSpatialBroadcast for wasm: out[n, y, x, c] = scale·v[n, c] over an H×W image, the gradient of a global
 * average pooling (layers/global-average-pooling.ts). TF.js' Mean gradient builds ones of the input's shape in
 * JavaScript, uploads them, then multiplies and divides: three full-size passes and a JS allocation per pooling
 * (makeOnesTypedArray alone was 3% of a proxy-b0 step in a CPU profile). Here: one C-vector per image, written
 * once and doubled by copyWithin (memory-copy speed).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { f32 } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';

export const SPATIAL_BROADCAST = 'ScaleLabSpatialBroadcast';

interface Attrs {
  height: number;
  width: number;
  scale: number;
}

function spatialBroadcast({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x } = inputs as { x: TensorInfo };
  const { height, width, scale } = attrs as Attrs;
  const [N = 1, C = 1] = x.shape;
  const out = wasm.makeOutput([N, height, width, C], 'float32');
  const v = f32(wasm, x);
  const o = f32(wasm, out);
  const image = height * width * C;
  for (let n = 0; n < N; n++) {
    const base = n * image;
    for (let c = 0; c < C; c++) o[base + c] = scale * (v[n * C + c] as number);
    for (let filled = C; filled < image; filled *= 2) o.copyWithin(base + filled, base, base + Math.min(filled, image - filled));
  }
  return out;
}

export const spatialBroadcastConfig: tf.KernelConfig = {
  kernelName: SPATIAL_BROADCAST,
  backendName: 'wasm',
  kernelFunc: spatialBroadcast as tf.KernelFunc,
};
