/**
 * From a spec to the concrete network it describes: every block with its real input/output channels, stride and
 * spatial size. This is the one place where width/depth multipliers and channel rounding are applied; the
 * analyzer and the TF.js builder both start from here.
 */
import { checkLimit, checkSpecLimits } from './limits.js';
import { roundFilters, roundRepeats } from './round.js';
import type { Activation, BlockSpec, NetworkSpec } from './spec.js';

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
}
export interface ConcreteMbconv extends ConcreteCommon {
  readonly kind: 'mbconv' | 'fused';
  /** Channels after expansion (= input channels when expansion is 1 and the expand conv is omitted). */
  readonly expandedChannels: number;
  /** MBConv omits the expand conv at expansion 1 (Keras, timm `ds`); Fused-MBConv always has it (timm `er`). */
  readonly hasExpandConv: boolean;
  readonly seChannels: number;
  readonly residual: boolean;
}
export interface ConcreteResidual extends ConcreteCommon {
  readonly kind: 'bottleneck' | 'basic';
  /** Inner width (bottleneck); equals `outChannels` for basic blocks. */
  readonly innerChannels: number;
  /** 1×1 conv + BN on the shortcut (stride ≠ 1 or channels change). */
  readonly projection: boolean;
}
export type ConcreteBlock = ConcreteConv | ConcreteDs | ConcreteMbconv | ConcreteResidual;

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
  readonly head: { readonly inChannels: number; readonly outChannels: number; readonly size: number } | null;
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

export function expandNetwork(spec: NetworkSpec): ConcreteNetwork {
  checkSpecLimits(spec);
  const channels = (c: number): number => roundFilters(c, spec.width, spec.rounding, spec.divisor);
  const stemOut = channels(spec.stem.out);
  const convSize = Math.ceil(spec.input.resolution / spec.stem.stride);
  const pool = spec.stem.pool && { ...spec.stem.pool, outSize: Math.ceil(convSize / spec.stem.pool.stride) };
  const stemSize = pool ? pool.outSize : convSize;

  const blocks: ConcreteBlock[] = [];
  let inChannels = stemOut;
  let size = stemSize;
  spec.stages.forEach((stage, stageIndex) => {
    const repeats = roundRepeats(stage.repeats, spec.depth);
    const outChannels = channels(stage.block.out);
    for (let repeat = 0; repeat < repeats; repeat++) {
      const stride = repeat === 0 ? stage.block.stride : 1;
      const outSize = Math.ceil(size / stride);
      const activation = stage.block.activation ?? spec.activation;
      const common: ConcreteCommon = { name: blockName(stageIndex + 1, repeat), stage: stageIndex + 1, kernel: stage.block.kernel, stride, inChannels, outChannels, activation, inSize: size, outSize };
      blocks.push(concreteBlock(stage.block, common, channels));
      inChannels = outChannels;
      size = outSize;
    }
  });

  const head = spec.head && { inChannels, outChannels: channels(spec.head.out), size };
  checkLimit('channels', Math.max(stemOut, head?.outChannels ?? 0, ...blocks.map(widestChannels)), `${spec.name} at width ×${spec.width.toPrecision(4)}: the widest layer`);
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
    featureChannels: head ? head.outChannels : inChannels,
    classes: spec.classes,
    dropout: spec.dropout,
  };
}

function widestChannels(b: ConcreteBlock): number {
  switch (b.kind) {
    case 'mbconv':
    case 'fused':
      return Math.max(b.outChannels, b.expandedChannels);
    case 'bottleneck':
    case 'basic':
      return Math.max(b.outChannels, b.innerChannels);
    default:
      return b.outChannels;
  }
}

/**
 * One literal per kind (no object spread: this runs for every block of every candidate a search prices, and V8
 * builds spread copies far more slowly).
 */
function concreteBlock(block: BlockSpec, c: ConcreteCommon, channels: (c: number) => number): ConcreteBlock {
  const { name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize } = c;
  const sameShape = stride === 1 && inChannels === outChannels;
  switch (block.kind) {
    case 'conv':
      return { kind: 'conv', name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize, residual: block.skip && sameShape };
    case 'ds':
      return { kind: 'ds', name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize, seChannels: seChannelsOf(inChannels, block.se), residual: block.skip && sameShape };
    case 'mbconv':
    case 'fused':
      // Keras: filters = filters_in * expand_ratio; the SE bottleneck is sized from the block's input channels.
      return {
        kind: block.kind, name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize,
        expandedChannels: Math.round(inChannels * block.expand),
        hasExpandConv: block.kind === 'fused' || block.expand !== 1,
        seChannels: seChannelsOf(inChannels, block.se),
        residual: block.skip && sameShape,
      };
    case 'bottleneck':
      return { kind: 'bottleneck', name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize, innerChannels: channels(block.out * block.bottleneck), projection: !sameShape };
    case 'basic':
      return { kind: 'basic', name, stage, kernel, stride, inChannels, outChannels, activation, inSize, outSize, innerChannels: outChannels, projection: !sameShape };
  }
}
