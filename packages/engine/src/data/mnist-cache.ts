/**
 * Built-in MNIST once loaded — its training and test sets as arrays — kept per user and read straight into the
 * arrays a load returns: ~0.1 s, where decoding the `mnist` package's 20 MB of JSON text and splitting it takes
 * ~0.5 s of CPU in every process that trains on MNIST (each command, each `scalelab worker`), on a small machine
 * beside the trials already running.
 *
 * Where: `$SCALELAB_CACHE_DIR`, else `$XDG_CACHE_HOME/scalelab`, else `~/.cache/scalelab`; an empty
 * `SCALELAB_CACHE_DIR` turns it off. Only a folder that is this user's and that no one else can write is used (a
 * file planted there would be trusted). A file is named by the digit files' sizes and modification times (a changed
 * package is decoded anew) and checked as it is read: its header, its length, its labels. Anything else — no file, a
 * short or foreign one, a folder that cannot be written — means the package's files are read, as without a cache: a
 * cache never fails a load. Written under a new temporary name (created exclusively, never through a link), synced,
 * then renamed, so a reader in another process sees a whole file or none.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { endianness, homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { setArrays } from './dataset.js';
import type { ImageSet } from './dataset.js';

const MAGIC = 'SLMNIST2';
/**
 * The magic, then pixels per image, training and test images (uint32, little-endian); then the training set's
 * images (float32) and labels (int32), then the test set's.
 */
const HEADER_BYTES = MAGIC.length + 4 * 3;
/** More images than all of MNIST's 70,000 is not a cache of ours (a forged header would allocate gigabytes). */
const MAX_IMAGES = 70_000;
/** Cache files kept: one per install of the `mnist` package (each checkout has its own), the most recently used. */
export const KEPT_CACHE_FILES = 3;
const CACHE_FILE = /^mnist-[0-9a-f]{16}\.bin$/;
/** A temporary file this old was left by a writer that died (a write takes well under a second). */
const STALE_TEMPORARY_MS = 3_600_000;
const TEMPORARY_FILE = /^mnist-[0-9a-f]{16}\.bin\.[0-9a-f]{16}\.tmp$/;

/**
 * The cache folder from the environment; null when turned off (`SCALELAB_CACHE_DIR=`). A relative
 * `XDG_CACHE_HOME` is ignored, as the XDG spec says; a relative `SCALELAB_CACHE_DIR` is taken from here.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env.SCALELAB_CACHE_DIR;
  if (own !== undefined) return own === '' ? null : resolve(own);
  const xdg = env.XDG_CACHE_HOME;
  try {
    return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'scalelab');
  } catch {
    return null; // no home folder
  }
}

export interface CacheFile {
  readonly dir: string;
  readonly path: string;
}

/** The cache file for digit files of these sizes and modification times (ms), on this machine's byte order. */
export function mnistCacheFile(dir: string, files: readonly { readonly size: number; readonly mtimeMs: number }[]): CacheFile {
  const key = createHash('sha256').update(JSON.stringify({ files: files.map((f) => [f.size, f.mtimeMs]), endianness: endianness() })).digest('hex').slice(0, 16);
  return { dir, path: join(dir, `mnist-${key}.bin`) };
}

/** A real folder (not a link) of this user's that no one else can write: only then is a file in it trusted. */
function ownFolder(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
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
  if (sizes.trainCount + sizes.testCount > MAX_IMAGES) return null;
  return fstatSync(fd).size === fileBytes(pixels, sizes) ? sizes : null;
}

/** `use` on the cache file opened for reading; null when there is none, or it is not to be trusted, or `use` throws. */
function withFile<T>(file: CacheFile, use: (fd: number) => T | null): T | null {
  if (!ownFolder(file.dir)) return null;
  let fd: number | undefined;
  try {
    fd = openSync(file.path, 'r');
    return use(fd);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // a close that fails after a read changes nothing read
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
export function readCachedSizes(file: CacheFile, pixels: number): Sizes | null {
  return withFile(file, (fd) => headerOf(fd, pixels));
}

/**
 * Both sets, read straight into their arrays (SharedArrayBuffers when `shared`, see `setArrays`); null when there
 * is no whole cache file, or a label is not one of `classes`.
 */
export function readCachedSets(file: CacheFile, pixels: number, classes: number, shared: boolean): { readonly train: ImageSet; readonly test: ImageSet } | null {
  const sets = withFile(file, (fd) => {
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
  if (sets !== null) markUsed(file.path);
  return sets;
}

/** Its modification time is its last use: what the pruning keeps by. */
function markUsed(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // not ours to touch: kept or pruned by its write time
  }
}

/**
 * Leaves the KEPT_CACHE_FILES most recently used cache files (31 MB each: clean clones would otherwise add one each),
 * and removes temporary files that writers which died left behind.
 */
function prune(dir: string): void {
  const found = readdirSync(dir).map((name) => ({ name, path: join(dir, name), used: statSync(join(dir, name)).mtimeMs }));
  const files = found.filter((f) => CACHE_FILE.test(f.name)).sort((a, b) => b.used - a.used);
  const stale = found.filter((f) => TEMPORARY_FILE.test(f.name) && Date.now() - f.used > STALE_TEMPORARY_MS);
  for (const old of [...files.slice(KEPT_CACHE_FILES), ...stale]) rmSync(old.path, { force: true });
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Keeps both sets, or quietly does not (a read-only home, a full disk, a folder not ours: the next load decodes). */
export function writeCachedSets(file: CacheFile, pixels: number, train: ImageSet, test: ImageSet): void {
  // A new name each time, created exclusively: no other writer's file, and never a link planted under it.
  const temporary = `${file.path}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    mkdirSync(file.dir, { recursive: true, mode: 0o700 });
    if (!ownFolder(file.dir)) return;
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    [pixels, train.count, test.count].forEach((n, i) => header.writeUInt32LE(n, MAGIC.length + 4 * i));
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeAll(fd, header);
      for (const a of [train.images, train.labels, test.images, test.labels]) writeAll(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file.path);
    prune(file.dir);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // no folder to have left it in
    }
  }
}
