/**
 * `proxy-b0`: EfficientNet-B0's block structure narrowed (width 0.25) and shortened (depth 0.5) for 28–32 px,
 * 10-class data. The stem keeps full resolution (stride 1) so that the four stride-2 stages end at 2×2 rather
 * than 1×1. The multipliers act on B0's base channels, so scaling the proxy rounds exactly as scaling B0 would.
 */
import type { NetworkSpec } from '../spec.js';
import { EFFICIENTNET_B0_STAGES } from './efficientnet.js';

export function proxyB0(): NetworkSpec {
  return {
    name: 'proxy-b0',
    input: { resolution: 32, channels: 1, normalization: 'none' },
    width: 0.25,
    depth: 0.5,
    rounding: 'v1',
    divisor: 8,
    activation: 'swish',
    convBias: false,
    stem: { out: 32, kernel: 3, stride: 1 },
    stages: EFFICIENTNET_B0_STAGES,
    head: { out: 1280 },
    classes: 10,
    dropout: 0.1,
  };
}
