import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { EngineError } from '../errors.js';
import { describeDataset, loadDataset, loadStoredDataset, validateDatasetName } from './index.js';
import { resizeImage, resizeSet } from './resize.js';
import { shareDataset } from './shared.js';
import { syntheticDataset } from './synthetic.js';

test('built-in MNIST: 10,000 real digits, a fixed 8,004 / 1,996 split with every class in both', (t) => {
  const d = loadDataset('mnist', 28);
  t.is(d.train.count + d.test.count, 10_000);
  // Every fifth digit of each class: the package's class sizes 1001, 1127, 991, 1032, 980, 863, 1014, 1070,
  // 944, 978 give floor(n / 5) = 200 + 225 + 198 + 206 + 196 + 172 + 202 + 214 + 188 + 195 = 1,996.
  t.is(d.test.count, 1_996);
  t.is(d.channels, 1);
  t.is(d.classes, 10);
  for (let c = 0; c < 10; c++) {
    t.true(d.train.labels.includes(c));
    t.true(d.test.labels.includes(c));
  }
  let min = 1;
  let max = 0;
  for (const v of d.train.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  t.is(min, 0);
  t.true(max > 0.99 && max <= 1);
  const again = loadDataset('mnist', 28);
  t.deepEqual(again.test.labels, d.test.labels);
});

test('MNIST\'s sizes are told without loading its pixels, and they are what loading gives; other datasets must be loaded (null)', (t) => {
  const loaded = loadStoredDataset('mnist');
  if (loaded === null) return t.fail('MNIST is stored');
  t.deepEqual(describeDataset('mnist'), { name: 'mnist', channels: loaded.channels, classes: loaded.classes, trainCount: loaded.train.count, testCount: loaded.test.count });
  t.is(describeDataset('mnist')?.testCount, 1_996);
  t.is(describeDataset('synthetic'), null);
  t.is(describeDataset('folder:/nowhere'), null);
  t.throws(() => describeDataset('imagenet'), { message: /unknown dataset 'imagenet'/ });
});

test('a stored dataset (shared by a study\'s threads) is MNIST at its own 28 px, resized later to the same pixels as loadDataset at any size; generated data has none', (t) => {
  const stored = loadStoredDataset('mnist');
  if (stored === null) return t.fail('MNIST is stored');
  t.is(stored.size, 28);
  const at37 = loadDataset('mnist', 37);
  t.deepEqual(resizeSet(stored.test, 28, 1, 37).images, at37.test.images);
  t.deepEqual(stored.train.labels, at37.train.labels);
  t.is(loadStoredDataset('synthetic'), null);
  t.is(loadStoredDataset('folder:/nowhere'), null);
  t.throws(() => loadStoredDataset('imagenet'), { instanceOf: EngineError });
  // Loaded into shared memory at once: the same values, SharedArrayBuffers, and nothing left for shareDataset to copy.
  const shared = loadStoredDataset('mnist', { shared: true });
  if (shared === null) return t.fail('MNIST is stored');
  t.true(shared.train.images.buffer instanceof SharedArrayBuffer && shared.test.labels.buffer instanceof SharedArrayBuffer);
  t.false(stored.train.images.buffer instanceof SharedArrayBuffer);
  let differing = 0;
  for (let i = 0; i < stored.train.images.length; i++) if (stored.train.images[i] !== shared.train.images[i]) differing++;
  t.is(differing, 0);
  t.deepEqual(shared.test.labels, stored.test.labels);
  t.is(shareDataset(shared), shared);
  return undefined;
});

test('images are resized to the requested resolution', (t) => {
  const d = loadDataset('mnist', 32);
  t.is(d.size, 32);
  t.is(d.train.images.length, d.train.count * 32 * 32);
});

test('bilinear resize with half-pixel centres, checked by hand on a 2×2 image', (t) => {
  // Upsampling [[0, 1], [2, 3]] to 4×4: output pixel x samples source (x + 0.5)/2 − 0.5, clamped to [0, 1]:
  // columns at −0.25→0, 0.25, 0.75, 1.25→1, so the first row is 0, 0.25, 0.75, 1 and rows add 2·(same weights).
  const out = new Float32Array(16);
  resizeImage(Float32Array.from([0, 1, 2, 3]), 2, 2, 1, 4, out);
  t.deepEqual([...out.subarray(0, 4)], [0, 0.25, 0.75, 1]);
  t.deepEqual([...out.subarray(4, 8)], [0.5, 0.75, 1.25, 1.5]);
  t.deepEqual([...out.subarray(12, 16)], [2, 2.25, 2.75, 3]);
});

test('synthetic data is seeded: same seed same images, another seed other images', (t) => {
  const a = syntheticDataset({ seed: 1, trainPerClass: 3, testPerClass: 1 });
  t.deepEqual(a.train.images, syntheticDataset({ seed: 1, trainPerClass: 3, testPerClass: 1 }).train.images);
  t.notDeepEqual(a.train.images, syntheticDataset({ seed: 2, trainPerClass: 3, testPerClass: 1 }).train.images);
});

function pngBytes(w: number, h: number, rgb: [number, number, number]): Buffer {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png);
}

function jpegBytes(w: number, h: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
  return jpeg.encode({ data, width: w, height: h }, 95).data;
}

test('folder:<path> reads one class per sub-folder (PNG and JPEG), resizes, and holds out every fifth image', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'scalelab-folder-'));
  mkdirSync(join(root, 'cats'));
  mkdirSync(join(root, 'dogs'));
  for (let i = 0; i < 5; i++) writeFileSync(join(root, 'cats', `c${i}.png`), pngBytes(10, 6, [255, 0, 0]));
  for (let i = 0; i < 5; i++) writeFileSync(join(root, 'dogs', `d${i}.jpg`), jpegBytes(7, 9, [0, 0, 255]));
  writeFileSync(join(root, 'dogs', 'notes.txt'), 'not an image');
  const d = loadDataset(`folder:${root}`, 8);
  t.deepEqual(d.classNames, ['cats', 'dogs']);
  t.is(d.channels, 3);
  t.is(d.train.count, 8);
  t.is(d.test.count, 2);
  t.is(d.train.images.length, 8 * 8 * 8 * 3);
  t.deepEqual([...d.train.images.subarray(0, 3)], [1, 0, 0]); // a red cat pixel
  const blue = d.test.images.subarray(8 * 8 * 3, 8 * 8 * 3 + 3); // the held-out dog, JPEG: close to blue
  t.true((blue[2] as number) > 0.9 && (blue[0] as number) < 0.1);
});

function folderError(t: import('ava').ExecutionContext, name: string, expected: RegExp): void {
  const e = t.throws(() => loadDataset(name, 8), { instanceOf: EngineError });
  t.is(e?.code, 'BAD_DATASET');
  t.regex(e?.message ?? '', expected);
}

test('folder errors name the problem: missing path, empty class folder, corrupt image', (t) => {
  folderError(t, 'folder:/no/such/dir', /dataset folder '\/no\/such\/dir' does not exist/);
  const root = mkdtempSync(join(tmpdir(), 'scalelab-folder-'));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  writeFileSync(join(root, 'a', 'x.png'), pngBytes(4, 4, [1, 2, 3]));
  folderError(t, `folder:${root}`, new RegExp(`class folder '${join(root, 'b')}' has no PNG or JPEG images`));
  writeFileSync(join(root, 'b', 'broken.png'), Buffer.from('definitely not a png'));
  folderError(t, `folder:${root}`, new RegExp(`corrupt image '${join(root, 'b', 'broken.png')}'`));
});

/** A CIFAR-10 binary record: label byte, then the R, G and B planes of a 32×32 image. */
function cifarRecord(label: number, r: number, g: number, b: number): Buffer {
  const rec = Buffer.alloc(3073);
  rec[0] = label;
  rec.fill(r, 1, 1025);
  rec.fill(g, 1025, 2049);
  rec.fill(b, 2049, 3073);
  return rec;
}

test('cifar10:<path> reads the binary batches: label byte, then planar R, G, B', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-cifar-'));
  writeFileSync(join(dir, 'data_batch_1.bin'), Buffer.concat([cifarRecord(3, 255, 0, 51), cifarRecord(9, 0, 255, 0)]));
  writeFileSync(join(dir, 'test_batch.bin'), cifarRecord(1, 0, 0, 255));
  const d = loadDataset(`cifar10:${dir}`, 32);
  t.is(d.train.count, 2);
  t.deepEqual([...d.train.labels], [3, 9]);
  t.deepEqual([...d.train.images.subarray(0, 3)], [1, 0, Math.fround(51 / 255)]); // NHWC: the first pixel's R, G, B
  t.is(d.test.labels[0], 1);
  t.is(d.classNames?.[3], 'cat');
});

test('cifar10 errors name the file: missing folder, missing test batch, truncated batch', (t) => {
  folderError(t, 'cifar10:/no/such/cifar', /CIFAR-10 folder '\/no\/such\/cifar' does not exist/);
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-cifar-'));
  writeFileSync(join(dir, 'data_batch_1.bin'), cifarRecord(0, 1, 2, 3));
  folderError(t, `cifar10:${dir}`, /CIFAR-10 test file '.*test_batch\.bin' is missing/);
  writeFileSync(join(dir, 'test_batch.bin'), cifarRecord(0, 1, 2, 3).subarray(0, 3000));
  folderError(t, `cifar10:${dir}`, /corrupt CIFAR-10 batch file '.*test_batch\.bin': 3000 bytes/);
});

test('unknown dataset names are rejected before anything loads', (t) => {
  t.throws(() => validateDatasetName('imagenet'), { message: /unknown dataset 'imagenet' \(expected mnist, synthetic, folder:<path>, cifar10:<path>\)/ });
  t.throws(() => validateDatasetName('folder:'), { message: /needs a path/ });
});

test('a shared dataset lives in SharedArrayBuffers with the same values, and a worker thread sees that memory, not a copy', async (t) => {
  const d = syntheticDataset({ classes: 3, size: 8, trainPerClass: 4, testPerClass: 2, seed: 2 });
  const s = shareDataset(d);
  t.true(s.train.images.buffer instanceof SharedArrayBuffer);
  t.true(s.test.labels.buffer instanceof SharedArrayBuffer);
  t.deepEqual(Array.from(s.train.images), Array.from(d.train.images));
  t.deepEqual(Array.from(s.test.labels), Array.from(d.test.labels));
  t.is(shareDataset(s), s, 'sharing a shared dataset copies nothing');
  // The worker writes 42 into the first pixel of the dataset it was posted; the main thread must see it.
  const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.once("message", (d) => { d.train.images[0] = 42; parentPort.postMessage("done"); });', { eval: true });
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.postMessage(s);
  });
  await worker.terminate();
  t.is(s.train.images[0], 42);
});
