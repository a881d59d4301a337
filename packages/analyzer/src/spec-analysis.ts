/**
 * Exact cost of a `NetworkSpec`, layer by layer, as Keras Applications builds the same network: one pure fold
 * over the concrete blocks (pycls' `complexity` pattern). Layer names follow Keras (`block2a_expand_conv`, …).
 */
import { expandNetwork, forBlockKind } from '@scalelab/arch';
import type { NetworkSpec, PerBlockKind } from '@scalelab/arch';
import { CostAccumulator } from './cost.js';
import type { Analysis } from './cost.js';

export interface AnalyzeOptions {
  /** Keep per-layer records (`Analysis.layers`). Off by default: totals alone are much faster. */
  readonly layers?: boolean;
}

/**
 * The `conv`/`bn` suffixes of a tag, built once: making them per layer cost a third of the analyzer's speed
 * (66k vs 101k analyses/s measured), as the names are only needed when layer records are kept.
 */
const SUFFIXES = new Map<string, readonly [string, string]>();
function convBnSuffixes(tag: string): readonly [string, string] {
  let pair = SUFFIXES.get(tag);
  if (pair === undefined) SUFFIXES.set(tag, (pair = [`${tag}conv`, `${tag}bn`]));
  return pair;
}

/** Prices conv, depthwise, BN and dense layers into an accumulator for one stage. */
class LayerPricer {
  constructor(
    private readonly acc: CostAccumulator,
    private readonly bias: boolean,
  ) {}

  /** Layers are named `prefix + suffix` (Keras: `block2a` + `_expand_conv`). */
  conv(prefix: string, suffix: string, size: number, kernel: number, cin: number, cout: number, bias = this.bias): void {
    const weights = kernel * kernel * cin * cout;
    this.acc.addSpatial(prefix, suffix, kernel === 1 ? 'pointwise' : 'conv', size, cout, weights + (bias ? cout : 0), 0, size * size * weights, size * size * cout);
  }

  depthwise(prefix: string, suffix: string, size: number, kernel: number, channels: number): void {
    const outputs = size * size * channels;
    this.acc.addSpatial(prefix, suffix, 'depthwise', size, channels, kernel * kernel * channels + (this.bias ? channels : 0), 0, outputs * kernel * kernel, outputs);
  }

  /** BN: γ and β are trainable, the moving mean and variance are not (Keras). */
  bn(prefix: string, suffix: string, size: number, channels: number): void {
    this.acc.addSpatial(prefix, suffix, 'bn', size, channels, 2 * channels, 2 * channels, 0, 0);
  }

  /** conv → BN, named `prefix + tag + 'conv'` and `prefix + tag + 'bn'` (as the builder's `convBnAct`). */
  convBn(prefix: string, tag: string, size: number, kernel: number, cin: number, cout: number): void {
    const [convSuffix, bnSuffix] = convBnSuffixes(tag);
    this.conv(prefix, convSuffix, size, kernel, cin, cout);
    this.bn(prefix, bnSuffix, size, cout);
  }

  /** depthwise → BN, named `prefix_dwconv` and `prefix_bn` (as the builder's `depthwiseBnAct`). */
  depthwiseBn(prefix: string, size: number, kernel: number, channels: number): void {
    this.depthwise(prefix, '_dwconv', size, kernel, channels);
    this.bn(prefix, '_bn', size, channels);
  }

  /** Squeeze-excitation: global pool, then two 1×1 convs with bias on a 1×1 map. */
  se(prefix: string, channels: number, seChannels: number): void {
    this.conv(prefix, '_se_reduce', 1, 1, channels, seChannels, true);
    this.conv(prefix, '_se_expand', 1, 1, seChannels, channels, true);
  }
}

/**
 * One price per block kind, layer for layer as the engine's builder makes the block (Keras names). A table keyed by
 * kind, so a kind added to the spec does not compile until it is priced here.
 */
const BLOCK_PRICES: PerBlockKind<LayerPricer, void> = {
  conv: (b, p) => p.convBn(b.name, '_', b.outSize, b.kernel, b.inChannels, b.outChannels),
  ds: (b, p) => {
    p.depthwiseBn(b.name, b.outSize, b.kernel, b.inChannels);
    if (b.seChannels > 0) p.se(b.name, b.inChannels, b.seChannels);
    p.convBn(b.name, '_project_', b.outSize, 1, b.inChannels, b.outChannels);
  },
  mbconv: (b, p) => {
    // MBConv's expand conv is 1×1 at the input size; the depthwise conv carries the stride.
    if (b.hasExpandConv) p.convBn(b.name, '_expand_', b.inSize, 1, b.inChannels, b.expandedChannels);
    p.depthwiseBn(b.name, b.outSize, b.kernel, b.expandedChannels);
    if (b.seChannels > 0) p.se(b.name, b.expandedChannels, b.seChannels);
    p.convBn(b.name, '_project_', b.outSize, 1, b.expandedChannels, b.outChannels);
  },
  fused: (b, p) => {
    // Fused-MBConv's expand conv is the k×k strided conv.
    p.convBn(b.name, '_expand_', b.outSize, b.kernel, b.inChannels, b.expandedChannels);
    if (b.seChannels > 0) p.se(b.name, b.expandedChannels, b.seChannels);
    p.convBn(b.name, '_project_', b.outSize, 1, b.expandedChannels, b.outChannels);
  },
  bottleneck: (b, p) => {
    // Keras ResNet v1: the stride sits on the first 1×1 conv.
    if (b.projection) p.convBn(b.name, '_0_', b.outSize, 1, b.inChannels, b.outChannels);
    p.convBn(b.name, '_1_', b.outSize, 1, b.inChannels, b.innerChannels);
    p.convBn(b.name, '_2_', b.outSize, b.kernel, b.innerChannels, b.innerChannels);
    p.convBn(b.name, '_3_', b.outSize, 1, b.innerChannels, b.outChannels);
  },
  basic: (b, p) => {
    if (b.projection) p.convBn(b.name, '_0_', b.outSize, 1, b.inChannels, b.outChannels);
    p.convBn(b.name, '_1_', b.outSize, b.kernel, b.inChannels, b.outChannels);
    p.convBn(b.name, '_2_', b.outSize, b.kernel, b.outChannels, b.outChannels);
  },
  dense: (b, p) => {
    // Keras `transition_block`: BN → ReLU → 1×1 conv at the input size, then average pooling (no weights).
    if (b.transitionChannels !== null) {
      p.bn(b.name, '_transition_bn', b.inSize, b.inChannels);
      p.conv(b.name, '_transition_conv', b.inSize, 1, b.inChannels, b.transitionChannels);
    }
    // Keras `conv_block`: BN → ReLU → 1×1 conv → BN → ReLU → k×k conv, concatenated to the input.
    p.bn(b.name, '_0_bn', b.outSize, b.layerInChannels);
    p.convBn(b.name, '_1_', b.outSize, 1, b.layerInChannels, b.innerChannels);
    p.conv(b.name, '_2_conv', b.outSize, b.kernel, b.innerChannels, b.growth);
  },
};

/** `stage1`…`stage31`, made once rather than per block. */
const STAGE_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) => `stage${i}`);

/** Exact params (trainable / non-trainable), MACs and activations of a spec, by stage and (`layers: true`) by layer. */
export function analyzeSpec(spec: NetworkSpec, options: AnalyzeOptions = {}): Analysis {
  const net = expandNetwork(spec);
  const acc = new CostAccumulator(options.layers === true);
  const p = new LayerPricer(acc, net.convBias);
  acc.setStage('stem');
  const c = net.inputChannels;
  if (net.normalization === 'adapted') {
    // Keras `Normalization` with adapted statistics: mean and variance per channel and a scalar count.
    acc.addSpatial('normalization', '', 'normalization', net.resolution, c, 0, 2 * c + 1, 0, 0);
  }
  p.convBn('stem', '_', net.stem.convSize, net.stem.kernel, c, net.stem.outChannels);
  for (const block of net.blocks) {
    acc.setStage(STAGE_NAMES[block.stage] ?? `stage${block.stage}`);
    forBlockKind(BLOCK_PRICES, block.kind, block, p);
  }
  if (net.head !== null) {
    acc.setStage('head');
    if (net.head.kind === 'conv') p.convBn('top', '_', net.head.size, 1, net.head.inChannels, net.head.outChannels);
    else p.bn('top', '_bn', net.head.size, net.head.channels);
  }
  acc.setStage('classifier');
  const features = net.featureChannels;
  acc.add('predictions', 'dense', [net.classes], features * net.classes + net.classes, 0, features * net.classes, net.classes);
  return acc.finish(net.name, net.resolution);
}
