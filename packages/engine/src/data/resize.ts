/**
 * Bilinear resize of NHWC float images with half-pixel centres (TF2 `tf.image.resize`, PIL): pure, so every
 * backend sees the same pixels.
 */
import type { ImageSet } from './dataset.js';

export function resizeImage(src: Float32Array, fromH: number, fromW: number, channels: number, to: number, dst: Float32Array, dstOffset = 0): void {
  const sy = fromH / to;
  const sx = fromW / to;
  for (let y = 0; y < to; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), fromH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, fromH - 1);
    const wy = fy - y0;
    for (let x = 0; x < to; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), fromW - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, fromW - 1);
      const wx = fx - x0;
      const o = dstOffset + (y * to + x) * channels;
      for (let c = 0; c < channels; c++) {
        const a = src[(y0 * fromW + x0) * channels + c] as number;
        const b = src[(y0 * fromW + x1) * channels + c] as number;
        const d = src[(y1 * fromW + x0) * channels + c] as number;
        const e = src[(y1 * fromW + x1) * channels + c] as number;
        dst[o + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
}

/** The whole set at `to`×`to` (the same set when it already is). */
export function resizeSet(set: ImageSet, from: number, channels: number, to: number): ImageSet {
  if (from === to) return set;
  const inPixels = from * from * channels;
  const outPixels = to * to * channels;
  const images = new Float32Array(set.count * outPixels);
  for (let i = 0; i < set.count; i++) resizeImage(set.images.subarray(i * inPixels, (i + 1) * inPixels), from, from, channels, to, images, i * outPixels);
  return { images, labels: set.labels, count: set.count };
}
