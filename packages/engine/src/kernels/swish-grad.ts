/**
 * ScaleLabSwishGrad for wasm: the gradient of swish y = x·s, s = sigmoid(x), in one pass,
 * dx = dy·s·(1 + x·(1 − s)), from the saved x and s (layers/activation.ts saves them in the forward pass).
 * TF.js' swish is sigmoid(x·1)·x: its backward pass is ~7 full-size kernels (two Multiply gradients with their
 * Casts, the sigmoid's, the ·1's) and its forward keeps a copy of x (x·1) for them.
 * SIMD loop (simd/channel-loops.wat) over the multiple-of-4 part, JavaScript for the rest or with SIMD off.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { f32 } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';
import { address, simdLoops } from './simd/channel-loops.js';

export const SWISH_GRAD = 'ScaleLabSwishGrad';

function swishGrad({ inputs, backend }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, x, s } = inputs as { dy: TensorInfo; x: TensorInfo; s: TensorInfo };
  const dx = wasm.makeOutput([...x.shape], 'float32');
  const n = x.shape.reduce((a, b) => a * b, 1);
  const loops = simdLoops(wasm);
  const vectorized = loops === undefined ? 0 : n - (n % 4);
  if (loops !== undefined && vectorized > 0) loops.swishGradient(address(wasm, dy), address(wasm, x), address(wasm, s), address(wasm, dx), vectorized);
  const dys = f32(wasm, dy);
  const xs = f32(wasm, x);
  const ss = f32(wasm, s);
  const out = f32(wasm, dx);
  for (let i = vectorized; i < n; i++) {
    const sv = ss[i] as number;
    out[i] = (dys[i] as number) * sv * (1 + (xs[i] as number) * (1 - sv));
  }
  return dx;
}

export const swishGradConfig: tf.KernelConfig = {
  kernelName: SWISH_GRAD,
  backendName: 'wasm',
  kernelFunc: swishGrad as tf.KernelFunc,
};
