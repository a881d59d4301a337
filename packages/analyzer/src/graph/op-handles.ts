/**
 * One handle per TensorFlow op (fvcore's table): the op's output shape from its input shapes, and the
 * multiply-accumulates of the ops that carry them (Conv2D, DepthwiseConv2dNative, MatMul, BatchMatMul and the
 * converter's fused `_Fused*` forms). Ops without a handle are listed as unsupported by the caller, as fvcore does.
 * Shapes carry the batch axis; MACs are per example (a leading unknown or batch axis is not multiplied in).
 */
import type { LayerKind } from '../cost.js';
import { attrBool, attrInts, attrString } from './graph-nodes.js';
import type { GraphNode } from './graph-nodes.js';
import { broadcastShapes, product } from '../shape.js';
import type { Dim, Shape } from '../shape.js';

export interface OpInputs {
  readonly shapes: readonly (Shape | undefined)[];
  /** Integer values of a Const input (axes, paddings, target shapes) where the weight files hold them. */
  readonly values: readonly (readonly number[] | undefined)[];
}

export interface OpPrice {
  /** `undefined`: this op's output shape cannot be inferred from what is known. */
  readonly output: Shape | undefined;
  /** `null`: the op carries MACs but a dimension it needs is unknown. */
  readonly macs: number | null;
  readonly kind: LayerKind | null;
}

export type OpHandle = (node: GraphNode, inputs: OpInputs) => OpPrice;

const shapeOnly = (output: Shape | undefined): OpPrice => ({ output, macs: 0, kind: null });

/** NHWC unless `data_format` says NCHW. */
function spatialLayout(node: GraphNode, shape: Shape): { spatial: Dim[]; channels: Dim; assemble: (s: readonly Dim[], c: Dim) => Shape } {
  const batch = shape[0] ?? null;
  if (attrString(node, 'data_format') === 'NCHW') return { spatial: shape.slice(2), channels: shape[1] ?? null, assemble: (s, c) => [batch, c, ...s] };
  return { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] ?? null, assemble: (s, c) => [batch, ...s, c] };
}

/** TensorFlow's window arithmetic: SAME → ⌈n / s⌉, VALID → ⌈(n − (k − 1)·d) / s⌉, EXPLICIT adds its pads. */
function windowLength(n: Dim, kernel: number, stride: number, padding: string, dilation: number, pads: readonly [number, number]): Dim {
  if (n === null) return null;
  if (padding === 'SAME') return Math.ceil(n / stride);
  return Math.max(0, Math.ceil((n + pads[0] + pads[1] - (kernel - 1) * dilation) / stride));
}

/** Strides, dilations and (for pooling) ksize are 4-vectors in the data layout; take the spatial ones. */
function spatialOf(node: GraphNode, values: number[] | undefined): number[] {
  if (values === undefined) return [1, 1];
  return attrString(node, 'data_format') === 'NCHW' ? values.slice(2) : values.slice(1, 3);
}

function explicitPads(node: GraphNode): [number, number][] {
  const pads = attrInts(node, 'explicit_paddings') ?? [];
  const at = attrString(node, 'data_format') === 'NCHW' ? [2, 3] : [1, 2];
  return at.map((axis) => [pads[2 * axis] ?? 0, pads[2 * axis + 1] ?? 0]);
}

/** Conv2D family: input x, filter [kh, kw, cin, cout] (depthwise: [kh, kw, cin, multiplier]). */
function convolution(depthwise: boolean): OpHandle {
  return (node, { shapes }) => {
    const x = shapes[0];
    const filter = shapes[1];
    if (x === undefined || filter === undefined || filter.some((d) => d === null)) return { output: undefined, macs: null, kind: depthwise ? 'depthwise' : 'conv' };
    const [kh = 1, kw = 1, cin = 1, last = 1] = filter as number[];
    const cout = depthwise ? cin * last : last;
    const { spatial, assemble } = spatialLayout(node, x);
    const strides = spatialOf(node, attrInts(node, 'strides'));
    const dilations = spatialOf(node, attrInts(node, 'dilations'));
    const padding = attrString(node, 'padding') ?? 'VALID';
    const pads = explicitPads(node);
    const out = spatial.map((n, i) => windowLength(n, i === 0 ? kh : kw, strides[i] ?? 1, padding, dilations[i] ?? 1, pads[i] ?? [0, 0]));
    const positions = product(out);
    const perPosition = kh * kw * (depthwise ? cout : cin * cout);
    const kind: LayerKind = depthwise ? 'depthwise' : kh === 1 && kw === 1 ? 'pointwise' : 'conv';
    return { output: assemble(out, cout), macs: positions === null ? null : positions * perPosition, kind };
  };
}

/** MatMul: [M, K] × [K, N] (transpose_a / transpose_b); M is the batch, so a row is one example. */
const matmul: OpHandle = (node, { shapes }) => {
  const a = shapes[0];
  const b = shapes[1];
  if (a === undefined || b === undefined) return { output: undefined, macs: null, kind: 'dense' };
  const [m = null, k = null] = attrBool(node, 'transpose_a') ? [a[1], a[0]] : [a[0], a[1]];
  const n = (attrBool(node, 'transpose_b') ? b[0] : b[1]) ?? null;
  return { output: [m, n], macs: k === null || n === null ? null : k * n, kind: 'dense' };
};

/** BatchMatMul: [..., M, K] × [..., K, N] (adj_x / adj_y); per example, the leading batch axis is left out. */
const batchMatmul: OpHandle = (node, { shapes }) => {
  const a = shapes[0];
  const b = shapes[1];
  if (a === undefined || b === undefined || a.length < 2 || b.length < 2) return { output: undefined, macs: null, kind: 'dense' };
  const last2 = (s: Shape, adjoint: boolean): [Dim, Dim] => {
    const r = s[s.length - 2] ?? null;
    const c = s[s.length - 1] ?? null;
    return adjoint ? [c, r] : [r, c];
  };
  const [m, k] = last2(a, attrBool(node, 'adj_x'));
  const [, n] = last2(b, attrBool(node, 'adj_y'));
  const batch = a.slice(0, -2);
  const perExample = product(batch.slice(1));
  const output: Shape = [...batch, m, n];
  return { output, macs: perExample === null || m === null || k === null || n === null ? null : perExample * m * k * n, kind: 'dense' };
};

const unary: OpHandle = (_node, { shapes }) => shapeOnly(shapes[0]);

const broadcast: OpHandle = (_node, { shapes }) => shapeOnly(shapes.some((s) => s === undefined) ? undefined : broadcastShapes(shapes as Shape[]));

const pooling: OpHandle = (node, { shapes }) => {
  const x = shapes[0];
  if (x === undefined) return shapeOnly(undefined);
  const { spatial, channels, assemble } = spatialLayout(node, x);
  const ksize = spatialOf(node, attrInts(node, 'ksize'));
  const strides = spatialOf(node, attrInts(node, 'strides'));
  const padding = attrString(node, 'padding') ?? 'VALID';
  return shapeOnly(assemble(spatial.map((n, i) => windowLength(n, ksize[i] ?? 1, strides[i] ?? 1, padding, 1, [0, 0])), channels));
};

const squeeze: OpHandle = (node, { shapes }) => {
  const x = shapes[0];
  if (x === undefined) return shapeOnly(undefined);
  const axes = (attrInts(node, 'squeeze_dims') ?? []).map((a) => (a < 0 ? x.length + a : a));
  return shapeOnly(axes.length === 0 ? x.filter((d) => d !== 1) : x.filter((_, i) => !axes.includes(i)));
};

/** Mean, Sum, Max, … over the axes in input 1 (a Const whose values come from the weight files). */
const reduction: OpHandle = (node, { shapes, values }) => {
  const x = shapes[0];
  const axes = values[1];
  if (x === undefined || axes === undefined) return shapeOnly(undefined);
  const at = new Set(axes.map((a) => (a < 0 ? x.length + a : a)));
  const keep = attrBool(node, 'keep_dims');
  return shapeOnly(keep ? x.map((d, i) => (at.has(i) ? 1 : d)) : x.filter((_, i) => !at.has(i)));
};

const reshape: OpHandle = (_node, { shapes, values }) => {
  const x = shapes[0];
  const target = values[1];
  if (x === undefined || target === undefined) return shapeOnly(undefined);
  const total = product(x.slice(1));
  const known = target.slice(1).filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  // The first axis is the batch (−1 or the fixed batch); an inferred axis elsewhere takes what is left per example.
  return shapeOnly([x[0] ?? null, ...target.slice(1).map((d) => (d === -1 ? (total === null ? null : total / known) : d))]);
};

/** ConcatV2: the axis is the last input; without its value, the one axis where the inputs differ. */
const concat: OpHandle = (_node, { shapes, values }) => {
  const parts = shapes.slice(0, -1);
  if (parts.length === 0 || parts.some((s) => s === undefined)) return shapeOnly(undefined);
  const all = parts as Shape[];
  const base = all[0] ?? [];
  const given = values[values.length - 1]?.[0];
  const differing = base.map((_, i) => i).filter((i) => i > 0 && new Set(all.map((s) => s[i])).size > 1);
  const axis = given !== undefined ? (given < 0 ? base.length + given : given) : differing.length === 1 ? differing[0] : undefined;
  if (axis === undefined) return shapeOnly(undefined);
  const sum = all.reduce<Dim>((n, s) => (n === null || s[axis] === null || s[axis] === undefined ? null : n + (s[axis] as number)), 0);
  return shapeOnly(base.map((d, i) => (i === axis ? sum : d)));
};

const pad: OpHandle = (_node, { shapes, values }) => {
  const x = shapes[0];
  const pads = values[1];
  if (x === undefined || pads === undefined) return shapeOnly(undefined);
  return shapeOnly(x.map((d, i) => (d === null ? null : d + (pads[2 * i] ?? 0) + (pads[2 * i + 1] ?? 0))));
};

const UNARY_OPS = [
  'Identity', 'Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'LeakyRelu', 'Cast', 'Neg', 'Exp', 'Log',
  'Sqrt', 'Rsqrt', 'Square', 'Abs', 'Softplus', 'StopGradient', 'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3',
  'Prelu', 'Round', 'Floor', 'Ceil', 'Sign', 'Erf', 'Reciprocal', 'Swish', 'HardSigmoid',
];
const BINARY_OPS = [
  'Add', 'AddV2', 'AddN', 'Sub', 'Mul', 'RealDiv', 'Div', 'DivNoNan', 'FloorDiv', 'Maximum', 'Minimum', 'BiasAdd',
  'SquaredDifference', 'Pow',
];

/** The handle table. */
export const OP_HANDLES: ReadonlyMap<string, OpHandle> = new Map<string, OpHandle>([
  ['Conv2D', convolution(false)],
  ['_FusedConv2D', convolution(false)],
  ['DepthwiseConv2dNative', convolution(true)],
  ['FusedDepthwiseConv2dNative', convolution(true)],
  ['MatMul', matmul],
  ['_FusedMatMul', matmul],
  ['BatchMatMul', batchMatmul],
  ['BatchMatMulV2', batchMatmul],
  ['MaxPool', pooling],
  ['AvgPool', pooling],
  ['Squeeze', squeeze],
  ['Mean', reduction],
  ['Sum', reduction],
  ['Max', reduction],
  ['Min', reduction],
  ['Prod', reduction],
  ['Reshape', reshape],
  ['ConcatV2', concat],
  ['Pad', pad],
  ['PadV2', pad],
  ['MirrorPad', pad],
  ...UNARY_OPS.map((op) => [op, unary] as const),
  ...BINARY_OPS.map((op) => [op, broadcast] as const),
]);
