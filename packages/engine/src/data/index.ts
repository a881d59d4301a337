/** Dataset names as the CLI takes them: `mnist`, `synthetic`, `folder:<path>`, `cifar10:<path>`. */
import { EngineError } from '../errors.js';
import { loadCifar10 } from './cifar10.js';
import type { Dataset } from './dataset.js';
import { loadFolder } from './folder.js';
import { loadMnist, mnistSizes } from './mnist.js';
import { resizeSet } from './resize.js';
import { syntheticDataset } from './synthetic.js';

export type { Dataset, ImageSet } from './dataset.js';
export { resizeImage, resizeSet } from './resize.js';
export { syntheticDataset } from './synthetic.js';
export { shareDataset } from './shared.js';
export type { SyntheticOptions } from './synthetic.js';

export const DATASET_FORMS = ['mnist', 'synthetic', 'folder:<path>', 'cifar10:<path>'] as const;

/** Fails with a clear message for an unknown name, before anything is loaded. */
export function validateDatasetName(name: string): void {
  if (name === 'mnist' || name === 'synthetic') return;
  for (const prefix of ['folder:', 'cifar10:']) {
    if (name.startsWith(prefix)) {
      if (name.length === prefix.length) throw new EngineError('BAD_DATASET', `dataset '${name}' needs a path after '${prefix}'`);
      return;
    }
  }
  throw new EngineError('BAD_DATASET', `unknown dataset '${name}' (expected ${DATASET_FORMS.join(', ')})`);
}

export interface LoadOptions {
  /** Seed of generated data (`synthetic`). Default 0. */
  readonly seed?: number;
  /** How many classes to generate (`synthetic` only; real datasets have their own). Default 10. */
  readonly classes?: number;
}

/** Load a dataset with its images at `resolution`×`resolution`. */
export function loadDataset(name: string, resolution: number, options: LoadOptions = {}): Dataset {
  validateDatasetName(name);
  let data: Dataset;
  if (name === 'mnist') data = loadMnist();
  else if (name === 'synthetic') data = syntheticDataset({ seed: options.seed ?? 0, size: resolution, classes: options.classes ?? 10 });
  else if (name.startsWith('folder:')) return loadFolder(name.slice('folder:'.length), resolution);
  else data = loadCifar10(name.slice('cifar10:'.length));
  return {
    ...data,
    size: resolution,
    train: resizeSet(data.train, data.size, data.channels, resolution),
    test: resizeSet(data.test, data.size, data.channels, resolution),
  };
}

/**
 * A dataset as stored, for candidates of every resolution: MNIST and CIFAR-10 at their own size, whose batches are
 * resized as they are gathered — the same bilinear resize `loadDataset` applies to the whole set, so the same pixels
 * at any resolution. Null for datasets made at the size asked for (`synthetic`, `folder:`): their pixels depend on
 * it, so they are loaded per resolution. `shared`: the arrays are allocated in SharedArrayBuffers, for a study's
 * threads (what `shareDataset` would otherwise copy them into).
 */
export function loadStoredDataset(name: string, options: { readonly shared?: boolean } = {}): Dataset | null {
  validateDatasetName(name);
  if (name === 'mnist') return loadMnist(options);
  if (name.startsWith('cifar10:')) return loadCifar10(name.slice('cifar10:'.length), options);
  return null;
}

/** A dataset's shape and split sizes, without its pixels. */
export interface DatasetSizes {
  readonly name: string;
  readonly channels: number;
  readonly classes: number;
  readonly trainCount: number;
  readonly testCount: number;
}

/**
 * The sizes of a dataset whose files tell them without decoding (built-in MNIST); null when only loading it tells.
 * Reads the files, so a dataset that is gone still fails here.
 */
export function describeDataset(name: string): DatasetSizes | null {
  validateDatasetName(name);
  if (name === 'mnist') return { name, ...mnistSizes() };
  return null;
}
