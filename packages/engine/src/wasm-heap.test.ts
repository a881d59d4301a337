/**
 * The allocation guard on the wasm heap (wasm-heap.ts). Its own file: the heap grows to ~4 GB of address space
 * (never written, so not resident) and, in the last test, is deliberately corrupted.
 */
import test from 'ava';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from './backend.js';
import { EngineError } from './errors.js';
import { tf } from './tf.js';

interface Module {
  _malloc(bytes: number): number;
  _free(offset: number): void;
  readonly HEAPU8: Uint8Array;
  readonly asm: { malloc(bytes: number): number };
}

let module: Module;
test.before(async () => {
  await useBackend('wasm');
  module = (tf.backend() as BackendWasm).wasm as unknown as Module;
});

test.serial('a tensor larger than the 32-bit heap is refused with DOES_NOT_FIT (its byte count would wrap to 505 MB)', (t) => {
  const error = t.throws(() => tf.zeros([1.2e9]), { instanceOf: EngineError });
  t.is(error?.code, 'DOES_NOT_FIT');
});

test.serial('near the 4 GiB top, an allocation that could wrap the break pointer is refused, and the heap stays usable', (t) => {
  const spacer = module._malloc(3.85e9); // never written: address space only
  t.true(module.HEAPU8.length >= 3.85e9);
  const error = t.throws(() => tf.zeros([125e6]), { instanceOf: EngineError }); // 500 MB
  t.is(error?.code, 'DOES_NOT_FIT');
  t.regex(error?.message ?? '', /wasm heap cannot hold 500\.0 MB more/);
  module._free(spacer);
  const x = tf.fill([25e6], 3); // 100 MB, where the spacer was
  t.is(x.max().dataSync()[0], 3);
  t.is(x.min().dataSync()[0], 3);
  x.dispose();
});

// Why the guard exists: emscripten's own malloc, asked for more than the 4 GiB heap can still take, answers offset
// 0 (where TF.js would place the tensor over live data) or a block that ends past the end of the heap (what
// crashed B0 at 224 px: a 963 MB block at 3.56 GB with the heap at 3.96 GB). Either corrupts the heap, so this
// runs last.
test.serial('unguarded, the backend allocator answers an unusable block near 4 GiB: offset 0, or one past the heap', (t) => {
  t.true(module.asm.malloc(3.7e9) !== 0); // in the space freed above: the heap itself is 3.85 GB already
  const size = 500e6;
  const offset = module.asm.malloc(size) >>> 0;
  t.true(offset === 0 || offset + size > module.HEAPU8.length, `block ${offset}..${offset + size}, heap ${module.HEAPU8.length}`);
});
