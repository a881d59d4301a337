/**
 * Test support for the wasm kernels: run the same TF.js computation on the cpu backend (the reference) and on wasm
 * (ScaleLab's kernels), measure how far apart the results are, and fill the wasm heap so that the next allocation
 * grows it (which detaches every view of the heap taken before).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '../backend.js';
import { TrainingActivation } from '../layers/activation.js';
import { tf } from '../tf.js';
import { BATCH_NORM_TRAIN } from './batch-norm-train.js';

export interface InputTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** Run `f` on cpu and on wasm with the same inputs; both outputs as flat arrays, cpu first. */
export async function onBothBackends(inputs: readonly InputTensor[], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  return [await onBackend('cpu', inputs, f), await onBackend('wasm', inputs, f)];
}

export async function onBackend(backend: 'cpu' | 'wasm', inputs: readonly InputTensor[], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  // Read the values outside tidy: tidy walks what its function returns, element by element for typed arrays.
  const outputs = tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, [...i.shape]))));
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values;
}

/** The largest |a − b| over paired arrays; Infinity when their counts or lengths differ. */
export function maxAbsDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i] as Float32Array;
    if (x.length !== y.length) worst = Number.POSITIVE_INFINITY;
    for (let j = 0; j < x.length && j < y.length; j++) worst = Math.max(worst, Math.abs((x[j] as number) - (y[j] as number)));
  });
  return worst;
}

/** The largest |a − b| of each output relative to that output's largest |a| (float32 sums in different orders). */
export function maxRelativeDifference(reference: readonly Float32Array[], actual: readonly Float32Array[]): number {
  if (reference.length !== actual.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  reference.forEach((x, i) => {
    const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    worst = Math.max(worst, maxAbsDifference([x], [actual[i] as Float32Array]) / Math.max(scale, Number.MIN_VALUE));
  });
  return worst;
}

interface EmscriptenHeap {
  _malloc(bytes: number): number;
  _free(offset: number): void;
  readonly HEAPU8: Uint8Array;
}

/** The wasm backend's heap as the module's allocator sees it (the backend must have been initialized). */
export function wasmHeap(): EmscriptenHeap {
  const backend = tf.findBackend('wasm') as BackendWasm | null;
  if (backend === null) throw new Error('the wasm backend is not initialized');
  return backend.wasm as unknown as EmscriptenHeap;
}

/**
 * Untouched blocks that take up the heap's free space: `fill()` allocates ever smaller blocks (1 MiB down to 256 B),
 * first from free holes, then from the top until less than 512 B are left, so the next allocation of any real size
 * grows the heap.
 * Blocks are never written, so they cost address space, not memory; `release()` frees them.
 */
export class HeapFiller {
  private readonly blocks: number[] = [];

  fill(): void {
    const heap = wasmHeap();
    let top = 0; // the end of the highest block so far: the heap's free top lies above it
    let growths = 0;
    for (let block = 2 ** 20; block >= 256; block /= 4) {
      // Twice the block: the allocator adds headers and must not have to grow the heap for the next one.
      while (top === 0 || heap.HEAPU8.length - top >= 2 * block) {
        const size = heap.HEAPU8.length;
        const at = heap._malloc(block);
        this.blocks.push(at);
        if (heap.HEAPU8.length === size) {
          top = Math.max(top, at + block);
        } else {
          // The free space is used up (the first blocks came from holes below the top): the block sits at the old
          // top, and what the growth added is filled next. Two growths at most, whatever the allocator does.
          top = at + block;
          if (++growths > 2) return;
        }
      }
    }
  }

  release(): void {
    const heap = wasmHeap();
    for (const at of this.blocks.splice(0)) heap._free(at);
  }
}

/**
 * Training batch norm's outputs [y, mean, variance] and the gradients [dx, dγ, dβ] of sum(y·r): on cpu by TF.js'
 * moments + batchNorm (the reference), elsewhere by ScaleLab's kernel and its gradient.
 */
export function batchNormOutputsAndGradients(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, r: tf.Tensor): tf.Tensor[] {
  const forward = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor[] => {
    if (tf.getBackend() !== 'cpu') return tf.engine().runKernel(BATCH_NORM_TRAIN, { x: a, gamma: g, beta: b }, { epsilon: 1e-3 }) as tf.Tensor[];
    const m = tf.moments(a, [0, 1, 2]);
    return [tf.batchNorm(a, m.mean, m.variance, b, g, 1e-3), m.mean, m.variance];
  };
  return [...forward(x, gamma, beta), ...tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(a, g, b)[0] as tf.Tensor, r)))([x, gamma, beta])];
}

/** Swish in training, y and the gradient of sum(y·r): TF.js' own on cpu, ScaleLab's on wasm (TrainingActivation). */
export function swishOutputAndGradient(x: tf.Tensor, r: tf.Tensor): tf.Tensor[] {
  const layer = new TrainingActivation({ activation: 'swish' });
  const f = (a: tf.Tensor): tf.Tensor => layer.apply(a, { training: true }) as tf.Tensor;
  return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), r)))(x)];
}
