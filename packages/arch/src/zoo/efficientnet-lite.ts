/**
 * EfficientNet-Lite0…4 as the TF reference builds them (`efficientnet_lite_builder.py`): B0's stages without
 * squeeze-excitation (`use_se=False`), ReLU6 instead of swish, and `fix_head_stem=True` — the 32-filter stem, the
 * 1280-filter head and the first and last stages' repeats are not scaled. No input normalization layer (the
 * reference normalizes outside the network).
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';
import { EFFICIENTNET_B0_STAGE_STRINGS } from './efficientnet.js';
import type { PublishedCoefficients } from './efficientnet.js';

/** (width, depth, resolution, dropout) from the reference's `efficientnet_lite_params`. */
export const EFFICIENTNET_LITE_COEFFICIENTS: Readonly<Record<string, PublishedCoefficients>> = {
  'efficientnet-lite0': { width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  'efficientnet-lite1': { width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  'efficientnet-lite2': { width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  'efficientnet-lite3': { width: 1.2, depth: 1.4, resolution: 280, dropout: 0.3 },
  'efficientnet-lite4': { width: 1.4, depth: 1.8, resolution: 300, dropout: 0.3 },
};

const LITE_STAGES = EFFICIENTNET_B0_STAGE_STRINGS.map((s) => parseStage(s.replace(/_se[\d.]+/, '')));

export function efficientnetLite(name: string, c: PublishedCoefficients): NetworkSpec {
  return {
    name,
    input: { resolution: c.resolution, channels: 3, normalization: 'none' },
    width: c.width,
    depth: c.depth,
    rounding: 'v1',
    divisor: 8,
    activation: 'relu6',
    convBias: false,
    fixHeadStem: true,
    stem: { out: 32, kernel: 3, stride: 2 },
    stages: LITE_STAGES,
    head: { kind: 'conv', out: 1280 },
    classes: 1000,
    dropout: c.dropout,
  };
}
