/**
 * Built-in MNIST once loaded — its training and test sets as arrays — kept per user and read straight into the
 * arrays a load returns: ~0.1 s, where decoding the `mnist` package's 20 MB of JSON text and splitting it takes
 * ~0.5 s of CPU in every process that trains on MNIST (each command, each `scalelab worker`), on a small machine
 * beside the trials already running.
 *
 * Where: `$SCALELAB_CACHE_DIR`, else `$XDG_CACHE_HOME/scalelab`, else `~/.cache/scalelab`; an empty
 * `SCALELAB_CACHE_DIR` turns it off. A file is named by the digit files' sizes and modification times (a changed
 * package is decoded anew) and checked as it is read: its header, its length, its labels. Anything
 * else — no file, a short or foreign one, a folder that cannot be written — means the package's files are read, as
 * without a cache; a cache never fails a load. Written to a temporary name and renamed, so a reader in another
 * process sees a whole file or none.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness, homedir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { setArrays } from './dataset.js';
import type { ImageSet } from './dataset.js';

const MAGIC = 'SLMNIST2';
/** The magic, then pixels per image, training and test images (uint32, little-endian); then the training set's
 * images (float32) and labels (int32), then the test set's. */
const HEADER_BYTES = MAGIC.length + 4 * 3;

/** The cache folder from the environment; null when turned off (`SCALELAB_CACHE_DIR=`). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env.SCALELAB_CACHE_DIR;
  if (own !== undefined) return own === '' ? null : own;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'scalelab');
}

/** The cache file for digit files of these sizes and modification times (ms), on this machine's byte order. */
export function mnistCachePath(dir: string, files: readonly { readonly size: number; readonly mtimeMs: number }[]): string {
  const key = createHash('sha256').update(JSON.stringify({ files: files.map((f) => [f.size, f.mtimeMs]), endianness: endianness() })).digest('hex').slice(0, 16);
  return join(dir, `mnist-${key}.bin`);
}

interface Sizes {
  readonly trainCount: number;
  readonly testCount: number;
}

const fileBytes = (pixels: number, sizes: Sizes): number => HEADER_BYTES + 4 * (pixels + 1) * (sizes.trainCount + sizes.testCount);

/** The sizes in an open cache file's header, if it is whole (its length is what they say). */
function headerOf(fd: number, pixels: number): Sizes | null {
  const header = Buffer.alloc(HEADER_BYTES);
  if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES || header.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  if (header.readUInt32LE(MAGIC.length) !== pixels) return null;
  const sizes = { trainCount: header.readUInt32LE(MAGIC.length + 4), testCount: header.readUInt32LE(MAGIC.length + 8) };
  return fstatSync(fd).size === fileBytes(pixels, sizes) ? sizes : null;
}

function withFile<T>(path: string, use: (fd: number) => T | null): T | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return use(fd);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Fills `into` from the file at `position`; false when the file ends first. */
function readInto(fd: number, into: ArrayBufferView, position: number): boolean {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

/** The split sizes, from the header alone; null when there is no whole cache file. */
export function readCachedSizes(path: string, pixels: number): Sizes | null {
  return withFile(path, (fd) => headerOf(fd, pixels));
}

/**
 * Both sets, read straight into their arrays (SharedArrayBuffers when `shared`, see `setArrays`); null when there
 * is no whole cache file, or a label is not one of `classes`.
 */
export function readCachedSets(path: string, pixels: number, classes: number, shared: boolean): { readonly train: ImageSet; readonly test: ImageSet } | null {
  return withFile(path, (fd) => {
    const sizes = headerOf(fd, pixels);
    if (sizes === null) return null;
    let position = HEADER_BYTES;
    const read = (count: number): ImageSet | null => {
      const { images, labels } = setArrays(count, pixels, shared);
      if (!readInto(fd, images, position) || !readInto(fd, labels, position + images.byteLength)) return null;
      position += images.byteLength + labels.byteLength;
      return labels.every((l) => l >= 0 && l < classes) ? { images, labels, count } : null;
    };
    const train = read(sizes.trainCount);
    const test = train === null ? null : read(sizes.testCount);
    return train === null || test === null ? null : { train, test };
  });
}

/** Keeps both sets, or quietly does not (a read-only home, a full disk: the next load decodes again). */
export function writeCachedSets(dir: string, path: string, pixels: number, train: ImageSet, test: ImageSet): void {
  const temporary = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    [pixels, train.count, test.count].forEach((n, i) => header.writeUInt32LE(n, MAGIC.length + 4 * i));
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, header);
      for (const a of [train.images, train.labels, test.images, test.labels]) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // no folder to have left it in
    }
  }
}
