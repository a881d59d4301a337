/**
 * Spec → `tf.LayersModel`, layer for layer as Keras Applications builds the same network and with Keras' layer
 * names, so `countParams()` and a walk of the model can be checked against the analyzer's fold.
 * Initialization as the reference: conv and depthwise kernels variance-scaling(2.0, fan-out, truncated normal),
 * dense variance-scaling(1/3, fan-out, uniform), each seeded from the build seed.
 */
import { tf } from './tf.js';
import { expandNetwork, forBlockKind } from '@scalelab/arch';
import type { Activation, NetworkSpec, PerBlockKind } from '@scalelab/arch';
import { TrainingActivation } from './layers/activation.js';
import { TrainingBatchNormalization } from './layers/batch-norm.js';
import { TrainingConv2D } from './layers/conv.js';
import { TrainingGlobalAveragePooling2D } from './layers/global-average-pooling.js';
import { SeededDropout } from './layers/dropout.js';
import { Normalization } from './layers/normalization.js';

export interface BuildOptions {
  /** Seed of every initializer (layer i uses seed + i). Default 0. */
  readonly seed?: number;
  /** `false` fills weights with zeros: fast, for counting only. Default true. */
  readonly initialize?: boolean;
  /** BN momentum (Keras' default 0.99 suits long runs; short runs want less). Default 0.99. */
  readonly bnMomentum?: number;
  /**
   * Drop-connect (stochastic depth) on residual branches, as Keras: block b of B drops with rate·b/B.
   * Keras' EfficientNets use 0.2; default 0 (none).
   */
  readonly dropConnect?: number;
  /**
   * End in logits instead of softmax (the classifier's weights are the same). Training wants logits: a loss on
   * softmax outputs must clip them before the log, and the clip's gradient is zero exactly where the network is
   * confidently wrong, so those examples never get corrected.
   */
  readonly outputLogits?: boolean;
}

type SymbolicTensor = tf.SymbolicTensor;
type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Standard deviation of a unit normal truncated to ±2σ (Keras' correction constant). */
const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

class NetworkBuilder {
  private seedCounter: number;

  constructor(
    private readonly options: BuildOptions,
    private readonly convBias: boolean,
  ) {
    // TF.js treats a seed of 0 as none (`seed ? seed : Math.random()` in its samplers): start at seed + 1.
    this.seedCounter = (options.seed ?? 0) + 1;
  }

  private convInit(): Initializer {
    if (this.options.initialize === false) return tf.initializers.zeros();
    // Keras: truncated normal (±2σ) whose stddev is divided by 0.8796 so the truncated draws have variance 2/fan_out.
    // TF.js 4.22 draws a truncated normal only for distribution 'normal', without that correction (and sends
    // 'truncatedNormal' to its uniform branch), so ask for 'normal' with the scale pre-divided by 0.8796².
    const scale = 2.0 / TRUNCATED_NORMAL_STDDEV ** 2;
    return tf.initializers.varianceScaling({ scale, mode: 'fanOut', distribution: 'normal', seed: this.seedCounter++ });
  }

  private denseInit(): Initializer {
    if (this.options.initialize === false) return tf.initializers.zeros();
    return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanOut', distribution: 'uniform', seed: this.seedCounter++ });
  }

  conv(x: SymbolicTensor, name: string, filters: number, kernel: number, stride: number, options: { bias?: boolean; activation?: Activation | 'sigmoid' } = {}): SymbolicTensor {
    return new TrainingConv2D({
      name,
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: 'same',
      useBias: options.bias ?? this.convBias,
      kernelInitializer: this.convInit(),
      ...(options.activation === undefined ? {} : { activation: options.activation }),
    }).apply(x) as SymbolicTensor;
  }

  depthwise(x: SymbolicTensor, name: string, kernel: number, stride: number): SymbolicTensor {
    return tf.layers
      .depthwiseConv2d({ name, kernelSize: kernel, strides: stride, padding: 'same', useBias: this.convBias, depthwiseInitializer: this.convInit() })
      .apply(x) as SymbolicTensor;
  }

  bn(x: SymbolicTensor, name: string): SymbolicTensor {
    return new TrainingBatchNormalization({ name, axis: -1, momentum: this.options.bnMomentum ?? 0.99, epsilon: 1e-3 }).apply(x) as SymbolicTensor;
  }

  act(x: SymbolicTensor, name: string, activation: Activation): SymbolicTensor {
    return new TrainingActivation({ name, activation }).apply(x) as SymbolicTensor;
  }

  /** conv → BN → act, the unit most blocks are made of. */
  convBnAct(x: SymbolicTensor, prefix: string, filters: number, kernel: number, stride: number, activation: Activation | null, suffix = ''): SymbolicTensor {
    const y = this.bn(this.conv(x, `${prefix}${suffix}conv`, filters, kernel, stride), `${prefix}${suffix}bn`);
    return activation === null ? y : this.act(y, `${prefix}${suffix}activation`, activation);
  }

  /** depthwise → BN → act, named `prefix_dwconv`, `prefix_bn`, `prefix_activation` (Keras). */
  depthwiseBnAct(x: SymbolicTensor, prefix: string, kernel: number, stride: number, activation: Activation): SymbolicTensor {
    return this.act(this.bn(this.depthwise(x, `${prefix}_dwconv`, kernel, stride), `${prefix}_bn`), `${prefix}_activation`, activation);
  }

  se(x: SymbolicTensor, prefix: string, channels: number, seChannels: number, activation: Activation): SymbolicTensor {
    let s = new TrainingGlobalAveragePooling2D({ name: `${prefix}_se_squeeze` }).apply(x) as SymbolicTensor;
    s = tf.layers.reshape({ name: `${prefix}_se_reshape`, targetShape: [1, 1, channels] }).apply(s) as SymbolicTensor;
    s = this.conv(s, `${prefix}_se_reduce`, seChannels, 1, 1, { bias: true, activation });
    s = this.conv(s, `${prefix}_se_expand`, channels, 1, 1, { bias: true, activation: 'sigmoid' });
    return tf.layers.multiply({ name: `${prefix}_se_excite` }).apply([x, s]) as SymbolicTensor;
  }

  add(a: SymbolicTensor, b: SymbolicTensor, name: string): SymbolicTensor {
    return tf.layers.add({ name }).apply([a, b]) as SymbolicTensor;
  }

  dropout(x: SymbolicTensor, name: string, rate: number, noiseShape?: (number | null)[]): SymbolicTensor {
    if (rate <= 0) return x;
    const args = { name, rate, seed: this.seedCounter++, ...(noiseShape === undefined ? {} : { noiseShape: noiseShape as number[] }) };
    return new SeededDropout(args).apply(x) as SymbolicTensor;
  }

  /** The residual sum, after drop-connect on the branch (one keep/drop per example, as Keras). */
  residual(branch: SymbolicTensor, input: SymbolicTensor, name: string, dropRate: number): SymbolicTensor {
    return this.add(this.dropout(branch, `${name}_drop`, dropRate, [null, 1, 1, 1]), input, `${name}_add`);
  }

  averagePool(x: SymbolicTensor, name: string, size: number): SymbolicTensor {
    return tf.layers.averagePooling2d({ name, poolSize: size, strides: size, padding: 'same' }).apply(x) as SymbolicTensor;
  }

  concatenate(a: SymbolicTensor, b: SymbolicTensor, name: string): SymbolicTensor {
    return tf.layers.concatenate({ name, axis: -1 }).apply([a, b]) as SymbolicTensor;
  }

  dense(x: SymbolicTensor, units: number): SymbolicTensor {
    const activation = this.options.outputLogits === true ? 'linear' : 'softmax';
    return tf.layers.dense({ name: 'predictions', units, activation, kernelInitializer: this.denseInit() }).apply(x) as SymbolicTensor;
  }
}

/** What a block's builder gets: the layer factory, the block's input, and its drop-connect rate. */
interface BlockInput {
  readonly builder: NetworkBuilder;
  readonly x: SymbolicTensor;
  readonly dropRate: number;
}

/**
 * One builder per block kind (a table keyed by kind, so a new kind does not compile until it can be built), layer
 * for layer as the analyzer prices it and with Keras' layer names.
 */
const BLOCK_BUILDERS: PerBlockKind<BlockInput, SymbolicTensor> = {
  conv: (b, { builder, x, dropRate }) => {
    const y = builder.convBnAct(x, b.name, b.outChannels, b.kernel, b.stride, b.activation, '_');
    return b.residual ? builder.residual(y, x, b.name, dropRate) : y;
  },
  ds: (b, { builder, x, dropRate }) => {
    let y = builder.depthwiseBnAct(x, b.name, b.kernel, b.stride, b.activation);
    if (b.seChannels > 0) y = builder.se(y, b.name, b.inChannels, b.seChannels, b.activation);
    y = builder.convBnAct(y, b.name, b.outChannels, 1, 1, b.pointwiseActivation ? b.activation : null, '_project_');
    return b.residual ? builder.residual(y, x, b.name, dropRate) : y;
  },
  mbconv: (b, { builder, x, dropRate }) => {
    let y = b.hasExpandConv ? builder.convBnAct(x, b.name, b.expandedChannels, 1, 1, b.activation, '_expand_') : x;
    y = builder.depthwiseBnAct(y, b.name, b.kernel, b.stride, b.activation);
    if (b.seChannels > 0) y = builder.se(y, b.name, b.expandedChannels, b.seChannels, b.activation);
    y = builder.convBnAct(y, b.name, b.outChannels, 1, 1, null, '_project_');
    return b.residual ? builder.residual(y, x, b.name, dropRate) : y;
  },
  fused: (b, { builder, x, dropRate }) => {
    let y = builder.convBnAct(x, b.name, b.expandedChannels, b.kernel, b.stride, b.activation, '_expand_');
    if (b.seChannels > 0) y = builder.se(y, b.name, b.expandedChannels, b.seChannels, b.activation);
    y = builder.convBnAct(y, b.name, b.outChannels, 1, 1, null, '_project_');
    return b.residual ? builder.residual(y, x, b.name, dropRate) : y;
  },
  bottleneck: (b, { builder, x }) => {
    const shortcut = b.projection ? builder.convBnAct(x, b.name, b.outChannels, 1, b.stride, null, '_0_') : x;
    let y = builder.convBnAct(x, b.name, b.innerChannels, 1, b.stride, b.activation, '_1_');
    y = builder.convBnAct(y, b.name, b.innerChannels, b.kernel, 1, b.activation, '_2_');
    y = builder.convBnAct(y, b.name, b.outChannels, 1, 1, null, '_3_');
    return builder.act(builder.add(shortcut, y, `${b.name}_add`), `${b.name}_out`, b.activation);
  },
  basic: (b, { builder, x }) => {
    const shortcut = b.projection ? builder.convBnAct(x, b.name, b.outChannels, 1, b.stride, null, '_0_') : x;
    let y = builder.convBnAct(x, b.name, b.outChannels, b.kernel, b.stride, b.activation, '_1_');
    y = builder.convBnAct(y, b.name, b.outChannels, b.kernel, 1, null, '_2_');
    return builder.act(builder.add(shortcut, y, `${b.name}_add`), `${b.name}_out`, b.activation);
  },
  // Keras DenseNet: `transition_block` (stride > 1) then `conv_block`; 'same' pooling keeps odd sizes ≥ 1 where
  // Keras' 'valid' 2×2 pooling would floor (the two agree on the even sizes of 224 px inputs).
  dense: (b, { builder, x }) => {
    let input = x;
    if (b.transitionChannels !== null) {
      input = builder.act(builder.bn(input, `${b.name}_transition_bn`), `${b.name}_transition_activation`, b.activation);
      input = builder.conv(input, `${b.name}_transition_conv`, b.transitionChannels, 1, 1);
      input = builder.averagePool(input, `${b.name}_transition_pool`, b.stride);
    }
    let y = builder.act(builder.bn(input, `${b.name}_0_bn`), `${b.name}_0_activation`, b.activation);
    y = builder.convBnAct(y, b.name, b.innerChannels, 1, 1, b.activation, '_1_');
    y = builder.conv(y, `${b.name}_2_conv`, b.growth, b.kernel, 1);
    return builder.concatenate(input, y, `${b.name}_concat`);
  },
};

export function buildModel(spec: NetworkSpec, options: BuildOptions = {}): tf.LayersModel {
  const net = expandNetwork(spec);
  const b = new NetworkBuilder(options, net.convBias);
  const input = tf.input({ name: 'input', shape: [net.resolution, net.resolution, net.inputChannels] });
  let x: SymbolicTensor = input;
  if (net.normalization === 'adapted') x = new Normalization({ name: 'normalization' }).apply(x) as SymbolicTensor;
  x = b.convBnAct(x, 'stem', net.stem.outChannels, net.stem.kernel, net.stem.stride, net.activation, '_');
  if (net.stem.pool) {
    x = tf.layers.maxPooling2d({ name: 'stem_pool', poolSize: net.stem.pool.kernel, strides: net.stem.pool.stride, padding: 'same' }).apply(x) as SymbolicTensor;
  }
  const dropConnect = options.dropConnect ?? 0;
  net.blocks.forEach((block, i) => {
    x = forBlockKind(BLOCK_BUILDERS, block.kind, block, { builder: b, x, dropRate: (dropConnect * i) / net.blocks.length });
  });
  if (net.head?.kind === 'conv') x = b.convBnAct(x, 'top', net.head.outChannels, 1, 1, net.activation, '_');
  if (net.head?.kind === 'bn') x = b.act(b.bn(x, 'top_bn'), 'top_activation', net.activation);
  x = new TrainingGlobalAveragePooling2D({ name: 'avg_pool' }).apply(x) as SymbolicTensor;
  x = b.dropout(x, 'top_dropout', net.dropout);
  const output = b.dense(x, net.classes);
  return tf.model({ name: net.name, inputs: input, outputs: output });
}
