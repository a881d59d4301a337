/**
 * Compound scaling priced exactly: the scaled model for one φ, or the family φ = 0…K, each with the nominal
 * cost (α·β²·γ²)^φ beside the realized MACs ratio against the baseline (rounding of channels, repeats and
 * resolution makes them differ).
 */
import { checkLimit, compoundMultipliers, EFFICIENTNET_COEFFICIENTS, EFFICIENTNET_PAPER_TABLE, nominalCost, scaleSpec } from '@scalelab/arch';
import type { CompoundCoefficients, Multipliers, NetworkSpec } from '@scalelab/arch';
import { analyzeSpec } from './spec-analysis.js';
import type { AnalyzeOptions } from './spec-analysis.js';
import type { Analysis } from './cost.js';

export interface ScaledModel {
  readonly phi: number;
  readonly multipliers: Multipliers;
  readonly analysis: Analysis;
  readonly nominalCost: number;
  readonly realizedMacsRatio: number;
}

/** A published model of the same family at this φ (EfficientNet B1–B7 for an `efficientnet-b0` baseline). */
export interface PublishedModel {
  readonly model: string;
  readonly width: number;
  readonly depth: number;
  readonly resolution: number;
  /** Our exact analysis of the published configuration. */
  readonly params: number;
  readonly macs: number;
  /** As printed in the paper's Table 2 (rounded there). */
  readonly paper: { readonly params: number; readonly macs: number };
}

export function scaleCompound(
  baseline: NetworkSpec,
  coefficients: CompoundCoefficients,
  phi: number,
  baselineMacs = analyzeSpec(baseline).macs,
  options: AnalyzeOptions = {},
): ScaledModel {
  const multipliers = compoundMultipliers(coefficients, phi);
  const analysis = analyzeSpec(scaleSpec(baseline, multipliers), options);
  return {
    phi,
    multipliers,
    analysis,
    nominalCost: nominalCost(coefficients, phi),
    realizedMacsRatio: analysis.macs / baselineMacs,
  };
}

/** The compound family φ = 1…phiMax of `baseline`: depth α^φ, width β^φ, resolution γ^φ, each member priced after rounding. */
export function compoundFamily(baseline: NetworkSpec, coefficients: CompoundCoefficients, phiMax: number): ScaledModel[] {
  checkLimit('phiMax', phiMax, 'φ-max');
  const baselineMacs = analyzeSpec(baseline).macs;
  return Array.from({ length: phiMax + 1 }, (_, phi) => scaleCompound(baseline, coefficients, phi, baselineMacs));
}

/** The published B-model at φ when the baseline is `efficientnet-b0` as in the zoo; otherwise none. */
export function publishedModel(baseline: NetworkSpec, phi: number): PublishedModel | undefined {
  const isB0 = baseline.name === 'efficientnet-b0' && baseline.width === 1 && baseline.depth === 1 && baseline.input.resolution === 224;
  if (!isB0 || !Number.isInteger(phi)) return undefined;
  const model = `efficientnet-b${phi}`;
  const c = EFFICIENTNET_COEFFICIENTS[model];
  const paper = EFFICIENTNET_PAPER_TABLE[model];
  if (c === undefined || paper === undefined) return undefined;
  const a = analyzeSpec({ ...baseline, name: model, width: c.width, depth: c.depth, input: { ...baseline.input, resolution: c.resolution } });
  return { model, width: c.width, depth: c.depth, resolution: c.resolution, params: a.params.total, macs: a.macs, paper };
}
