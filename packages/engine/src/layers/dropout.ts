/**
 * TF.js' `Dropout` with reproducible masks. Without a seed TF.js draws masks from `Math.random`; with a fixed seed
 * every call draws the same mask. This layer derives a new seed per call from its base seed and a counter, so a
 * rerun with the same seed sees the same sequence of masks. Serializes as a plain `Dropout`.
 */
import { tf } from '../tf.js';

type DropoutArgs = Parameters<typeof tf.layers.dropout>[0];

const BaseDropout = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor as { new (args: DropoutArgs): tf.layers.Layer };

export class SeededDropout extends BaseDropout {
  private readonly baseSeed: number;
  private calls = 0;

  constructor(args: DropoutArgs & { seed: number }) {
    super(args);
    this.baseSeed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    if (kwargs['training'] === true) (this as unknown as { seed: number }).seed = this.baseSeed * 1_000_003 + this.calls++;
    return super.call(inputs, kwargs);
  }
}
