/**
 * EfficientNet B0–B7 (Tan & Le 2019) as in the TF reference and Keras Applications: B0's stages, scaled by the
 * *published* width/depth/resolution of each model (these are not α^φ of the paper's α, β, γ).
 */
import { parseStage } from '../archstring.js';
import type { NetworkSpec } from '../spec.js';

/** B0's stages as strings (timm `_gen_efficientnet`, equal to Keras' DEFAULT_BLOCKS_ARGS). */
export const EFFICIENTNET_B0_STAGE_STRINGS: readonly string[] = [
  'ds_r1_k3_s1_e1_c16_se0.25',
  'ir_r2_k3_s2_e6_c24_se0.25',
  'ir_r2_k5_s2_e6_c40_se0.25',
  'ir_r3_k3_s2_e6_c80_se0.25',
  'ir_r3_k5_s1_e6_c112_se0.25',
  'ir_r4_k5_s2_e6_c192_se0.25',
  'ir_r1_k3_s1_e6_c320_se0.25',
];
export const EFFICIENTNET_B0_STAGES = EFFICIENTNET_B0_STAGE_STRINGS.map(parseStage);

export interface PublishedCoefficients {
  readonly width: number;
  readonly depth: number;
  readonly resolution: number;
  readonly dropout: number;
}

/** (width, depth, resolution, dropout) from the TF reference `efficientnet_params` / Keras Applications. */
export const EFFICIENTNET_COEFFICIENTS: Readonly<Record<string, PublishedCoefficients>> = {
  'efficientnet-b0': { width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  'efficientnet-b1': { width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  'efficientnet-b2': { width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  'efficientnet-b3': { width: 1.2, depth: 1.4, resolution: 300, dropout: 0.3 },
  'efficientnet-b4': { width: 1.4, depth: 1.8, resolution: 380, dropout: 0.4 },
  'efficientnet-b5': { width: 1.6, depth: 2.2, resolution: 456, dropout: 0.4 },
  'efficientnet-b6': { width: 1.8, depth: 2.6, resolution: 528, dropout: 0.5 },
  'efficientnet-b7': { width: 2.0, depth: 3.1, resolution: 600, dropout: 0.5 },
};

export function efficientnet(name: string, c: PublishedCoefficients): NetworkSpec {
  return {
    name,
    // Keras Applications puts Rescaling + an adaptable Normalization layer in front (7 non-trainable weights).
    input: { resolution: c.resolution, channels: 3, normalization: 'adapted' },
    width: c.width,
    depth: c.depth,
    rounding: 'v1',
    divisor: 8,
    activation: 'swish',
    convBias: false,
    fixHeadStem: false,
    stem: { out: 32, kernel: 3, stride: 2 },
    stages: EFFICIENTNET_B0_STAGES,
    head: { kind: 'conv', out: 1280 },
    classes: 1000,
    dropout: c.dropout,
  };
}

/** Params and FLOPS (which are multiply-adds) as printed in Table 2 of Tan & Le (2019), for comparison only. */
export const EFFICIENTNET_PAPER_TABLE: Readonly<Record<string, { readonly params: number; readonly macs: number }>> = {
  'efficientnet-b0': { params: 5.3e6, macs: 0.39e9 },
  'efficientnet-b1': { params: 7.8e6, macs: 0.7e9 },
  'efficientnet-b2': { params: 9.2e6, macs: 1.0e9 },
  'efficientnet-b3': { params: 12e6, macs: 1.8e9 },
  'efficientnet-b4': { params: 19e6, macs: 4.2e9 },
  'efficientnet-b5': { params: 30e6, macs: 9.9e9 },
  'efficientnet-b6': { params: 43e6, macs: 19e9 },
  'efficientnet-b7': { params: 66e6, macs: 37e9 },
};
