/**
 * The SIMD loops of channel-loops.wat, instantiated on the wasm backend's own memory (imported, not copied):
 * arguments are tensors' byte offsets on that heap. Kernels call `channelLoops(backend, channels)` (or `simdLoops`
 * for elementwise loops) and fall back to their JavaScript loops when it returns undefined (SIMD switched off, or
 * channels not a multiple of 4).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '../heap.js';
import { CHANNEL_LOOPS_WASM_BASE64 } from './channel-loops.wasm.js';

export interface ChannelLoops {
  channelSums(x: number, positions: number, channels: number, scratch: number, sum: number, sumSq: number): void;
  gradientSums(dy: number, x: number, positions: number, channels: number, mean: number, scratch: number, sumDy: number, sumDyX: number): void;
  channelAffine(u: number, v: number, out: number, positions: number, channels: number, a: number, b: number, d: number): void;
  depthwiseFilterGradient(
    x: number, dy: number, scratch: number, acc: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
    kH: number, kW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
  ): void;
  swishGradient(dy: number, x: number, s: number, out: number, count: number): void;
  matmulTransposedA(a: number, b: number, c: number, P: number, K: number, N: number, rows: number): void;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let enabled = true;
let compiled: object | undefined;
const bound = new WeakMap<object, ChannelLoops>();

/** Switch the SIMD loops off (or back on): for benchmarks and tests that compare them with the JavaScript loops. */
export function useSimdLoops(on: boolean): void {
  enabled = on;
}

/** The loops bound to `backend`'s heap, when enabled and `channels` suits them (a multiple of 4). */
export function channelLoops(backend: BackendWasm, channels: number): ChannelLoops | undefined {
  if (channels < 4 || channels % 4 !== 0) return undefined;
  return simdLoops(backend);
}

/** The loops bound to `backend`'s heap, when enabled (for elementwise loops, which take any multiple of 4 floats). */
export function simdLoops(backend: BackendWasm): ChannelLoops | undefined {
  if (!enabled) return undefined;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let loops = bound.get(memory);
  if (loops === undefined) {
    compiled ??= new WebAssembly.Module(Buffer.from(CHANNEL_LOOPS_WASM_BASE64, 'base64'));
    loops = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as ChannelLoops;
    bound.set(memory, loops);
  }
  return loops;
}

/** A tensor's byte offset on the backend's heap. */
export function address(backend: BackendWasm, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (offset === undefined) throw new Error('a tensor passed to a SIMD loop is not on the wasm heap');
  return offset;
}
