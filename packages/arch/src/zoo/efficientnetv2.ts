/**
 * EfficientNetV2 (Tan & Le 2021) as in Keras Applications (`efficientnet_v2.py`). Keras' FusedMBConv with
 * expansion 1 is a single k×k conv → BN → act, written here as timm does: `cn_…_skip`. Channel rounding is V2's
 * (no 90% guard). Keras' B-variants normalize with fixed ImageNet statistics, which carry no weights.
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec, StageSpec } from '../spec.js';

const stages = (lines: readonly string[]): readonly StageSpec[] => lines.map(parseStage);

const V2_BASE = {
  stem: 32,
  stages: stages([
    'cn_r1_k3_s1_e1_c16_skip',
    'er_r2_k3_s2_e4_c32',
    'er_r2_k3_s2_e4_c48',
    'ir_r3_k3_s2_e4_c96_se0.25',
    'ir_r5_k3_s1_e6_c112_se0.25',
    'ir_r8_k3_s2_e6_c192_se0.25',
  ]),
};
const V2_S = {
  stem: 24,
  stages: stages([
    'cn_r2_k3_s1_e1_c24_skip',
    'er_r4_k3_s2_e4_c48',
    'er_r4_k3_s2_e4_c64',
    'ir_r6_k3_s2_e4_c128_se0.25',
    'ir_r9_k3_s1_e6_c160_se0.25',
    'ir_r15_k3_s2_e6_c256_se0.25',
  ]),
};
const V2_M = {
  stem: 24,
  stages: stages([
    'cn_r3_k3_s1_e1_c24_skip',
    'er_r5_k3_s2_e4_c48',
    'er_r5_k3_s2_e4_c80',
    'ir_r7_k3_s2_e4_c160_se0.25',
    'ir_r14_k3_s1_e6_c176_se0.25',
    'ir_r18_k3_s2_e6_c304_se0.25',
    'ir_r5_k3_s1_e6_c512_se0.25',
  ]),
};
const V2_L = {
  stem: 32,
  stages: stages([
    'cn_r4_k3_s1_e1_c32_skip',
    'er_r7_k3_s2_e4_c64',
    'er_r7_k3_s2_e4_c96',
    'ir_r10_k3_s2_e4_c192_se0.25',
    'ir_r19_k3_s1_e6_c224_se0.25',
    'ir_r25_k3_s2_e6_c384_se0.25',
    'ir_r7_k3_s1_e6_c640_se0.25',
  ]),
};

/** Keras Applications' (width, depth, default size, dropout) per model. */
const V2_MODELS = {
  'efficientnetv2-b0': { base: V2_BASE, width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  'efficientnetv2-b1': { base: V2_BASE, width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  'efficientnetv2-b2': { base: V2_BASE, width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  'efficientnetv2-b3': { base: V2_BASE, width: 1.2, depth: 1.4, resolution: 300, dropout: 0.3 },
  'efficientnetv2-s': { base: V2_S, width: 1.0, depth: 1.0, resolution: 384, dropout: 0.2 },
  'efficientnetv2-m': { base: V2_M, width: 1.0, depth: 1.0, resolution: 480, dropout: 0.3 },
  'efficientnetv2-l': { base: V2_L, width: 1.0, depth: 1.0, resolution: 480, dropout: 0.4 },
} as const;

export const EFFICIENTNETV2_NAMES = Object.keys(V2_MODELS) as readonly (keyof typeof V2_MODELS)[];

export function efficientnetv2(name: keyof typeof V2_MODELS): NetworkSpec {
  const m = V2_MODELS[name];
  return {
    name,
    input: { resolution: m.resolution, channels: 3, normalization: 'none' },
    width: m.width,
    depth: m.depth,
    rounding: 'v2',
    divisor: 8,
    activation: 'swish',
    convBias: false,
    fixHeadStem: false,
    stem: { out: m.base.stem, kernel: 3, stride: 2 },
    stages: m.base.stages,
    head: { kind: 'conv', out: 1280 },
    classes: 1000,
    dropout: m.dropout,
  };
}
