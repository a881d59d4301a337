/** MobileNetV2 (Sandler et al. 2018), α = 1.0, as in Keras Applications: ReLU6, no SE, no dropout. */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';

export function mobilenetv2(): NetworkSpec {
  return {
    name: 'mobilenetv2',
    input: { resolution: 224, channels: 3, normalization: 'none' },
    width: 1.0,
    depth: 1.0,
    rounding: 'v1', // Keras' `_make_divisible` is the same rule as EfficientNet's `round_filters`
    divisor: 8,
    activation: 'relu6',
    convBias: false,
    fixHeadStem: false,
    stem: { out: 32, kernel: 3, stride: 2 },
    stages: [
      'ds_r1_k3_s1_e1_c16',
      'ir_r2_k3_s2_e6_c24',
      'ir_r3_k3_s2_e6_c32',
      'ir_r4_k3_s2_e6_c64',
      'ir_r3_k3_s1_e6_c96',
      'ir_r3_k3_s2_e6_c160',
      'ir_r1_k3_s1_e6_c320',
    ].map(parseStage),
    head: { kind: 'conv', out: 1280 },
    classes: 1000,
    dropout: 0,
  };
}
