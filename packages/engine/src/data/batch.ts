/**
 * Batches gathered from a set, resized on the way when the model's resolution differs from the set's: a dataset is
 * stored once, at its own resolution, and serves candidates of every resolution (a search's γ) without a resized
 * copy per resolution. The resize is the same bilinear one as `resizeSet`, image by image, so the pixels are the
 * same as training on a resized copy.
 */
import type { ImageSet } from './dataset.js';
import { resizeImage } from './resize.js';

export interface BatchLayout {
  /** Side of the stored images. */
  readonly storedSize: number;
  /** Side the model takes. */
  readonly size: number;
  readonly channels: number;
}

/** The examples `order[start…end)` of `set` as one batch at `layout.size`. */
export function gatherBatch(set: ImageSet, layout: BatchLayout, order: Int32Array, start: number, end: number): { x: Float32Array; y: Int32Array } {
  const { storedSize, size, channels } = layout;
  const stored = storedSize * storedSize * channels;
  const pixels = size * size * channels;
  const x = new Float32Array((end - start) * pixels);
  const y = new Int32Array(end - start);
  for (let i = start; i < end; i++) {
    const j = order[i] as number;
    const image = set.images.subarray(j * stored, (j + 1) * stored);
    if (storedSize === size) x.set(image, (i - start) * pixels);
    else resizeImage(image, storedSize, storedSize, channels, size, x, (i - start) * pixels);
    y[i - start] = set.labels[j] as number;
  }
  return { x, y };
}
