/**
 * Cast for wasm that shares its input's memory when the dtype does not change (as the cpu backend's Cast does), and
 * hands every other cast to the backend's own kernel. TF.js' Multiply gradient casts the other operand to float32
 * (`mul(dy, cast(b, 'float32'))`) and the backend's Cast copies it: 211 full-size copies per EfficientNet-B0
 * training step at 224 px, batch 8 — 48 ms of its 1,639 ms of kernel time in bench:train's baseline profile, 222 of
 * 2,044 ms in another (tf.profile; the machine's speed varies).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { backendKernel } from './backend-kernels.js';
import type { KernelArgs, TensorInfo } from './heap.js';

function cast(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { dtype } = args.attrs as { dtype: tf.DataType };
  if (x.dtype !== dtype) return backendKernel('Cast')(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  (args.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype };
}

export const castConfig: tf.KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast as tf.KernelFunc,
};
