/** Inference latency: median milliseconds per image at batch 1 and at a larger batch, after warm-up. */
import { tf } from './tf.js';

export interface Latency {
  readonly backend: string;
  /** Median ms for one image at batch 1. */
  readonly batch1Ms: number;
  readonly batchSize: number;
  /** Median ms per image at `batchSize`. */
  readonly batchMsPerImage: number;
}

export interface LatencyOptions {
  readonly batchSize?: number;
  readonly warmup?: number;
  readonly runs?: number;
}

function medianMs(run: () => void, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export function measureLatency(model: tf.LayersModel, resolution: number, channels: number, o: LatencyOptions = {}): Latency {
  const batchSize = o.batchSize ?? 32;
  const warmup = o.warmup ?? 3;
  const runs = o.runs ?? 10;
  const timeBatch = (n: number): number => {
    const x = tf.randomUniform([n, resolution, resolution, channels], 0, 1, 'float32', 1);
    // dataSync waits for the result, so the time covers the whole forward pass on any backend.
    const ms = medianMs(() => tf.tidy(() => void (model.predict(x) as tf.Tensor).dataSync()), warmup, runs);
    x.dispose();
    return ms;
  };
  return { backend: tf.getBackend(), batch1Ms: timeBatch(1), batchSize, batchMsPerImage: timeBatch(batchSize) / batchSize };
}
