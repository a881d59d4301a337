/**
 * MobileNetV1 (Howard et al. 2017), α = 1, as Keras Applications' `MobileNet`: a 3×3/2 conv, thirteen depthwise-
 * separable blocks with ReLU6 after both the depthwise and the pointwise conv (timm's `dsa`), global pooling and the
 * classifier. Keras writes the classifier as a 1×1 conv with bias on the pooled 1×1 map (`conv_preds`); it has the
 * same weights and MACs as the dense layer used here. Width scaling rounds with the V1 rule (as timm's MobileNetV1),
 * where Keras' `int(filters · α)` would not round to multiples of 8.
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';

export function mobilenetv1(): NetworkSpec {
  return {
    name: 'mobilenetv1',
    input: { resolution: 224, channels: 3, normalization: 'none' },
    width: 1.0,
    depth: 1.0,
    rounding: 'v1',
    divisor: 8,
    activation: 'relu6',
    convBias: false,
    fixHeadStem: false,
    stem: { out: 32, kernel: 3, stride: 2 },
    // Keras block_id 1 | 2–3 | 4–5 | 6–11 | 12–13, the first of each group carrying the stride.
    stages: ['dsa_r1_k3_s1_c64', 'dsa_r2_k3_s2_c128', 'dsa_r2_k3_s2_c256', 'dsa_r6_k3_s2_c512', 'dsa_r2_k3_s2_c1024'].map(parseStage),
    head: null,
    classes: 1000,
    dropout: 1e-3,
  };
}
