/**
 * Conv2DBackpropInput for wasm, replacing the backend's direct loop: dCols = dY · Wᵀ on the XNNPACK matmul (Wᵀ
 * made here, it is small), then col2im; for 1×1 stride-1 convolutions dX = dCols.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { convGeometry } from './conv-geometry.js';
import { f32, free, matMul, reshaped, transposeInto, zeros } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';
import { col2im, isPointwise } from './im2col.js';

interface Attrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: unknown;
  dimRoundingMode?: unknown;
  inputShape: [number, number, number, number];
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as Attrs;
  const g = convGeometry(a.inputShape, filter.shape, a, false);
  const P = g.batch * g.outH * g.outW;
  const K = g.kH * g.kW * g.inC;
  const wT = wasm.makeOutput([g.outC, K], 'float32');
  transposeInto(f32(wasm, filter), K, g.outC, f32(wasm, wT));
  const dCols = matMul(wasm, dy, wT, P, g.outC, K);
  free(wasm, wT);
  if (isPointwise(g)) return reshaped(dCols, [...a.inputShape]);
  const dx = zeros(wasm, [...a.inputShape]);
  col2im(f32(wasm, dCols), g, f32(wasm, dx));
  free(wasm, dCols);
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};
