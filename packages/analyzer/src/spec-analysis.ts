/**
 * Exact cost of a `NetworkSpec`, layer by layer, as Keras Applications builds the same network: one pure fold
 * over the concrete blocks (pycls' `complexity` pattern). Layer names follow Keras (`block2a_expand_conv`, …).
 */
import { expandNetwork } from '@scalelab/arch';
import type { ConcreteBlock, NetworkSpec } from '@scalelab/arch';
import { CostAccumulator } from './cost.js';
import type { Analysis } from './cost.js';

export interface AnalyzeOptions {
  /** Keep per-layer records (`Analysis.layers`). Off by default: totals alone are much faster. */
  readonly layers?: boolean;
}

/** Prices conv, depthwise, BN and dense layers into an accumulator for one stage. */
class LayerPricer {
  constructor(
    readonly acc: CostAccumulator,
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

  /** Squeeze-excitation: global pool, then two 1×1 convs with bias on a 1×1 map. */
  se(prefix: string, channels: number, seChannels: number): void {
    this.conv(prefix, '_se_reduce', 1, 1, channels, seChannels, true);
    this.conv(prefix, '_se_expand', 1, 1, seChannels, channels, true);
  }
}

function priceBlock(p: LayerPricer, b: ConcreteBlock): void {
  const n = b.name;
  switch (b.kind) {
    case 'conv':
      p.conv(n, '_conv', b.outSize, b.kernel, b.inChannels, b.outChannels);
      p.bn(n, '_bn', b.outSize, b.outChannels);
      return;
    case 'ds':
      p.depthwise(n, '_dwconv', b.outSize, b.kernel, b.inChannels);
      p.bn(n, '_bn', b.outSize, b.inChannels);
      if (b.seChannels > 0) p.se(n, b.inChannels, b.seChannels);
      p.conv(n, '_project_conv', b.outSize, 1, b.inChannels, b.outChannels);
      p.bn(n, '_project_bn', b.outSize, b.outChannels);
      return;
    case 'mbconv':
    case 'fused': {
      const fused = b.kind === 'fused';
      if (b.hasExpandConv) {
        // Fused-MBConv's expand conv is the k×k strided conv; MBConv's is 1×1 at the input size.
        const size = fused ? b.outSize : b.inSize;
        p.conv(n, '_expand_conv', size, fused ? b.kernel : 1, b.inChannels, b.expandedChannels);
        p.bn(n, '_expand_bn', size, b.expandedChannels);
      }
      if (!fused) {
        p.depthwise(n, '_dwconv', b.outSize, b.kernel, b.expandedChannels);
        p.bn(n, '_bn', b.outSize, b.expandedChannels);
      }
      if (b.seChannels > 0) p.se(n, b.expandedChannels, b.seChannels);
      p.conv(n, '_project_conv', b.outSize, 1, b.expandedChannels, b.outChannels);
      p.bn(n, '_project_bn', b.outSize, b.outChannels);
      return;
    }
    case 'bottleneck':
      // Keras ResNet v1: the stride sits on the first 1×1 conv.
      if (b.projection) {
        p.conv(n, '_0_conv', b.outSize, 1, b.inChannels, b.outChannels);
        p.bn(n, '_0_bn', b.outSize, b.outChannels);
      }
      p.conv(n, '_1_conv', b.outSize, 1, b.inChannels, b.innerChannels);
      p.bn(n, '_1_bn', b.outSize, b.innerChannels);
      p.conv(n, '_2_conv', b.outSize, b.kernel, b.innerChannels, b.innerChannels);
      p.bn(n, '_2_bn', b.outSize, b.innerChannels);
      p.conv(n, '_3_conv', b.outSize, 1, b.innerChannels, b.outChannels);
      p.bn(n, '_3_bn', b.outSize, b.outChannels);
      return;
    case 'basic':
      if (b.projection) {
        p.conv(n, '_0_conv', b.outSize, 1, b.inChannels, b.outChannels);
        p.bn(n, '_0_bn', b.outSize, b.outChannels);
      }
      p.conv(n, '_1_conv', b.outSize, b.kernel, b.inChannels, b.outChannels);
      p.bn(n, '_1_bn', b.outSize, b.outChannels);
      p.conv(n, '_2_conv', b.outSize, b.kernel, b.outChannels, b.outChannels);
      p.bn(n, '_2_bn', b.outSize, b.outChannels);
      return;
  }
}

/** `stage1`…`stage31`, made once rather than per block. */
const STAGE_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) => `stage${i}`);

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
  p.conv('stem', '_conv', net.stem.convSize, net.stem.kernel, c, net.stem.outChannels);
  p.bn('stem', '_bn', net.stem.convSize, net.stem.outChannels);
  for (const block of net.blocks) {
    acc.setStage(STAGE_NAMES[block.stage] ?? `stage${block.stage}`);
    priceBlock(p, block);
  }
  if (net.head !== null) {
    acc.setStage('head');
    p.conv('top', '_conv', net.head.size, 1, net.head.inChannels, net.head.outChannels);
    p.bn('top', '_bn', net.head.size, net.head.outChannels);
  }
  acc.setStage('classifier');
  const features = net.featureChannels;
  acc.add('predictions', 'dense', [net.classes], features * net.classes + net.classes, 0, features * net.classes, net.classes);
  return acc.finish(net.name, net.resolution);
}
