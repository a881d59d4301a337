/**
 * TF.js' own `Activation` layer (same config and serialization, so a saved model is a plain Keras Activation),
 * whose swish, in training on wasm, keeps x alone and back-propagates in one pass with ScaleLab's gradient kernel
 * (kernels/swish-grad.ts). Inference, other activations and other backends are TF.js' code.
 */
import { releaseEarly } from '../kernels/release-early.js';
import { SWISH_GRAD } from '../kernels/swish-grad.js';
import { tf } from '../tf.js';

type ActivationArgs = Parameters<typeof tf.layers.activation>[0];
type Kwargs = Record<string, unknown>;

const BaseActivation = Object.getPrototypeOf(tf.layers.activation({ activation: 'linear' })).constructor as {
  new (args: ActivationArgs): tf.layers.Layer;
};

/**
 * y = x·sigmoid(x), forward as two kernels; backward dx = dy·s·(1 + x·(1 − s)) from the saved x, with s recomputed
 * rather than kept: one activation-sized tensor less per swish until the backward pass reaches it.
 */
const trainingSwish = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.mul(input, tf.sigmoid(input)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor];
      const s = tf.sigmoid(xs);
      const dx = tf.engine().runKernel(SWISH_GRAD, { dy, x: xs, s }) as tf.Tensor;
      releaseEarly(s, dy, xs);
      return dx;
    },
  };
});

export class TrainingActivation extends BaseActivation {
  private readonly swish: boolean;

  constructor(args: ActivationArgs) {
    super(args);
    this.swish = args.activation === 'swish';
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!this.swish || kwargs['training'] !== true || tf.getBackend() !== 'wasm' || x === undefined) return super.call(inputs, kwargs);
    return trainingSwish(x);
  }
}
