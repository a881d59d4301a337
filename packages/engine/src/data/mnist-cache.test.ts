import test from 'ava';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEPT_CACHE_FILES, defaultCacheDir } from './mnist-cache.js';
import { loadMnist, mnistSizes } from './mnist.js';
import type { Dataset } from './dataset.js';

const made: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-mnist-cache-'));
  made.push(dir);
  return dir;
};
test.after.always(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const onlyFile = (dir: string): string => {
  const files = readdirSync(dir);
  if (files.length !== 1) throw new Error(`expected one cache file in ${dir}, found ${files.join(', ')}`);
  return join(dir, files[0] as string);
};

/** The same arrays, bit for bit. */
function sameSets(t: { deepEqual: (a: unknown, b: unknown) => void; is: (a: unknown, b: unknown) => void }, a: Dataset, b: Dataset): void {
  for (const set of ['train', 'test'] as const) {
    t.is(a[set].count, b[set].count);
    t.deepEqual(Buffer.from(a[set].images.buffer, a[set].images.byteOffset, a[set].images.byteLength).equals(Buffer.from(b[set].images.buffer, b[set].images.byteOffset, b[set].images.byteLength)), true);
    t.deepEqual(Array.from(a[set].labels), Array.from(b[set].labels));
  }
}

/** A fresh cache folder holding MNIST's cache file, changed by `edit` (its bytes, written back). */
function editedCache(edit: (bytes: Buffer) => void): { dir: string; file: string; bytes: Buffer } {
  const dir = freshDir();
  loadMnist({ cacheDir: dir });
  const file = onlyFile(dir);
  const bytes = readFileSync(file);
  edit(bytes);
  writeFileSync(file, bytes);
  return { dir, file, bytes };
}

// Decoded from the package's files, no cache: what every cached load must equal.
const decoded = loadMnist({ cacheDir: null });

test('a load keeps MNIST in the cache, and the next load reads it back bit for bit', (t) => {
  const dir = freshDir();
  sameSets(t, loadMnist({ cacheDir: dir }), decoded);
  const file = onlyFile(dir);
  // Header (8 + 3 × 4 bytes), then 10,000 images of 784 float32 and 10,000 int32 labels.
  t.is(statSync(file).size, 20 + 10_000 * (784 + 1) * 4);
  const again = loadMnist({ cacheDir: dir });
  sameSets(t, again, decoded);
  const shared = loadMnist({ cacheDir: dir, shared: true });
  t.true(shared.train.images.buffer instanceof SharedArrayBuffer);
  sameSets(t, shared, decoded);
  t.deepEqual(mnistSizes({ cacheDir: dir }), mnistSizes({ cacheDir: null }));
  t.deepEqual(mnistSizes({ cacheDir: dir }), { channels: 1, classes: 10, trainCount: 8_004, testCount: 1_996 });
});

test('a load reads the cache rather than the package: a pixel changed in the file is the pixel loaded', (t) => {
  // The first training image's first pixel (MNIST's corners are 0).
  const { dir } = editedCache((bytes) => bytes.writeFloatLE(0.5, 20));
  t.is(decoded.train.images[0], 0);
  t.is(loadMnist({ cacheDir: dir }).train.images[0], 0.5);
});

test('the split sizes come from the cache header alone when there is one', (t) => {
  // Training and test counts swapped: the file's length stays what the header says.
  const { dir } = editedCache((bytes) => {
    bytes.writeUInt32LE(1_996, 12);
    bytes.writeUInt32LE(8_004, 16);
  });
  t.deepEqual(mnistSizes({ cacheDir: dir }), { channels: 1, classes: 10, trainCount: 1_996, testCount: 8_004 });
});

test('a file in a folder others can write is not trusted', (t) => {
  const { dir, file, bytes } = editedCache((b) => b.writeFloatLE(0.5, 20));
  chmodSync(dir, 0o777);
  t.is(loadMnist({ cacheDir: dir }).train.images[0], 0);
  t.true(readFileSync(file).equals(bytes), 'and not written there either');
});

test('a cache file that is short, foreign or holds a label out of range is ignored and written again', (t) => {
  const spoil: Record<string, (file: string) => void> = {
    short: (file) => truncateSync(file, statSync(file).size - 4),
    foreign: (file) => {
      const bytes = readFileSync(file);
      bytes.write('NOTMNIST', 0, 'latin1');
      writeFileSync(file, bytes);
    },
    'label out of range': (file) => {
      const bytes = readFileSync(file);
      bytes.writeInt32LE(10, 20 + 8_004 * 784 * 4); // the first training label
      writeFileSync(file, bytes);
    },
    'forged counts': (file) => {
      const bytes = readFileSync(file);
      bytes.writeUInt32LE(0xffffffff, 12);
      writeFileSync(file, bytes);
    },
    'other image size': (file) => {
      const bytes = readFileSync(file);
      bytes.writeUInt32LE(785, 8);
      writeFileSync(file, bytes);
    },
  };
  for (const [how, damage] of Object.entries(spoil)) {
    const dir = freshDir();
    loadMnist({ cacheDir: dir });
    const file = onlyFile(dir);
    const whole = readFileSync(file);
    damage(file);
    t.false(readFileSync(file).equals(whole), how);
    t.deepEqual(mnistSizes({ cacheDir: dir }), { channels: 1, classes: 10, trainCount: 8_004, testCount: 1_996 }, how);
    sameSets(t, loadMnist({ cacheDir: dir }), decoded);
    t.true(readFileSync(file).equals(whole), `${how}: written again`);
  }
});

test('a cache folder keeps the most recently used few files, and drops what dead writers left', (t) => {
  const dir = freshDir();
  const leftover = join(dir, `mnist-${'a'.repeat(16)}.bin.${'b'.repeat(16)}.tmp`);
  writeFileSync(leftover, 'a writer killed mid-write');
  utimesSync(leftover, Date.now() / 1000 - 7_200, Date.now() / 1000 - 7_200);
  // Files of other installs, written a day, two days… ago; one file not the cache's is left alone.
  const others = Array.from({ length: KEPT_CACHE_FILES + 1 }, (_, i) => join(dir, `mnist-${String(i).repeat(16)}.bin`));
  others.forEach((file, i) => {
    writeFileSync(file, 'another install');
    const daysAgo = (i + 1) * 86_400;
    utimesSync(file, Date.now() / 1000 - daysAgo, Date.now() / 1000 - daysAgo);
  });
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  loadMnist({ cacheDir: dir });
  const left = readdirSync(dir).sort();
  t.is(left.length, KEPT_CACHE_FILES + 1);
  t.true(left.includes('notes.txt'));
  // The newest others stay; this install's file is the newest of all.
  t.deepEqual(others.slice(0, KEPT_CACHE_FILES - 1).map((f) => left.includes(f.split('/').at(-1) as string)), Array.from({ length: KEPT_CACHE_FILES - 1 }, () => true));
  t.false(left.includes(others.at(-1)?.split('/').at(-1) as string));
  t.false(left.includes(leftover.split('/').at(-1) as string));
  sameSets(t, loadMnist({ cacheDir: dir }), decoded);
});

test('a cache folder that cannot be made costs nothing but the cache', (t) => {
  const blocker = join(freshDir(), 'a-file');
  writeFileSync(blocker, '');
  sameSets(t, loadMnist({ cacheDir: join(blocker, 'cache') }), decoded);
  t.deepEqual(mnistSizes({ cacheDir: join(blocker, 'cache') }).testCount, 1_996);
});

test('the cache folder: SCALELAB_CACHE_DIR, else XDG_CACHE_HOME/scalelab, else ~/.cache/scalelab; empty turns it off', (t) => {
  t.is(defaultCacheDir({ SCALELAB_CACHE_DIR: '/tmp/c', XDG_CACHE_HOME: '/x' }), '/tmp/c');
  t.is(defaultCacheDir({ SCALELAB_CACHE_DIR: 'c' }), join(process.cwd(), 'c'));
  t.is(defaultCacheDir({ SCALELAB_CACHE_DIR: '' }), null);
  t.is(defaultCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/scalelab');
  // A relative XDG_CACHE_HOME is ignored (XDG Base Directory spec).
  t.regex(defaultCacheDir({ XDG_CACHE_HOME: 'x' }) ?? '', /\/\.cache\/scalelab$/);
  t.regex(defaultCacheDir({}) ?? '', /\/\.cache\/scalelab$/);
});
