/**
 * The network description: readonly data, a discriminated union of block kinds.
 *
 * A spec holds the *base* structure (channels and repeats before scaling) plus the width/depth multipliers to
 * apply, as the reference EfficientNet builders do. Rounding happens in one place, `expandNetwork`, so scaling a
 * scaled spec multiplies the multipliers and never rounds twice.
 */

export type Activation = 'relu' | 'relu6' | 'swish';

/**
 * Channel rounding of the reference implementations (both to a multiple of `divisor`, at least `divisor`):
 * - `v1`: TF EfficientNet / Keras Applications `round_filters`, plus one divisor when the result falls below 90%
 *   of the scaled value (also MobileNetV2's `_make_divisible`).
 * - `v2`: EfficientNetV2's `round_filters`, without the 90% guard.
 */
export type ChannelRounding = 'v1' | 'v2';

/** conv → BN → act (timm `cn`). Residual only when `skip` is set, stride is 1 and channels match. */
export interface ConvBlock {
  readonly kind: 'conv';
  readonly kernel: number;
  readonly stride: number;
  readonly out: number;
  readonly skip: boolean;
  readonly activation?: Activation;
}

/** Depthwise-separable: depthwise k×k → BN → act → [SE] → pointwise 1×1 → BN [→ act] (timm `ds` / `dsa`). */
export interface DsBlock {
  readonly kind: 'ds';
  readonly kernel: number;
  readonly stride: number;
  readonly out: number;
  /** Squeeze-excitation ratio relative to the block's input channels; 0 = none. */
  readonly se: number;
  readonly skip: boolean;
  /** An activation after the pointwise conv's BN too: MobileNetV1 (Keras `_depthwise_conv_block`, timm `dsa`). */
  readonly pointwiseActivation: boolean;
  readonly activation?: Activation;
}

/** Inverted residual (MBConv): [expand 1×1 → BN → act] → depthwise k×k → BN → act → [SE] → project 1×1 → BN (timm `ir`). */
export interface MbconvBlock {
  readonly kind: 'mbconv';
  readonly kernel: number;
  readonly stride: number;
  readonly expand: number;
  readonly out: number;
  readonly se: number;
  readonly skip: boolean;
  readonly activation?: Activation;
}

/** Fused-MBConv / EdgeResidual: expand k×k → BN → act → [SE] → project 1×1 → BN (timm `er`). */
export interface FusedBlock {
  readonly kind: 'fused';
  readonly kernel: number;
  readonly stride: number;
  readonly expand: number;
  readonly out: number;
  readonly se: number;
  readonly skip: boolean;
  readonly activation?: Activation;
}

/**
 * ResNet v1 bottleneck as in Keras Applications: 1×1 (stride here) → k×k → 1×1, each conv → BN, ReLU after the
 * first two and after the sum; projection shortcut (1×1 conv + BN) when stride ≠ 1 or channels change.
 * `bottleneck` is the width of the inner convs as a fraction of `out` (0.25 in ResNet-50/101/152).
 */
export interface BottleneckBlock {
  readonly kind: 'bottleneck';
  readonly kernel: number;
  readonly stride: number;
  readonly bottleneck: number;
  readonly out: number;
  readonly activation?: Activation;
}

/** ResNet basic block: k×k (stride here) → BN → act → k×k → BN, projection shortcut as in `bottleneck`. */
export interface BasicBlock {
  readonly kind: 'basic';
  readonly kernel: number;
  readonly stride: number;
  readonly out: number;
  readonly activation?: Activation;
}

/**
 * One DenseNet layer (Huang et al. 2017, DenseNet-BC; Keras Applications `conv_block`): BN → act → 1×1 conv to
 * `bottleneck · growth` → BN → act → k×k conv to `growth`, concatenated to its input, so the output has
 * `growth` more channels than the input. A repeat with stride > 1 is preceded by a transition (Keras
 * `transition_block`): BN → act → 1×1 conv to ⌊θ·C⌋ channels (θ = 0.5) → average pooling (kernel = stride).
 */
export interface DenseBlock {
  readonly kind: 'dense';
  readonly kernel: number;
  readonly stride: number;
  /** Inner width as a multiple of the growth rate (4 in DenseNet-BC). */
  readonly bottleneck: number;
  /** Channels each layer adds (the growth rate k; 32 in DenseNet-121/169/201). */
  readonly growth: number;
  readonly activation?: Activation;
}

export type BlockSpec = ConvBlock | DsBlock | MbconvBlock | FusedBlock | BottleneckBlock | BasicBlock | DenseBlock;
export type BlockKind = BlockSpec['kind'];

/** One stage: a block repeated; the first repeat carries the stride, the rest have stride 1. */
export interface StageSpec {
  readonly repeats: number;
  readonly block: BlockSpec;
}

export interface StemSpec {
  readonly out: number;
  readonly kernel: number;
  readonly stride: number;
  /** Max-pooling after the stem conv (ResNet: 3×3, stride 2). */
  readonly pool?: { readonly kernel: number; readonly stride: number };
}

/**
 * What stands between the last stage and global pooling: a 1×1 conv → BN → act (`conv`, EfficientNet's `top_conv`)
 * or BN → act alone (`bn`, the closing norm of pre-activation networks: DenseNet's `bn` + `relu`).
 */
export type HeadSpec = { readonly kind: 'conv'; readonly out: number } | { readonly kind: 'bn' };

/**
 * Input preprocessing that carries weights. `adapted` is Keras' `Normalization` layer without fixed statistics
 * (EfficientNet B0–B7 in Keras Applications): mean and variance per channel plus a count, all non-trainable.
 */
export type InputNormalization = 'adapted' | 'none';

export interface NetworkSpec {
  readonly name: string;
  readonly input: {
    readonly resolution: number;
    readonly channels: number;
    readonly normalization: InputNormalization;
  };
  /** Multipliers applied to the base channels and repeats below (1 = as written). */
  readonly width: number;
  readonly depth: number;
  readonly rounding: ChannelRounding;
  readonly divisor: number;
  readonly activation: Activation;
  /** Convolutions carry a bias (Keras ResNet) or not (BN-followed convs elsewhere). */
  readonly convBias: boolean;
  /**
   * The TF reference's `fix_head_stem` (EfficientNet-Lite, `efficientnet_lite_builder.py`): stem and head channels
   * and the first and last stages' repeats stay as written while the network is scaled.
   */
  readonly fixHeadStem: boolean;
  readonly stem: StemSpec;
  readonly stages: readonly StageSpec[];
  /** Before pooling; `null` for none (ResNet, MobileNetV1). */
  readonly head: HeadSpec | null;
  readonly classes: number;
  readonly dropout: number;
}

/** The three compound-scaling multipliers as the paper names them: d (depth), w (width), r (resolution). */
export interface Multipliers {
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
}
