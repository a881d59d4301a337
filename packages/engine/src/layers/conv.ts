/**
 * TF.js' own `Conv2D` (same weights, config and serialization) that, in training, runs a convolution without bias
 * or activation as the plain conv2d op rather than TF.js' fused one. The fused op's custom gradient computes the
 * gradient of every input, so the stem's input image got a Conv2DBackpropInput (and a col2im) that nothing uses;
 * with the plain op the tape skips it (im2col/col2im of the proxy's stem were ~6% of a CPU profile of its step).
 * Same kernels otherwise: every other layer needs its input gradient anyway.
 */
import { tf } from '../tf.js';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
type Kwargs = Record<string, unknown>;

const BaseConv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as {
  new (args: Conv2DArgs): tf.layers.Layer;
};

/** The fields of TF.js' Conv2D read here (public at runtime, protected in its typings). */
interface ConvInternals {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat: string;
  dilationRate: [number, number];
}

export class TrainingConv2D extends BaseConv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as ConvInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const plain = self.bias === null && self.activation.getClassName() === 'linear' && self.dataFormat === 'channelsLast';
    if (kwargs['training'] !== true || !plain || self.kernel === null || x === undefined) return super.call(inputs, kwargs);
    return tf.conv2d(x as tf.Tensor4D, self.kernel.read() as tf.Tensor4D, self.strides, self.padding, 'NHWC', self.dilationRate);
  }
}
