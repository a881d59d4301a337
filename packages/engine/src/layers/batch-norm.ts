/**
 * TF.js' own `BatchNormalization` layer (same weights, config and serialization, so a saved model is a plain Keras
 * BN), whose training-mode forward runs ScaleLab's fused wasm kernels when the backend is wasm. Inference, and
 * training on any other backend, are TF.js' code unchanged.
 */
import { BATCH_NORM_TRAIN } from '../kernels/batch-norm-train.js';
import { MOVING_AVERAGES } from '../kernels/moving-averages.js';
import { tf } from '../tf.js';

/** The fields of TF.js' BatchNormalization this subclass reads (public at runtime, private in its typings). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type Kwargs = Record<string, unknown>;

const BaseBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as {
  new (args?: BatchNormArgs): tf.layers.Layer;
};

export class TrainingBatchNormalization extends BaseBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { gamma, beta } = self;
    // The fused kernels cover training on wasm, normalizing over the last axis with γ and β; all else is TF.js'.
    const lastAxis = x !== undefined && (self.axis === -1 || self.axis === x.rank - 1);
    if (kwargs['training'] !== true || tf.getBackend() !== 'wasm' || x === undefined || !lastAxis || gamma === null || beta === null) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma: gamma.read(), beta: beta.read() }, { epsilon: self.epsilon }) as tf.Tensor[];
      // Moving averages exactly as TF.js' layer updates them, v ← v − (v − batch)·(1 − momentum), in one kernel.
      tf.tidy(() => {
        const inputs = { movingMean: self.movingMean.read(), movingVariance: self.movingVariance.read(), mean: mean as tf.Tensor, variance: variance as tf.Tensor };
        const [newMean, newVariance] = tf.engine().runKernel(MOVING_AVERAGES, inputs, { momentum: self.momentum }) as [tf.Tensor, tf.Tensor];
        self.movingMean.write(newMean);
        self.movingVariance.write(newVariance);
      });
      return y as tf.Tensor;
    });
  }
}
