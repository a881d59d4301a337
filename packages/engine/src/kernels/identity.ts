/**
 * Identity for wasm that shares its input's memory (a reference, as the cpu backend's Identity does) instead of
 * copying it. TF.js clones every tensor it saves for the backward pass, ~900 Identity calls per proxy-b0 training
 * step, each a full copy of an activation on the wasm backend. Tensors are immutable and every kernel writes only
 * the outputs it allocates, so sharing is safe; the data is freed when its last holder is disposed.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import type { KernelArgs, TensorInfo } from './heap.js';

function identity({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as tf.KernelFunc,
};
