/**
 * TF.js' own `GlobalAveragePooling2D` (same config and serialization), whose gradient in training on wasm is one
 * broadcast (kernels/spatial-broadcast.ts) instead of TF.js' ones-multiply-divide. EfficientNet pools in every
 * squeeze-excitation block and before the classifier. Inference and other backends are TF.js' code.
 */
import { SPATIAL_BROADCAST } from '../kernels/spatial-broadcast.js';
import { tf } from '../tf.js';

type PoolingArgs = Parameters<typeof tf.layers.globalAveragePooling2d>[0];
type Kwargs = Record<string, unknown>;

const BasePooling = Object.getPrototypeOf(tf.layers.globalAveragePooling2d({})).constructor as {
  new (args: PoolingArgs): tf.layers.Layer;
};

/** mean over height and width of NHWC x; backward dx[n, y, x, c] = dy[n, c] / (H·W). */
const trainingMean = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor4D;
  const [, height = 1, width = 1] = input.shape;
  return {
    value: tf.mean(input, [1, 2]),
    gradFunc: (dy: tf.Tensor) => tf.engine().runKernel(SPATIAL_BROADCAST, { x: dy }, { height, width, scale: 1 / (height * width) }) as tf.Tensor,
  };
});

export class TrainingGlobalAveragePooling2D extends BasePooling {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const channelsLast = (this as unknown as { dataFormat: string }).dataFormat === 'channelsLast';
    if (kwargs['training'] !== true || tf.getBackend() !== 'wasm' || x === undefined || x.rank !== 4 || !channelsLast) return super.call(inputs, kwargs);
    return trainingMean(x);
  }
}
