/**
 * Exact cost of any TF.js `LayersModel`, by walking its layers (fvcore's handle table): each layer class has a
 * handle; a class without one is reported in `unsupported` with its params (known from its weights) and no
 * MACs, never silently priced at zero. Only the structural surface of TF.js is used, so this package does not
 * load TF.js itself.
 */
import { CostAccumulator } from './cost.js';
import type { Analysis, LayerKind } from './cost.js';

type Shape = readonly (number | null)[];

/** The parts of a TF.js weight variable read here. */
export interface WeightLike {
  readonly name: string;
  /** TF.js keeps the scoped name before it uniquifies `name` (`conv/kernel` vs `conv/kernel_1`). */
  readonly originalName?: string;
  /** Always concrete for weights; TF.js types it as a `Shape`. */
  readonly shape: Shape;
}

/** The parts of a TF.js layer read here. */
export interface LayerLike {
  readonly name: string;
  readonly trainableWeights: readonly WeightLike[];
  readonly nonTrainableWeights: readonly WeightLike[];
  readonly outputShape: Shape | Shape[];
  getClassName(): string;
}

export interface LayersModelLike {
  readonly name: string;
  readonly layers: readonly LayerLike[];
  readonly inputs: readonly { readonly shape: Shape }[];
}

/** Layers that carry no MACs by their nature (shape changes, pooling, element-wise ops, activations). */
const FREE_LAYERS = new Set([
  'InputLayer', 'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax',
  'Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'ZeroPadding2D', 'Cropping2D', 'UpSampling2D',
  'Rescaling', 'CenterCrop', 'Resizing', 'Masking',
]);

/** Layers whose MACs are (output positions) × (kernel elements): a dense or (depthwise) conv kernel. */
const KERNEL_LAYERS: ReadonlyMap<string, LayerKind> = new Map<string, LayerKind>([
  ['Conv1D', 'conv'],
  ['Conv2D', 'conv'],
  ['Conv3D', 'conv'],
  ['DepthwiseConv2D', 'depthwise'],
  ['Dense', 'dense'],
]);

const NORM_LAYERS: ReadonlyMap<string, LayerKind> = new Map<string, LayerKind>([
  ['BatchNormalization', 'bn'],
  ['LayerNormalization', 'bn'],
  ['Normalization', 'normalization'],
]);

const product = (xs: Shape): number => xs.reduce<number>((a, b) => a * (b ?? 0), 1);

function firstShape(shape: Shape | Shape[]): readonly number[] {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as Shape;
  return s.slice(1).map((d) => d ?? 0);
}

/** The weight whose last path segment is `role` (`kernel`, `depthwise_kernel`, …). */
const weightNamed = (layer: LayerLike, role: string): WeightLike | undefined =>
  [...layer.trainableWeights, ...layer.nonTrainableWeights].find((w) => (w.originalName ?? w.name).split('/').pop() === role);

/** MACs of a kernel layer: every output position applies the kernel once per output channel. */
function kernelMacs(layer: LayerLike, outputShape: readonly number[]): number | undefined {
  const kernel = weightNamed(layer, 'kernel') ?? weightNamed(layer, 'depthwise_kernel');
  if (kernel === undefined) return undefined;
  const outChannels = outputShape[outputShape.length - 1] ?? 1;
  const positions = product(outputShape) / outChannels;
  // A conv/dense kernel's last axis is the output channels; a depthwise kernel [kh, kw, cin, m] yields cin·m.
  return positions * product(kernel.shape);
}

function separableMacs(layer: LayerLike, outputShape: readonly number[]): number | undefined {
  const dw = weightNamed(layer, 'depthwise_kernel');
  const pw = weightNamed(layer, 'pointwise_kernel');
  if (dw === undefined || pw === undefined) return undefined;
  const positions = product(outputShape) / (outputShape[outputShape.length - 1] ?? 1);
  return positions * (product(dw.shape) + product(pw.shape));
}

/** The analysis of a live TF.js `LayersModel` (or anything with its layers API): layers the analyzer cannot price are listed as unsupported. */
export function analyzeLayersModel(model: LayersModelLike, options: { readonly layers?: boolean } = {}): Analysis {
  const acc = new CostAccumulator(options.layers === true);
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const outputShape = firstShape(layer.outputShape);
    const trainable = layer.trainableWeights.reduce((n, w) => n + product(w.shape), 0);
    const nonTrainable = layer.nonTrainableWeights.reduce((n, w) => n + product(w.shape), 0);
    const outputs = product(outputShape);
    const kernelKind = KERNEL_LAYERS.get(className);
    let kind: LayerKind;
    let macs: number | undefined;
    let activations = 0;
    if (kernelKind !== undefined) {
      macs = kernelMacs(layer, outputShape);
      kind = kernelKind === 'conv' && isPointwise(layer) ? 'pointwise' : kernelKind;
      activations = outputs;
    } else if (className === 'SeparableConv2D') {
      macs = separableMacs(layer, outputShape);
      kind = 'conv';
      activations = outputs;
    } else if (NORM_LAYERS.has(className)) {
      kind = NORM_LAYERS.get(className) ?? 'bn';
      macs = 0;
    } else if (FREE_LAYERS.has(className)) {
      if (trainable + nonTrainable === 0) continue;
      kind = 'other';
      macs = 0;
    } else {
      kind = 'unsupported';
      macs = undefined;
    }
    if (macs === undefined) {
      acc.markUnsupported(layer.name, className);
      kind = 'unsupported';
      macs = 0;
    }
    acc.setStage(className);
    acc.add(layer.name, kind, outputShape, trainable, nonTrainable, macs, activations);
  }
  const input = model.inputs[0]?.shape;
  return acc.finish(model.name, input?.[1] ?? 0);
}

function isPointwise(layer: LayerLike): boolean {
  const kernel = weightNamed(layer, 'kernel');
  return kernel !== undefined && kernel.shape.slice(0, -2).every((d) => d === 1);
}
