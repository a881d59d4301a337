/**
 * An exponential moving average of a model's weights, as the EfficientNet reference trains (it evaluates the
 * averaged weights, moving BN statistics included). The decay is warmed up as TensorFlow's
 * ExponentialMovingAverage with num_updates: min(decay, (1 + n)/(10 + n)), so early averages are not dominated
 * by the initial weights.
 */
import { tf } from './tf.js';

type LayerVariable = tf.LayersModel['weights'][number];

export class WeightAverage {
  private shadows: tf.Tensor[];
  private updates = 0;

  constructor(
    private readonly weights: readonly LayerVariable[],
    private readonly decay: number,
  ) {
    this.shadows = weights.map((w) => tf.keep(w.read().clone()));
  }

  /** Fold the current weights into the average (call after every optimizer step). */
  update(): void {
    this.updates++;
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    const next = tf.tidy(() => this.shadows.map((s, i) => tf.keep(tf.add(tf.mul(s, d), tf.mul((this.weights[i] as LayerVariable).read(), 1 - d)))));
    tf.dispose(this.shadows);
    this.shadows = next;
  }

  /** Run `f` with the averaged weights in the model, then put the raw weights back. */
  evaluateWith<T>(f: () => T): T {
    const raw = this.weights.map((w) => tf.keep(w.read().clone()));
    try {
      this.weights.forEach((w, i) => w.write(this.shadows[i] as tf.Tensor));
      return f();
    } finally {
      this.weights.forEach((w, i) => w.write(raw[i] as tf.Tensor));
      tf.dispose(raw);
    }
  }

  /** Put the averaged weights into the model for good. */
  commit(): void {
    this.weights.forEach((w, i) => w.write(this.shadows[i] as tf.Tensor));
  }

  dispose(): void {
    tf.dispose(this.shadows);
  }
}
