/**
 * ScaleLabMomentumStep for wasm: one momentum-SGD update of a variable in one pass,
 *   a' = m·a + g,  v' = v − lr·a',
 * returning [v', a'] (fused-momentum.ts assigns them). TF.js' MomentumOptimizer runs four kernels per variable
 * (Multiply, Add, Multiply, Add): ~200 variables in EfficientNet, so ~600 extra kernel dispatches per step, each
 * ~10–20 µs of JavaScript. A JavaScript loop suffices: B0's 4 M weights take ~5 ms a step, ~0.3% of one at 224 px.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { f32 } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';

export const MOMENTUM_STEP = 'ScaleLabMomentumStep';

interface Attrs {
  learningRate: number;
  momentum: number;
}

function momentumStep({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const wasm = backend as BackendWasm;
  const { value, accumulation, gradient } = inputs as Record<'value' | 'accumulation' | 'gradient', TensorInfo>;
  const { learningRate, momentum } = attrs as Attrs;
  const newValue = wasm.makeOutput([...value.shape], 'float32');
  const newAccumulation = wasm.makeOutput([...value.shape], 'float32');
  const v = f32(wasm, value);
  const a = f32(wasm, accumulation);
  const g = f32(wasm, gradient);
  const v2 = f32(wasm, newValue);
  const a2 = f32(wasm, newAccumulation);
  for (let i = 0; i < v.length; i++) {
    const next = momentum * (a[i] as number) + (g[i] as number);
    a2[i] = next;
    v2[i] = (v[i] as number) - learningRate * next;
  }
  return [newValue, newAccumulation];
}

export const momentumStepConfig: tf.KernelConfig = {
  kernelName: MOMENTUM_STEP,
  backendName: 'wasm',
  kernelFunc: momentumStep as tf.KernelFunc,
};
