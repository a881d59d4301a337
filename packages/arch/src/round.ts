import type { ChannelRounding } from './spec.js';

/**
 * Channels after width scaling, exactly as the reference code (TF EfficientNet `round_filters`, Keras
 * Applications): `max(divisor, floor((c·w + divisor/2) / divisor) · divisor)`; under `v1`, one more divisor when
 * that falls below 90% of c·w (EfficientNetV2 drops this guard).
 */
export function roundFilters(channels: number, width: number, rounding: ChannelRounding, divisor = 8): number {
  const scaled = channels * width;
  let rounded = Math.max(divisor, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (rounding === 'v1' && rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

/** Repeats after depth scaling, as the reference code: `ceil(d · r)`. */
export function roundRepeats(repeats: number, depth: number): number {
  return Math.ceil(depth * repeats);
}

/** Resolution after scaling: R₀·m rounded to the nearest integer (ties round up). */
export function roundResolution(resolution: number, multiplier: number): number {
  return Math.round(resolution * multiplier);
}
