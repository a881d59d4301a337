/**
 * From a spec to the concrete network it describes: every block with its real input/output channels, stride and
 * spatial size. This is the one place where width/depth multipliers and channel rounding are applied; the
 * analyzer and the TF.js builder both start from here.
 *
 * Each block kind is expanded by one entry of `EXPANSION`, a table keyed by kind: adding a kind to `BlockSpec`
 * fails to compile until it has an entry here, a price in the analyzer and a builder in the engine (each a
 * `PerBlockKind` table as well).
 */
import { checkLimit, checkSpecLimits } from './limits.js';
import { roundFilters, roundRepeats } from './round.js';
import type { Activation, BlockKind, BlockSpec, NetworkSpec } from './spec.js';

interface ConcreteCommon {
  /** Keras-style name prefix, e.g. `block2b` (stage 2, second repeat). */
  readonly name: string;
  /** 1-based stage index. */
  readonly stage: number;
  readonly kernel: number;
  readonly stride: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly activation: Activation;
  /** Spatial size (square) of the block's input and output, `same` padding: out = ceil(in / stride). */
  readonly inSize: number;
  readonly outSize: number;
}

export interface ConcreteConv extends ConcreteCommon {
  readonly kind: 'conv';
  readonly residual: boolean;
}
export interface ConcreteDs extends ConcreteCommon {
  readonly kind: 'ds';
  /** Channels of the SE bottleneck, 0 for no SE. */
  readonly seChannels: number;
  readonly residual: boolean;
  readonly pointwiseActivation: boolean;
}
interface ConcreteInvertedResidual<K extends 'mbconv' | 'fused'> extends ConcreteCommon {
  readonly kind: K;
  /** Channels after expansion (= input channels when expansion is 1 and the expand conv is omitted). */
  readonly expandedChannels: number;
  /** MBConv omits the expand conv at expansion 1 (Keras, timm `ds`); Fused-MBConv always has it (timm `er`). */
  readonly hasExpandConv: boolean;
  readonly seChannels: number;
  readonly residual: boolean;
}
export type ConcreteMbconv = ConcreteInvertedResidual<'mbconv'> | ConcreteInvertedResidual<'fused'>;
interface ConcreteResidualBlock<K extends 'bottleneck' | 'basic'> extends ConcreteCommon {
  readonly kind: K;
  /** Inner width (bottleneck); equals `outChannels` for basic blocks. */
  readonly innerChannels: number;
  /** 1×1 conv + BN on the shortcut (stride ≠ 1 or channels change). */
  readonly projection: boolean;
}
export type ConcreteResidual = ConcreteResidualBlock<'bottleneck'> | ConcreteResidualBlock<'basic'>;
export interface ConcreteDense extends ConcreteCommon {
  readonly kind: 'dense';
  /** Channels after the transition (stride > 1: ⌊θ · inChannels⌋, θ = 0.5), `null` without one. */
  readonly transitionChannels: number | null;
  /** Channels entering the dense layer: the transition's output, or the block's input. */
  readonly layerInChannels: number;
  /** Width of the 1×1 bottleneck conv (bottleneck · growth). */
  readonly innerChannels: number;
  /** Channels the layer adds: `outChannels = layerInChannels + growth`. */
  readonly growth: number;
}

/** Every concrete block type by its kind: the one map the per-kind tables of arch, analyzer and engine are typed from. */
export interface ConcreteBlockByKind {
  readonly conv: ConcreteConv;
  readonly ds: ConcreteDs;
  readonly mbconv: ConcreteInvertedResidual<'mbconv'>;
  readonly fused: ConcreteInvertedResidual<'fused'>;
  readonly bottleneck: ConcreteResidualBlock<'bottleneck'>;
  readonly basic: ConcreteResidualBlock<'basic'>;
  readonly dense: ConcreteDense;
}
export type ConcreteBlock = ConcreteBlockByKind[BlockKind];

/** One function per block kind, all taking the same context: a missing kind is a compile error. */
export type PerBlockKind<Context, Result> = {
  readonly [K in BlockKind]: (block: ConcreteBlockByKind[K], context: Context) => Result;
};

/** Apply a block's entry of a per-kind table (`kind` is `block.kind`; passing it lets the compiler pair them). */
export function forBlockKind<K extends BlockKind, Context, Result>(
  table: PerBlockKind<Context, Result>,
  kind: K,
  block: ConcreteBlockByKind[K],
  context: Context,
): Result {
  return table[kind](block, context);
}

export interface ConcreteNetwork {
  readonly name: string;
  readonly resolution: number;
  readonly inputChannels: number;
  readonly normalization: NetworkSpec['input']['normalization'];
  readonly convBias: boolean;
  readonly activation: Activation;
  readonly stem: {
    readonly kernel: number;
    readonly stride: number;
    readonly outChannels: number;
    readonly convSize: number;
    readonly pool?: { readonly kernel: number; readonly stride: number; readonly outSize: number };
    readonly outSize: number;
  };
  readonly blocks: readonly ConcreteBlock[];
  /** `conv`: 1×1 conv → BN → act; `bn`: BN → act on the last block's channels. */
  readonly head:
    | { readonly kind: 'conv'; readonly inChannels: number; readonly outChannels: number; readonly size: number }
    | { readonly kind: 'bn'; readonly channels: number; readonly size: number }
    | null;
  /** Channels reaching the classifier (after global pooling). */
  readonly featureChannels: number;
  readonly classes: number;
  readonly dropout: number;
}

/** Block names as Keras: `block{stage}{a,b,…}`; past 26 repeats `block{stage}_{index}`. */
function blockName(stage: number, repeat: number): string {
  return repeat < 26 ? `block${stage}${String.fromCharCode(97 + repeat)}` : `block${stage}_${repeat + 1}`;
}

const seChannelsOf = (inChannels: number, ratio: number): number =>
  ratio > 0 ? Math.max(1, Math.floor(inChannels * ratio)) : 0;

/** DenseNet-BC's compression θ (Huang et al. 2017 §3; Keras `transition_block(x, 0.5, …)`). */
const DENSENET_COMPRESSION = 0.5;

/** Where a block sits: everything its expansion needs besides its own spec. */
interface BlockPlace {
  readonly name: string;
  readonly stage: number;
  readonly stride: number;
  readonly inChannels: number;
  readonly activation: Activation;
  readonly inSize: number;
  readonly outSize: number;
  /** Width scaling and rounding of the spec. */
  readonly channels: (c: number) => number;
}

type SpecOfKind<K extends BlockKind> = Extract<BlockSpec, { readonly kind: K }>;
type ExpansionTable = { readonly [K in BlockKind]: (block: SpecOfKind<K>, at: BlockPlace) => ConcreteBlockByKind[K] };

function expandBlock<K extends BlockKind>(table: ExpansionTable, kind: K, block: SpecOfKind<K>, at: BlockPlace): ConcreteBlockByKind[K] {
  return table[kind](block, at);
}

/**
 * One literal per kind (no object spread: this runs for every block of every candidate a search prices, and V8
 * builds spread copies far more slowly).
 */
const EXPANSION: ExpansionTable = {
  conv: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    const residual = b.skip && stride === 1 && inChannels === outChannels;
    return { kind: 'conv', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize, residual };
  },
  ds: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    const residual = b.skip && stride === 1 && inChannels === outChannels;
    return {
      kind: 'ds', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize,
      seChannels: seChannelsOf(inChannels, b.se), residual, pointwiseActivation: b.pointwiseActivation,
    };
  },
  // Keras: filters = filters_in * expand_ratio; the SE bottleneck is sized from the block's input channels.
  mbconv: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    return {
      kind: 'mbconv', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize,
      expandedChannels: Math.round(inChannels * b.expand), hasExpandConv: b.expand !== 1,
      seChannels: seChannelsOf(inChannels, b.se), residual: b.skip && stride === 1 && inChannels === outChannels,
    };
  },
  fused: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    return {
      kind: 'fused', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize,
      expandedChannels: Math.round(inChannels * b.expand), hasExpandConv: true,
      seChannels: seChannelsOf(inChannels, b.se), residual: b.skip && stride === 1 && inChannels === outChannels,
    };
  },
  bottleneck: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    return {
      kind: 'bottleneck', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize,
      innerChannels: channels(b.out * b.bottleneck), projection: stride !== 1 || inChannels !== outChannels,
    };
  },
  basic: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const outChannels = channels(b.out);
    return {
      kind: 'basic', name, stage, kernel: b.kernel, stride, inChannels, outChannels, activation, inSize, outSize,
      innerChannels: outChannels, projection: stride !== 1 || inChannels !== outChannels,
    };
  },
  // Keras DenseNet: the transition's conv has int(C · 0.5) filters; each layer's bottleneck is 4 · growth_rate.
  dense: (b, { name, stage, stride, inChannels, activation, inSize, outSize, channels }) => {
    const growth = channels(b.growth);
    const transitionChannels = stride > 1 ? Math.floor(inChannels * DENSENET_COMPRESSION) : null;
    const layerInChannels = transitionChannels ?? inChannels;
    return {
      kind: 'dense', name, stage, kernel: b.kernel, stride, inChannels, outChannels: layerInChannels + growth, activation, inSize, outSize,
      transitionChannels, layerInChannels, innerChannels: Math.round(b.bottleneck * growth), growth,
    };
  },
};

export function expandNetwork(spec: NetworkSpec): ConcreteNetwork {
  checkSpecLimits(spec);
  const channels = (c: number): number => roundFilters(c, spec.width, spec.rounding, spec.divisor);
  // EfficientNet-Lite (`fix_head_stem`): stem and head as written, first and last stages' repeats unscaled.
  const fixedChannels = (c: number): number => (spec.fixHeadStem ? c : channels(c));
  const lastStage = spec.stages.length - 1;
  const stemOut = fixedChannels(spec.stem.out);
  const convSize = Math.ceil(spec.input.resolution / spec.stem.stride);
  const pool = spec.stem.pool && { ...spec.stem.pool, outSize: Math.ceil(convSize / spec.stem.pool.stride) };
  const stemSize = pool ? pool.outSize : convSize;

  const blocks: ConcreteBlock[] = [];
  let inChannels = stemOut;
  let size = stemSize;
  spec.stages.forEach((stage, stageIndex) => {
    const fixedRepeats = spec.fixHeadStem && (stageIndex === 0 || stageIndex === lastStage);
    const repeats = fixedRepeats ? stage.repeats : roundRepeats(stage.repeats, spec.depth);
    for (let repeat = 0; repeat < repeats; repeat++) {
      const stride = repeat === 0 ? stage.block.stride : 1;
      const outSize = Math.ceil(size / stride);
      const activation = stage.block.activation ?? spec.activation;
      const place: BlockPlace = { name: blockName(stageIndex + 1, repeat), stage: stageIndex + 1, stride, inChannels, activation, inSize: size, outSize, channels };
      const block = expandBlock(EXPANSION, stage.block.kind, stage.block, place);
      blocks.push(block);
      inChannels = block.outChannels;
      size = outSize;
    }
  });

  const head: ConcreteNetwork['head'] =
    spec.head === null ? null
    : spec.head.kind === 'conv' ? { kind: 'conv', inChannels, outChannels: fixedChannels(spec.head.out), size }
    : { kind: 'bn', channels: inChannels, size };
  const widest = Math.max(stemOut, head?.kind === 'conv' ? head.outChannels : 0, ...blocks.map((b) => forBlockKind(WIDEST, b.kind, b, null)));
  checkLimit('channels', widest, `${spec.name} at width ×${spec.width.toPrecision(4)}: the widest layer`);
  return {
    name: spec.name,
    resolution: spec.input.resolution,
    inputChannels: spec.input.channels,
    normalization: spec.input.normalization,
    convBias: spec.convBias,
    activation: spec.activation,
    stem: { kernel: spec.stem.kernel, stride: spec.stem.stride, outChannels: stemOut, convSize, ...(pool ? { pool } : {}), outSize: stemSize },
    blocks,
    head,
    featureChannels: head?.kind === 'conv' ? head.outChannels : inChannels,
    classes: spec.classes,
    dropout: spec.dropout,
  };
}

/** The most channels a block's layers have (for the channel limit). */
const WIDEST: PerBlockKind<null, number> = {
  conv: (b) => b.outChannels,
  ds: (b) => b.outChannels,
  mbconv: (b) => Math.max(b.outChannels, b.expandedChannels),
  fused: (b) => Math.max(b.outChannels, b.expandedChannels),
  bottleneck: (b) => Math.max(b.outChannels, b.innerChannels),
  basic: (b) => Math.max(b.outChannels, b.innerChannels),
  dense: (b) => Math.max(b.outChannels, b.innerChannels),
};
