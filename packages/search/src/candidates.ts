/**
 * Candidates priced before they run: each grid point's scaled spec, its exact params, MACs and activations, the
 * nominal cost (α·β²·γ²)^φ and the realized MACs ratio against the baseline (rounding of channels, repeats and
 * resolution makes the two differ).
 */
import { compoundMultipliers, scaleSpec, withClasses, withResolution } from '@scalelab/arch';
import type { Multipliers, NetworkSpec } from '@scalelab/arch';
import { analyzeSpec } from '@scalelab/analyzer';
import type { GridPoint } from './space.js';

/** What the baseline is trained on: the data's channels and classes, and the study's base resolution. */
export interface BaselineFit {
  readonly channels: number;
  readonly classes: number;
  readonly resolution: number | null;
}

export function fitBaseline(spec: NetworkSpec, fit: BaselineFit): NetworkSpec {
  const sized = fit.resolution === null ? spec : withResolution(spec, fit.resolution);
  return withClasses({ ...sized, input: { ...sized.input, channels: fit.channels } }, fit.classes);
}

/** A grid point priced before it trains: its spec at φ, params, MACs, activations, nominal cost and realized MACs ratio. */
export interface Candidate extends GridPoint {
  readonly multipliers: Multipliers;
  readonly spec: NetworkSpec;
  readonly resolution: number;
  readonly macs: number;
  readonly params: number;
  readonly activations: number;
  /** (α·β²·γ²)^φ. */
  readonly nominalCostAtPhi: number;
  /** Candidate MACs / baseline MACs. */
  readonly macsRatio: number;
}

export function priceCandidates(baseline: NetworkSpec, points: readonly GridPoint[], phi: number): Candidate[] {
  const baselineMacs = analyzeSpec(baseline).macs;
  return points.map((p) => {
    const multipliers = compoundMultipliers(p, phi);
    const spec = scaleSpec(baseline, multipliers);
    const a = analyzeSpec(spec);
    return {
      ...p,
      multipliers,
      spec,
      resolution: spec.input.resolution,
      macs: a.macs,
      params: a.params.total,
      activations: a.activations,
      nominalCostAtPhi: p.nominalCost ** phi,
      macsRatio: a.macs / baselineMacs,
    };
  });
}
