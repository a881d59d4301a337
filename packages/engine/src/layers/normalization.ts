/**
 * Keras' `Normalization` layer (axis −1) with adapted statistics, which TF.js lacks: per-channel mean and
 * variance plus a scalar count, all non-trainable. EfficientNet B0–B7 in Keras Applications start with it.
 */
import { tf } from '../tf.js';

export class Normalization extends tf.layers.Layer {
  static readonly className = 'Normalization';
  private mean: tf.LayerVariable | undefined;
  private variance: tf.LayerVariable | undefined;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] ?? 1;
    this.mean = this.addWeight('mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.mean === undefined || this.variance === undefined) throw new Error('Normalization called before build');
      // Keras: (x − mean) / max(sqrt(variance), ε)
      return tf.div(tf.sub(x, this.mean.read()), tf.maximum(tf.sqrt(this.variance.read()), 1e-7));
    });
  }

  override getClassName(): string {
    return Normalization.className;
  }
}
tf.serialization.registerClass(Normalization);
