/**
 * Backend choice: `tensorflow` (@tensorflow/tfjs-node, an optional dependency that cannot install where only the
 * npm registry is reachable) → `wasm` with ScaleLab's gradient kernels → `cpu`. A forced backend that cannot load
 * is an error; the automatic choice falls through.
 */
import { createRequire } from 'node:module';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EngineError } from './errors.js';
import { registerWasmTrainingKernels } from './kernels/register.js';
import { tf } from './tf.js';
import { guardHeapAllocations } from './wasm-heap.js';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

const require = createRequire(import.meta.url);

/** Each backend's one-time set-up (imports, kernel registration), shared by concurrent callers. */
const prepared = new Map<BackendName, Promise<void>>();

function prepare(name: BackendName): Promise<void> {
  let p = prepared.get(name);
  if (p === undefined) {
    p = prepareOnce(name);
    prepared.set(name, p);
  }
  return p;
}

async function load(name: BackendName): Promise<void> {
  await prepare(name);
  if (!(await tf.setBackend(name))) throw new Error(`TF.js could not initialize the '${name}' backend`);
  await tf.ready();
  if (name === 'wasm') guardHeapAllocations(tf.backend() as BackendWasm);
}

async function prepareOnce(name: BackendName): Promise<void> {
  switch (name) {
    // Required, not imported, for the reason tf.ts gives.
    case 'tensorflow':
      // An optional package, usually absent: a missing module throws here and the automatic choice falls through.
      require('@tensorflow/tfjs-node');
      break;
    case 'wasm':
      require('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      break;
    case 'cpu':
      break;
  }
}

/** Switch TF.js to `forced`, or to the best backend that loads; returns the one in use. */
export async function useBackend(forced?: BackendName): Promise<BackendName> {
  if (forced !== undefined) {
    try {
      await load(forced);
    } catch (e) {
      throw new EngineError('BACKEND_UNAVAILABLE', `backend '${forced}' is not available here: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    return forced;
  }
  for (const name of BACKENDS) {
    try {
      await load(name);
      return name;
    } catch {
      // fall through to the next backend
    }
  }
  throw new EngineError('BACKEND_UNAVAILABLE', 'no TF.js backend could be initialized');
}
