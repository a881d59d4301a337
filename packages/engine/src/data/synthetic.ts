/**
 * A seeded, learnable synthetic dataset for tests: each class is a smooth random template (a sum of a few
 * oriented sinusoids); an image is its class template plus Gaussian-ish noise. Same seed, same data.
 */
import { seededRandom } from '../random.js';
import { imageSet } from './dataset.js';
import type { Dataset } from './dataset.js';

export interface SyntheticOptions {
  readonly classes?: number;
  readonly channels?: number;
  readonly size?: number;
  readonly trainPerClass?: number;
  readonly testPerClass?: number;
  readonly noise?: number;
  readonly seed?: number;
}

export function syntheticDataset(o: SyntheticOptions = {}): Dataset {
  const classes = o.classes ?? 10;
  const channels = o.channels ?? 1;
  const size = o.size ?? 32;
  const noise = o.noise ?? 0.25;
  const random = seededRandom(o.seed ?? 0);
  const pixels = size * size * channels;
  const templates = Array.from({ length: classes }, () => {
    const waves = Array.from({ length: 3 }, () => ({ fx: (random() - 0.5) * 0.8, fy: (random() - 0.5) * 0.8, phase: random() * 2 * Math.PI, ch: random() }));
    const t = new Float32Array(pixels);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          let v = 0;
          for (const w of waves) v += Math.sin(w.fx * x + w.fy * y + w.phase + c * w.ch * 2);
          t[(y * size + x) * channels + c] = 0.5 + v / 6;
        }
    return t;
  });
  const sample = (label: number): Float32Array => {
    const t = templates[label] as Float32Array;
    const image = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const n = (random() + random() + random() - 1.5) * noise * 2;
      image[i] = Math.min(1, Math.max(0, (t[i] as number) + n));
    }
    return image;
  };
  const make = (perClass: number): Float32Array[][] => Array.from({ length: classes }, (_, c) => Array.from({ length: perClass }, () => sample(c)));
  return {
    name: 'synthetic',
    classes,
    channels,
    size,
    train: imageSet(make(o.trainPerClass ?? 100), pixels),
    test: imageSet(make(o.testPerClass ?? 20), pixels),
  };
}
