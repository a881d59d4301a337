/**
 * The wasm backend's heap: its size limit, and a guard on its allocations.
 *
 * Why (measured on `scalelab train efficientnet-b0 --resolution 224 --batch 8 --dataset synthetic --steps 6`, every
 * allocation logged): training peaked at 2.6 GB of heap; evaluation then ran at batch 200, where one activation is
 * 963 MB. With the heap at 3.96 GB, `malloc(963 MB)` returned 3.56 GB, a block ending at 4.52 GB, past the end of
 * the heap and of the 32-bit address space, without growing the heap: the allocator's break pointer wrapped around
 * 2^32 instead of failing (emscripten's sbrk in 4 GB mode; emscripten-core/emscripten#24193). TF.js never checks
 * what `malloc` returns, so the next kernel (a Sigmoid) wrote past the heap: "RuntimeError: memory access out of
 * bounds". Where growth fails outright, `malloc` returns 0 and TF.js places the tensor over live data at offset 0.
 * Offsets above 2 GiB are not a problem in themselves: a sigmoid of a tensor at 2.2 GB computes correctly.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EngineError } from './errors.js';
import { tf } from './tf.js';

/** The largest the heap can grow: emscripten's `getHeapMax()` in TF.js 4.22's wasm build (4 GiB − 64 KiB). */
export const WASM_HEAP_LIMIT_BYTES = 4_294_901_760;

interface EmscriptenModule {
  _malloc(bytes: number): number;
  readonly HEAPU8: Uint8Array;
  asm?: { malloc?: (bytes: number) => number };
}

const guarded = new WeakSet<object>();

/**
 * The allocator asks sbrk for a request plus its bookkeeping, rounded up to 64 KiB pages; this bounds the extra.
 * The break never lies above the heap's size, so heap size + request + this < 2^32 means it cannot wrap.
 */
const ALLOCATOR_SLACK_BYTES = 256 * 1024;
const ADDRESS_SPACE_BYTES = 2 ** 32;

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Make every heap allocation of `backend` that cannot be satisfied, or that could wrap the allocator's break
 * pointer, throw EngineError('DOES_NOT_FIT') before it corrupts the heap. Conservative near the top: with the heap
 * at h bytes, a request above 4 GiB − h is refused even where a free block might hold it. Idempotent.
 */
export function guardHeapAllocations(backend: BackendWasm): void {
  const module = backend.wasm as unknown as EmscriptenModule;
  if (guarded.has(module)) return;
  // The raw export: emscripten's `_malloc` is a stub that replaces itself with this on its first call, which would
  // also replace a wrapper installed over the stub.
  const malloc = module.asm?.malloc;
  if (malloc === undefined) throw new Error("the wasm backend's module exports no malloc");
  module._malloc = (bytes: number): number => {
    const heap = module.HEAPU8.length;
    if (heap + bytes + ALLOCATOR_SLACK_BYTES >= ADDRESS_SPACE_BYTES) {
      throw new EngineError('DOES_NOT_FIT', `the wasm heap cannot hold ${megabytes(bytes)} more (it has ${megabytes(heap)} of at most 4 GiB): use a smaller batch or resolution`);
    }
    const offset = malloc(bytes) >>> 0;
    if (offset === 0 && bytes > 0) {
      throw new EngineError('DOES_NOT_FIT', `the wasm heap is full: ${megabytes(bytes)} more do not fit in its 4 GiB: use a smaller batch or resolution`);
    }
    return offset;
  };
  guarded.add(module);
}

/** The wasm backend's heap size in bytes (it never shrinks: the high-water mark of this thread), 0 without wasm. */
export function wasmHeapBytes(): number {
  const backend = tf.findBackend('wasm') as BackendWasm | null;
  return (backend?.wasm as unknown as EmscriptenModule | undefined)?.HEAPU8.length ?? 0;
}
