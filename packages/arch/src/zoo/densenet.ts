/**
 * DenseNet-121/169/201 (Huang et al. 2017, DenseNet-BC) as Keras Applications' `densenet.py`: a 7×7/2 conv → BN →
 * ReLU → 3×3/2 max-pool stem, four dense blocks of growth rate 32 and bottleneck 4·32, a transition (θ = 0.5, 2×2
 * average pooling) between blocks, then BN → ReLU before global pooling. Convs have no bias.
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';

const DENSENET_BLOCKS = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
} as const;

export const DENSENET_NAMES = Object.keys(DENSENET_BLOCKS) as readonly (keyof typeof DENSENET_BLOCKS)[];

export function densenet(name: keyof typeof DENSENET_BLOCKS): NetworkSpec {
  const [r1, r2, r3, r4] = DENSENET_BLOCKS[name];
  return {
    name,
    input: { resolution: 224, channels: 3, normalization: 'none' },
    width: 1.0,
    depth: 1.0,
    rounding: 'v1',
    divisor: 8,
    activation: 'relu',
    convBias: false,
    fixHeadStem: false,
    stem: { out: 64, kernel: 7, stride: 2, pool: { kernel: 3, stride: 2 } },
    // Stride 2 on a dense stage = Keras' transition_block before it (pool2…pool4).
    stages: [`dn_r${r1}_k3_s1_e4_c32`, `dn_r${r2}_k3_s2_e4_c32`, `dn_r${r3}_k3_s2_e4_c32`, `dn_r${r4}_k3_s2_e4_c32`].map(parseStage),
    head: { kind: 'bn' },
    classes: 1000,
    dropout: 0,
  };
}
