/**
 * `folder:<path>`: one sub-folder per class (sorted names are the classes), PNG or JPEG images inside, decoded by
 * pngjs and jpeg-js (pure JS, no native build), RGB in [0, 1], resized to the requested size. Fixed split: in
 * each class, sorted by file name, every fifth image is held out for testing.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { EngineError } from '../errors.js';
import { imageSet } from './dataset.js';
import type { Dataset } from './dataset.js';
import { resizeImage } from './resize.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const CHANNELS = 3;

function fail(message: string): never {
  throw new EngineError('BAD_DATASET', message);
}

function decode(file: string): { width: number; height: number; rgba: Uint8Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    fail(`cannot read image '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    if (extname(file).toLowerCase() === '.png') {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (e) {
    fail(`corrupt image '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

function toRgbFloat(rgba: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * CHANNELS);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    out[p * 3] = (rgba[q] as number) / 255;
    out[p * 3 + 1] = (rgba[q + 1] as number) / 255;
    out[p * 3 + 2] = (rgba[q + 2] as number) / 255;
  }
  return out;
}

export function loadFolder(path: string, size: number): Dataset {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    fail(`dataset folder '${path}' does not exist`);
  }
  if (!isDir) fail(`dataset path '${path}' is not a folder (expected one sub-folder per class)`);
  const classNames = readdirSync(path)
    .filter((name) => !name.startsWith('.') && statSync(join(path, name)).isDirectory())
    .sort();
  if (classNames.length < 2) fail(`dataset folder '${path}' needs at least two class sub-folders, found ${classNames.length}`);
  const train: Float32Array[][] = [];
  const test: Float32Array[][] = [];
  for (const name of classNames) {
    const dir = join(path, name);
    const files = readdirSync(dir)
      .filter((f) => !f.startsWith('.') && IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
      .sort();
    if (files.length === 0) fail(`class folder '${dir}' has no PNG or JPEG images`);
    const images = files.map((f) => {
      const file = join(dir, f);
      const { width, height, rgba } = decode(file);
      if (width < 1 || height < 1) fail(`corrupt image '${file}': ${width}×${height} pixels`);
      const out = new Float32Array(size * size * CHANNELS);
      resizeImage(toRgbFloat(rgba, width, height), height, width, CHANNELS, size, out);
      return out;
    });
    train.push(images.filter((_, i) => i % 5 !== 4));
    test.push(images.filter((_, i) => i % 5 === 4));
  }
  const pixels = size * size * CHANNELS;
  return { name: `folder:${path}`, classes: classNames.length, channels: CHANNELS, size, train: imageSet(train, pixels), test: imageSet(test, pixels), classNames };
}
