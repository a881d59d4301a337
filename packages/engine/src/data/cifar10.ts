/**
 * `cifar10:<path>`: the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin), records of
 * one label byte and 3,072 pixel bytes (the R, G and B planes of a 32×32 image).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { setArrays } from './dataset.js';
import type { Dataset, ImageSet } from './dataset.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function fail(message: string): never {
  throw new EngineError('BAD_DATASET', message);
}

function readBatches(files: readonly string[], shared: boolean): ImageSet {
  const buffers = files.map((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      fail(`cannot read CIFAR-10 file '${file}': ${e instanceof Error ? e.message : String(e)}`);
    }
    if (bytes.length === 0 || bytes.length % RECORD !== 0) fail(`corrupt CIFAR-10 batch file '${file}': ${bytes.length} bytes is not a whole number of ${RECORD}-byte records`);
    return { file, bytes };
  });
  const count = buffers.reduce((n, b) => n + b.bytes.length / RECORD, 0);
  const { images, labels } = setArrays(count, PLANE * 3, shared);
  let i = 0;
  for (const { file, bytes } of buffers) {
    for (let r = 0; r < bytes.length; r += RECORD, i++) {
      const label = bytes[r] as number;
      if (label > 9) fail(`corrupt CIFAR-10 batch file '${file}': record ${r / RECORD} has label ${label} (expected 0–9)`);
      labels[i] = label;
      const o = i * PLANE * 3;
      for (let p = 0; p < PLANE; p++) {
        images[o + p * 3] = (bytes[r + 1 + p] as number) / 255;
        images[o + p * 3 + 1] = (bytes[r + 1 + PLANE + p] as number) / 255;
        images[o + p * 3 + 2] = (bytes[r + 1 + 2 * PLANE + p] as number) / 255;
      }
    }
  }
  return { images, labels, count };
}

/** `shared`: its arrays in SharedArrayBuffers from the start (see `setArrays`). */
export function loadCifar10(path: string, options: { readonly shared?: boolean } = {}): Dataset {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    fail(`CIFAR-10 folder '${path}' does not exist`);
  }
  if (!isDir) fail(`CIFAR-10 path '${path}' is not a folder (expected data_batch_1.bin … and test_batch.bin)`);
  const trainFiles = [1, 2, 3, 4, 5].map((i) => join(path, `data_batch_${i}.bin`)).filter((f) => existsSync(f));
  if (trainFiles.length === 0) fail(`CIFAR-10 folder '${path}' has no data_batch_*.bin files`);
  const testFile = join(path, 'test_batch.bin');
  if (!existsSync(testFile)) fail(`CIFAR-10 test file '${testFile}' is missing`);
  return { name: `cifar10:${path}`, classes: 10, channels: 3, size: SIDE, train: readBatches(trainFiles, options.shared ?? false), test: readBatches([testFile], options.shared ?? false), classNames: CLASS_NAMES };
}
