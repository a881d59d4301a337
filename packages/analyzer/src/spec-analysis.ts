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
    private readonly acc: CostAccumulator,
    private readonly bias: boolean,
  ) {}

  conv(name: string, stage: string, size: number, kernel: number, cin: number, cout: number, bias = this.bias): void {
    const weights = kernel * kernel * cin * cout;
    const outputs = size * size * cout;
    this.acc.add(name, kernel === 1 ? 'pointwise' : 'conv', stage, [size, size, cout], weights + (bias ? cout : 0), 0, size * size * weights, outputs);
  }

  depthwise(name: string, stage: string, size: number, kernel: number, channels: number): void {
    const outputs = size * size * channels;
    this.acc.add(name, 'depthwise', stage, [size, size, channels], kernel * kernel * channels + (this.bias ? channels : 0), 0, outputs * kernel * kernel, outputs);
  }

  /** BN: γ and β are trainable, the moving mean and variance are not (Keras). */
  bn(name: string, stage: string, size: number, channels: number): void {
    this.acc.add(name, 'bn', stage, [size, size, channels], 2 * channels, 2 * channels, 0, 0);
  }

  /** Squeeze-excitation: global pool, then two 1×1 convs with bias on a 1×1 map. */
  se(prefix: string, stage: string, channels: number, seChannels: number): void {
    this.conv(`${prefix}_se_reduce`, stage, 1, 1, channels, seChannels, true);
    this.conv(`${prefix}_se_expand`, stage, 1, 1, seChannels, channels, true);
  }
}

function priceBlock(p: LayerPricer, b: ConcreteBlock): void {
  const stage = `stage${b.stage}`;
  const n = b.name;
  switch (b.kind) {
    case 'conv':
      p.conv(`${n}_conv`, stage, b.outSize, b.kernel, b.inChannels, b.outChannels);
      p.bn(`${n}_bn`, stage, b.outSize, b.outChannels);
      return;
    case 'ds':
      p.depthwise(`${n}_dwconv`, stage, b.outSize, b.kernel, b.inChannels);
      p.bn(`${n}_bn`, stage, b.outSize, b.inChannels);
      if (b.seChannels > 0) p.se(n, stage, b.inChannels, b.seChannels);
      p.conv(`${n}_project_conv`, stage, b.outSize, 1, b.inChannels, b.outChannels);
      p.bn(`${n}_project_bn`, stage, b.outSize, b.outChannels);
      return;
    case 'mbconv':
    case 'fused': {
      const fused = b.kind === 'fused';
      if (b.hasExpandConv) {
        // Fused-MBConv's expand conv is the k×k strided conv; MBConv's is 1×1 at the input size.
        const size = fused ? b.outSize : b.inSize;
        p.conv(`${n}_expand_conv`, stage, size, fused ? b.kernel : 1, b.inChannels, b.expandedChannels);
        p.bn(`${n}_expand_bn`, stage, size, b.expandedChannels);
      }
      if (!fused) {
        p.depthwise(`${n}_dwconv`, stage, b.outSize, b.kernel, b.expandedChannels);
        p.bn(`${n}_bn`, stage, b.outSize, b.expandedChannels);
      }
      if (b.seChannels > 0) p.se(n, stage, b.expandedChannels, b.seChannels);
      p.conv(`${n}_project_conv`, stage, b.outSize, 1, b.expandedChannels, b.outChannels);
      p.bn(`${n}_project_bn`, stage, b.outSize, b.outChannels);
      return;
    }
    case 'bottleneck':
      // Keras ResNet v1: the stride sits on the first 1×1 conv.
      if (b.projection) {
        p.conv(`${n}_0_conv`, stage, b.outSize, 1, b.inChannels, b.outChannels);
        p.bn(`${n}_0_bn`, stage, b.outSize, b.outChannels);
      }
      p.conv(`${n}_1_conv`, stage, b.outSize, 1, b.inChannels, b.innerChannels);
      p.bn(`${n}_1_bn`, stage, b.outSize, b.innerChannels);
      p.conv(`${n}_2_conv`, stage, b.outSize, b.kernel, b.innerChannels, b.innerChannels);
      p.bn(`${n}_2_bn`, stage, b.outSize, b.innerChannels);
      p.conv(`${n}_3_conv`, stage, b.outSize, 1, b.innerChannels, b.outChannels);
      p.bn(`${n}_3_bn`, stage, b.outSize, b.outChannels);
      return;
    case 'basic':
      if (b.projection) {
        p.conv(`${n}_0_conv`, stage, b.outSize, 1, b.inChannels, b.outChannels);
        p.bn(`${n}_0_bn`, stage, b.outSize, b.outChannels);
      }
      p.conv(`${n}_1_conv`, stage, b.outSize, b.kernel, b.inChannels, b.outChannels);
      p.bn(`${n}_1_bn`, stage, b.outSize, b.outChannels);
      p.conv(`${n}_2_conv`, stage, b.outSize, b.kernel, b.outChannels, b.outChannels);
      p.bn(`${n}_2_bn`, stage, b.outSize, b.outChannels);
      return;
  }
}

export function analyzeSpec(spec: NetworkSpec, options: AnalyzeOptions = {}): Analysis {
  const net = expandNetwork(spec);
  const acc = new CostAccumulator(options.layers === true);
  const p = new LayerPricer(acc, net.convBias);
  const c = net.inputChannels;
  if (net.normalization === 'adapted') {
    // Keras `Normalization` with adapted statistics: mean and variance per channel and a scalar count.
    acc.add('normalization', 'normalization', 'stem', [net.resolution, net.resolution, c], 0, 2 * c + 1, 0, 0);
  }
  p.conv('stem_conv', 'stem', net.stem.convSize, net.stem.kernel, c, net.stem.outChannels);
  p.bn('stem_bn', 'stem', net.stem.convSize, net.stem.outChannels);
  for (const block of net.blocks) priceBlock(p, block);
  if (net.head !== null) {
    p.conv('top_conv', 'head', net.head.size, 1, net.head.inChannels, net.head.outChannels);
    p.bn('top_bn', 'head', net.head.size, net.head.outChannels);
  }
  const features = net.featureChannels;
  acc.add('predictions', 'dense', 'classifier', [net.classes], features * net.classes + net.classes, 0, features * net.classes, net.classes);
  return acc.finish(net.name, net.resolution);
}
