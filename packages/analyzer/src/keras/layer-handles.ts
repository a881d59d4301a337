/**
 * One handle per Keras layer class (fvcore's handle table): from a layer's config and input shapes, its output
 * shape, weights and multiply-accumulates. A class without a handle is reported as not priced, never as free.
 * Shapes include the batch axis (`null`); counts are per example. Formulas are Keras' own: `conv_output_length`,
 * `deconv_output_length`, and each layer's `build()` for its weights.
 */
import type { LayerKind } from '../cost.js';
import type { JsonObject } from '../json.js';
import { broadcastShapes, product } from '../shape.js';
import type { Dim, Shape } from '../shape.js';
import { booleanValue, intsValue, numberValue, pairsValue, stringValue, tupleValue } from './config-values.js';

export interface LayerPrice {
  readonly output: Shape;
  /** Weights as the layer's `build()` makes them; a frozen layer (`trainable: false`) is moved to non-trainable by the caller. */
  readonly trainable: number;
  readonly nonTrainable: number;
  /** `null`: MACs need a dimension the shapes leave unknown (the caller asks for `--input-shape`). */
  readonly macs: number | null;
  readonly kind: LayerKind;
  readonly activations: number;
}

export type LayerHandle = (config: JsonObject, inputs: readonly Shape[], className: string) => LayerPrice;

const times = (a: number | null, b: number): number | null => (a === null ? null : a * b);

function first(inputs: readonly Shape[]): Shape {
  return inputs[0] ?? [];
}

/** Channels-last by default; `channels_first` puts channels at axis 1. */
function layout(config: JsonObject, shape: Shape): { spatial: Dim[]; channels: Dim; assemble: (spatial: readonly Dim[], channels: Dim) => Shape } {
  const channelsFirst = stringValue(config, 'data_format', 'channels_last') === 'channels_first';
  const batch = shape[0] ?? null;
  if (channelsFirst) {
    return { spatial: shape.slice(2), channels: shape[1] ?? null, assemble: (s, c) => [batch, c, ...s] };
  }
  return { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] ?? null, assemble: (s, c) => [batch, ...s, c] };
}

/** Keras `conv_output_length`: 'same' / 'causal' → ⌈n / s⌉, 'valid' → ⌈(n − (k − 1)·d) / s⌉. */
function convLength(n: Dim, kernel: number, stride: number, padding: string, dilation: number): Dim {
  if (n === null) return null;
  if (padding === 'valid') return Math.max(0, Math.ceil((n - (kernel - 1) * dilation) / stride));
  return Math.ceil(n / stride);
}

/** Keras `deconv_output_length`. */
function deconvLength(n: Dim, kernel: number, stride: number, padding: string, outputPadding: number | undefined): Dim {
  if (n === null) return null;
  if (outputPadding === undefined) return padding === 'valid' ? n * stride + Math.max(kernel - stride, 0) : n * stride;
  const pad = padding === 'same' ? Math.floor(kernel / 2) : 0;
  return (n - 1) * stride + kernel - 2 * pad + outputPadding;
}

const rankOf = (className: string): number => (className.includes('1D') ? 1 : className.includes('3D') ? 3 : 2);

const free = (output: Shape, kind: LayerKind = 'other'): LayerPrice => ({ output, trainable: 0, nonTrainable: 0, macs: 0, kind, activations: 0 });

/** Thrown by a handle that needs a dimension the shapes leave unknown; the walker names the layer. */
export class MissingDimension extends Error {}

function need(dim: Dim, what: string): number {
  if (dim === null) throw new MissingDimension(`${what} needs its input's channel dimension`);
  return dim;
}

/** The window geometry Conv, DepthwiseConv and SeparableConv share. */
interface ConvWindow {
  readonly cin: number;
  /** Output spatial size; `positions` is its product (`null` when a dim is unknown). */
  readonly out: readonly Dim[];
  readonly positions: number | null;
  readonly kernelElements: number;
  readonly pointwise: boolean;
  readonly assemble: (spatial: readonly Dim[], channels: Dim) => Shape;
}

function convWindow(config: JsonObject, inputs: readonly Shape[], className: string): ConvWindow {
  const rank = rankOf(className);
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const kernel = tupleValue(config, 'kernel_size', rank, 1);
  const strides = tupleValue(config, 'strides', rank, 1);
  const dilation = tupleValue(config, 'dilation_rate', rank, 1);
  const padding = stringValue(config, 'padding', 'valid');
  const out = spatial.map((n, i) => convLength(n, kernel[i] ?? 1, strides[i] ?? 1, padding, dilation[i] ?? 1));
  return {
    cin: need(channels, className),
    out,
    positions: product(out),
    kernelElements: kernel.reduce((a, b) => a * b, 1),
    assemble,
    pointwise: kernel.every((k) => k === 1),
  };
}

/** A layer whose every output position applies `perPosition` multiply-accumulates for `cout` outputs. */
function windowPrice(w: ConvWindow, cout: number, weights: number, bias: boolean, perPosition: number, kind: LayerKind): LayerPrice {
  return {
    output: w.assemble(w.out, cout),
    trainable: weights + (bias ? cout : 0),
    nonTrainable: 0,
    macs: times(w.positions, perPosition),
    kind,
    activations: times(w.positions, cout) ?? 0,
  };
}

const conv: LayerHandle = (config, inputs, className) => {
  const w = convWindow(config, inputs, className);
  const filters = numberValue(config, 'filters', 1);
  const kernelWeights = w.kernelElements * (w.cin / numberValue(config, 'groups', 1)) * filters;
  return windowPrice(w, filters, kernelWeights, booleanValue(config, 'use_bias', true), kernelWeights, w.pointwise ? 'pointwise' : 'conv');
};

const depthwise: LayerHandle = (config, inputs, className) => {
  const w = convWindow(config, inputs, className);
  const cout = w.cin * numberValue(config, 'depth_multiplier', 1);
  const kernelWeights = w.kernelElements * cout;
  return windowPrice(w, cout, kernelWeights, booleanValue(config, 'use_bias', true), kernelWeights, 'depthwise');
};

/** Depthwise k×k (× depth_multiplier) then pointwise 1×1, both at the output positions. */
const separable: LayerHandle = (config, inputs, className) => {
  const w = convWindow(config, inputs, className);
  const filters = numberValue(config, 'filters', 1);
  const inner = w.cin * numberValue(config, 'depth_multiplier', 1);
  const weights = w.kernelElements * inner + inner * filters;
  return windowPrice(w, filters, weights, booleanValue(config, 'use_bias', true), weights, 'conv');
};

const transposedConv: LayerHandle = (config, inputs, className) => {
  const rank = rankOf(className.replace('Transpose', ''));
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const cin = need(channels, className);
  const kernel = tupleValue(config, 'kernel_size', rank, 1);
  const strides = tupleValue(config, 'strides', rank, 1);
  const padding = stringValue(config, 'padding', 'valid');
  const outputPadding = intsValue(config, 'output_padding');
  const filters = numberValue(config, 'filters', 1);
  const out = spatial.map((n, i) => deconvLength(n, kernel[i] ?? 1, strides[i] ?? 1, padding, outputPadding === undefined ? undefined : (outputPadding[i] ?? outputPadding[0])));
  const kernelWeights = kernel.reduce((a, b) => a * b, 1) * cin * filters;
  // Every input position scatters the whole kernel.
  return {
    output: assemble(out, filters),
    trainable: kernelWeights + (booleanValue(config, 'use_bias', true) ? filters : 0),
    nonTrainable: 0,
    macs: times(product(spatial), kernelWeights),
    kind: 'conv',
    activations: times(product(out), filters) ?? 0,
  };
};

const dense: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const units = numberValue(config, 'units', 1);
  const cin = need(input[input.length - 1] ?? null, 'Dense');
  const rows = product(input.slice(1, -1));
  return {
    output: [...input.slice(0, -1), units],
    trainable: cin * units + (booleanValue(config, 'use_bias', true) ? units : 0),
    nonTrainable: 0,
    macs: times(rows, cin * units),
    kind: 'dense',
    activations: times(rows, units) ?? 0,
  };
};

/** Channels a normalization layer keeps statistics for: the product of the dims at `axis` (default −1). */
function normalizedChannels(config: JsonObject, shape: Shape, what: string): number {
  const axes = intsValue(config, 'axis') ?? [-1];
  return axes.reduce((n, axis) => n * need(shape[axis < 0 ? shape.length + axis : axis] ?? null, what), 1);
}

const batchNorm: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const c = normalizedChannels(config, input, 'BatchNormalization');
  const affine = (booleanValue(config, 'scale', true) ? c : 0) + (booleanValue(config, 'center', true) ? c : 0);
  return { output: input, trainable: affine, nonTrainable: 2 * c, macs: 0, kind: 'bn', activations: 0 };
};

const layerNorm: LayerHandle = (config, inputs, className) => {
  const input = first(inputs);
  const c = normalizedChannels(config, input, className);
  const affine = (booleanValue(config, 'scale', true) ? c : 0) + (booleanValue(config, 'center', true) ? c : 0);
  return { output: input, trainable: affine, nonTrainable: 0, macs: 0, kind: 'bn', activations: 0 };
};

/** Keras' adaptable `Normalization`: mean and variance per channel and a count, unless the config fixes them. */
const inputNormalization: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const fixed = config['mean'] !== undefined && config['mean'] !== null;
  const c = normalizedChannels(config, input, 'Normalization');
  return { output: input, trainable: 0, nonTrainable: fixed ? 0 : 2 * c + 1, macs: 0, kind: 'normalization', activations: 0 };
};

const embedding: LayerHandle = (config, inputs) => ({
  ...free([...first(inputs), numberValue(config, 'output_dim', 1)]),
  trainable: numberValue(config, 'input_dim', 1) * numberValue(config, 'output_dim', 1),
});

/** PReLU: one slope per input element, shared along `shared_axes` (1-based, batch excluded). */
const prelu: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const shared = new Set(intsValue(config, 'shared_axes') ?? []);
  const slopes = input.slice(1).reduce<number>((n, d, i) => n * (shared.has(i + 1) ? 1 : need(d, 'PReLU')), 1);
  return { ...free(input), trainable: slopes };
};

const identity: LayerHandle = (_config, inputs) => free(first(inputs));

/** Element-wise merges broadcast their inputs. */
const broadcast: LayerHandle = (_config, inputs) => free(broadcastShapes(inputs));

const concatenate: LayerHandle = (config, inputs) => {
  const base = first(inputs);
  const rawAxis = numberValue(config, 'axis', -1);
  const axis = rawAxis < 0 ? base.length + rawAxis : rawAxis;
  const sum = inputs.reduce<Dim>((n, s) => (n === null || s[axis] === null || s[axis] === undefined ? null : n + (s[axis] as number)), 0);
  return free(base.map((d, i) => (i === axis ? sum : d)));
};

const flatten: LayerHandle = (_config, inputs) => {
  const input = first(inputs);
  return free([input[0] ?? null, product(input.slice(1))]);
};

const reshape: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const target = intsValue(config, 'target_shape') ?? [];
  const total = product(input.slice(1));
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return free([input[0] ?? null, ...target.map((d) => (d === -1 ? (total === null ? null : total / known) : d))]);
};

const permute: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  const dims = intsValue(config, 'dims') ?? [];
  return free([input[0] ?? null, ...dims.map((d) => input[d] ?? null)]);
};

const repeatVector: LayerHandle = (config, inputs) => {
  const input = first(inputs);
  return free([input[0] ?? null, numberValue(config, 'n', 1), input[1] ?? null]);
};

const globalPooling: LayerHandle = (config, inputs) => {
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const input = first(inputs);
  return free(booleanValue(config, 'keepdims', false) ? assemble(spatial.map(() => 1), channels) : [input[0] ?? null, channels]);
};

const pooling: LayerHandle = (config, inputs, className) => {
  const rank = rankOf(className);
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const pool = tupleValue(config, 'pool_size', rank, 2);
  const strideValue = config['strides'];
  const strides = strideValue === undefined || strideValue === null ? pool : tupleValue(config, 'strides', rank, 1);
  const padding = stringValue(config, 'padding', 'valid');
  return free(assemble(spatial.map((n, i) => convLength(n, pool[i] ?? 1, strides[i] ?? 1, padding, 1)), channels));
};

const padding: LayerHandle = (config, inputs, className) => {
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const pads = pairsValue(config, 'padding', rankOf(className));
  return free(assemble(spatial.map((n, i) => (n === null ? null : n + (pads[i]?.[0] ?? 0) + (pads[i]?.[1] ?? 0))), channels));
};

const cropping: LayerHandle = (config, inputs, className) => {
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const crops = pairsValue(config, 'cropping', rankOf(className));
  return free(assemble(spatial.map((n, i) => (n === null ? null : n - (crops[i]?.[0] ?? 0) - (crops[i]?.[1] ?? 0))), channels));
};

const upsampling: LayerHandle = (config, inputs, className) => {
  const rank = rankOf(className);
  const { spatial, channels, assemble } = layout(config, first(inputs));
  const size = tupleValue(config, rank === 1 ? 'length' : 'size', rank, 2);
  return free(assemble(spatial.map((n, i) => (n === null ? null : n * (size[i] ?? 1))), channels));
};

/** Resizing and CenterCrop set the spatial size to (height, width). */
const resize: LayerHandle = (config, inputs) => {
  const { channels, assemble } = layout(config, first(inputs));
  return free(assemble([numberValue(config, 'height', 0), numberValue(config, 'width', 0)], channels));
};

const IDENTITY_CLASSES = [
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'Identity', 'Masking', 'ActivityRegularization',
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'Rescaling', 'UnitNormalization',
];
const MERGE_CLASSES = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'];

/** The handle table. Keras 2 aliases (`Convolution2D`, `MaxPool2D`, …) share their class' handle. */
export const LAYER_HANDLES: ReadonlyMap<string, LayerHandle> = new Map<string, LayerHandle>([
  ...['Conv1D', 'Conv2D', 'Conv3D', 'Convolution1D', 'Convolution2D', 'Convolution3D'].map((c) => [c, conv] as const),
  ...['DepthwiseConv1D', 'DepthwiseConv2D'].map((c) => [c, depthwise] as const),
  ...['SeparableConv1D', 'SeparableConv2D', 'SeparableConvolution1D', 'SeparableConvolution2D'].map((c) => [c, separable] as const),
  ...['Conv2DTranspose', 'Conv3DTranspose', 'Conv1DTranspose', 'Convolution2DTranspose'].map((c) => [c, transposedConv] as const),
  ['Dense', dense],
  ['BatchNormalization', batchNorm],
  ['LayerNormalization', layerNorm],
  ['Normalization', inputNormalization],
  ['Embedding', embedding],
  ['PReLU', prelu],
  ...IDENTITY_CLASSES.map((c) => [c, identity] as const),
  ...MERGE_CLASSES.map((c) => [c, broadcast] as const),
  ['Concatenate', concatenate],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Permute', permute],
  ['RepeatVector', repeatVector],
  ...['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'GlobalAvgPool2D', 'GlobalMaxPool2D'].map((c) => [c, globalPooling] as const),
  ...['MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'MaxPool1D', 'MaxPool2D', 'MaxPool3D', 'AvgPool1D', 'AvgPool2D', 'AvgPool3D'].map((c) => [c, pooling] as const),
  ...['ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D'].map((c) => [c, padding] as const),
  ...['Cropping1D', 'Cropping2D', 'Cropping3D'].map((c) => [c, cropping] as const),
  ...['UpSampling1D', 'UpSampling2D', 'UpSampling3D'].map((c) => [c, upsampling] as const),
  ['Resizing', resize],
  ['CenterCrop', resize],
]);
