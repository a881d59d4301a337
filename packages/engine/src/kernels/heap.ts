/**
 * Helpers for kernels that work directly on the wasm backend's heap: allocate outputs, view tensors as
 * `Float32Array`s, call the backend's own (XNNPACK) matmul, free intermediates.
 *
 * Views must be taken after the last allocation of a kernel: an allocation may grow the wasm memory, which
 * detaches earlier views.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';

export type TensorInfo = tf.TensorInfo;

/** What TF.js passes to a kernel function (the backend is the wasm one for every kernel here). */
export interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: unknown;
  readonly attrs?: unknown;
}

export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A float32 tensor's memory seen as float64s (half as many): scratch accumulators of the SIMD loops. */
export function f64(backend: BackendWasm, info: TensorInfo): Float64Array {
  const view = f32(backend, info);
  return new Float64Array(view.buffer, view.byteOffset, view.length / 2);
}

/** A zero-filled float32 output on the heap. */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Same data, another shape (no copy; the caller keeps ownership of `info`). */
export const reshaped = (info: TensorInfo, shape: number[]): TensorInfo => ({ dataId: info.dataId, shape, dtype: info.dtype });

let batchMatMul: tf.KernelFunc | undefined;

/**
 * [M, K] × [K, N] → [M, N] through the wasm backend's BatchMatMul, untransposed: that is the XNNPACK path
 * (~16 GMAC/s here); its transposed variants run a generic loop about 12× slower.
 */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number): TensorInfo {
  batchMatMul ??= tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
  if (batchMatMul === undefined) throw new Error('the wasm backend has no BatchMatMul kernel');
  const out = batchMatMul({ inputs: { a: reshaped(a, [1, m, k]), b: reshaped(b, [1, k, n]) }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
  return reshaped(out, [m, n]);
}

/**
 * dst[c·rows + r] = src[r·cols + c]. Tiles of 64×64, and within a tile each output row is written contiguously
 * while the input is read at a short stride: 3–4× faster here than the naive order for tall inputs.
 */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(r0 + T, rows);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(c0 + T, cols);
      for (let c = c0; c < c1; c++) {
        let d = c * rows + r0;
        for (let s = r0 * cols + c; d < c * rows + r1; s += cols) dst[d++] = src[s] as number;
      }
    }
  }
}
