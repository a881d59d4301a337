/**
 * Conv2DBackpropFilter for wasm (the backend has none): dW = colsᵀ · dY (or its transpose dYᵀ · cols), with the
 * transposed operand built here so that the matmul runs untransposed on the backend's XNNPACK path.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { convGeometry } from './conv-geometry.js';
import { f32, free, matMul, reshaped, transposeInto } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';
import { im2col, isPointwise } from './im2col.js';

interface Attrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: unknown;
  dimRoundingMode?: unknown;
  filterShape: [number, number, number, number];
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as Attrs;
  const g = convGeometry(x.shape, a.filterShape, a, false);
  const P = g.batch * g.outH * g.outW;
  const K = g.kH * g.kW * g.inC;
  const N = g.outC;
  // cols [P, K]: the input itself for a pointwise conv, else im2col.
  let cols = x;
  if (!isPointwise(g)) {
    cols = wasm.makeOutput([P, K], 'float32');
    im2col(f32(wasm, x), g, f32(wasm, cols));
  }
  const freeCols = (): void => {
    if (cols !== x) free(wasm, cols);
  };
  // Both products need one operand transposed across the long P axis; transpose the narrower one.
  if (K <= N) {
    const colsT = wasm.makeOutput([K, P], 'float32');
    transposeInto(f32(wasm, cols), P, K, f32(wasm, colsT));
    freeCols();
    const dw = matMul(wasm, colsT, dy, K, P, N);
    free(wasm, colsT);
    return reshaped(dw, [...a.filterShape]);
  }
  const dyT = wasm.makeOutput([N, P], 'float32');
  transposeInto(f32(wasm, dy), P, N, f32(wasm, dyT));
  const dwT = matMul(wasm, dyT, cols, N, P, K);
  free(wasm, dyT);
  freeCols();
  const dw = wasm.makeOutput([...a.filterShape], 'float32');
  transposeInto(f32(wasm, dwT), N, K, f32(wasm, dw));
  free(wasm, dwT);
  return dw;
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};
