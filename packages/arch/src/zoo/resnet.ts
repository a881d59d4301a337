/**
 * ResNet v1 as in Keras Applications (`resnet.py`): 7×7/2 stem conv with bias and 3×3/2 max-pool, bottleneck
 * blocks with the stride on the first 1×1 conv, every conv with a bias, no head conv.
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';

const RESNET_REPEATS = {
  resnet50: [3, 4, 6, 3],
  resnet101: [3, 4, 23, 3],
  resnet152: [3, 8, 36, 3],
} as const;

export const RESNET_NAMES = Object.keys(RESNET_REPEATS) as readonly (keyof typeof RESNET_REPEATS)[];

export function resnet(name: keyof typeof RESNET_REPEATS): NetworkSpec {
  const [r1, r2, r3, r4] = RESNET_REPEATS[name];
  return {
    name,
    input: { resolution: 224, channels: 3, normalization: 'none' },
    width: 1.0,
    depth: 1.0,
    rounding: 'v1',
    divisor: 8,
    activation: 'relu',
    convBias: true,
    fixHeadStem: false,
    stem: { out: 64, kernel: 7, stride: 2, pool: { kernel: 3, stride: 2 } },
    stages: [
      `bt_r${r1}_k3_s1_e0.25_c256`,
      `bt_r${r2}_k3_s2_e0.25_c512`,
      `bt_r${r3}_k3_s2_e0.25_c1024`,
      `bt_r${r4}_k3_s2_e0.25_c2048`,
    ].map(parseStage),
    head: null,
    classes: 1000,
    dropout: 0,
  };
}
