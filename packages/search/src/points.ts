/**
 * What a study trains: points of its space, each a priced network with the parameters and attributes the journal
 * records of it, trained once per seed. A coefficient grid and a strategy comparison are two spaces of points; the
 * runner, the journal, resume, statistics and the report do not care which.
 */
import { scaleSpec } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import type { StrategyPoint } from '@scalelab/analyzer';
import type { Candidate } from './candidates.js';
import { floatDistributionJson } from './storage/journal-ops.js';
import type { JsonValue } from './storage/journal-ops.js';
import type { FloatDistribution } from './trials.js';

/** A journal parameter: its internal value and its Optuna distribution (JSON, as Optuna serializes it). */
export interface JournalParam {
  readonly value: number;
  readonly distribution: string;
}

export interface StudyPoint {
  /** Stable and readable (`a1.20-b1.10-g1.15`, `fast:0.8@2`): the journal's `grid_id`. */
  readonly id: string;
  /** Position in the space's order: ties are broken by it. */
  readonly index: number;
  readonly spec: NetworkSpec;
  readonly macs: number;
  readonly params: number;
  readonly activations: number;
  /** The point's parameters in the journal (besides `seed`). */
  readonly journalParams: Readonly<Record<string, JournalParam>>;
  /** Attributes every trial of the point carries (`grid_id` among them). */
  readonly attrs: Readonly<Record<string, JsonValue>>;
}

export const floatParam = (value: number, d: FloatDistribution): JournalParam => ({ value, distribution: floatDistributionJson(d.low, d.high, d.step) });

/** An integer parameter (Optuna's IntDistribution). */
export const intParam = (value: number, low: number, high: number): JournalParam => ({ value, distribution: JSON.stringify({ name: 'IntDistribution', attributes: { log: false, step: 1, low, high } }) });

/** A categorical parameter: Optuna stores the index of the choice. */
export const categoricalParam = (choice: string, choices: readonly string[]): JournalParam => ({ value: choices.indexOf(choice), distribution: JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices } }) });

/** A grid point of the coefficient search: α, β, γ as parameters, its priced cost as attributes. */
export function gridPoint(c: Candidate, phi: number, distributions: Readonly<Record<'alpha' | 'beta' | 'gamma', FloatDistribution>>): StudyPoint {
  return {
    id: c.id,
    index: c.index,
    spec: c.spec,
    macs: c.macs,
    params: c.params,
    activations: c.activations,
    journalParams: { alpha: floatParam(c.alpha, distributions.alpha), beta: floatParam(c.beta, distributions.beta), gamma: floatParam(c.gamma, distributions.gamma) },
    attrs: {
      grid_id: c.id,
      grid_index: c.index,
      phi,
      depth: c.multipliers.depth,
      width: c.multipliers.width,
      resolution_multiplier: c.multipliers.resolution,
      resolution: c.resolution,
      macs: c.macs,
      params: c.params,
      activations: c.activations,
      nominal_cost: c.nominalCostAtPhi,
      macs_ratio: c.macsRatio,
    },
  };
}

/** `fast:0.8@2`: a comparison point's id, its strategy as given and its cost target. */
export const comparisonPointId = (strategy: string, target: number): string => `${strategy}@${target}`;

/**
 * A point of a strategy comparison: the strategy (categorical over the comparison's strategies) and the cost target
 * as parameters; s, the continuous multipliers and the exact cost of the network they round to as attributes.
 */
export function comparisonPoint(p: StrategyPoint, index: number, baseline: NetworkSpec, strategies: readonly string[], targets: readonly number[]): StudyPoint {
  const id = comparisonPointId(p.strategy, p.target);
  return {
    id,
    index,
    spec: scaleSpec(baseline, p.multipliers),
    macs: p.macs,
    params: p.params,
    activations: p.activations,
    journalParams: { strategy: categoricalParam(p.strategy, strategies), target: floatParam(p.target, { low: Math.min(...targets), high: Math.max(...targets), step: null }) },
    attrs: {
      grid_id: id,
      grid_index: index,
      strategy: p.strategy,
      target: p.target,
      s: p.s,
      depth: p.multipliers.depth,
      width: p.multipliers.width,
      resolution_multiplier: p.multipliers.resolution,
      resolution: p.resolution,
      macs: p.macs,
      params: p.params,
      activations: p.activations,
      nominal_cost: p.s,
      macs_ratio: p.macsRatio,
    },
  };
}

/**
 * The seed of a point's replicate k (0…K−1) and its `f`-th retry: the study seed + k + f·K, so no retry of one
 * replicate reuses another replicate's seed (K = 1: seed + f, as before seeds existed).
 */
export function trainingSeed(studySeed: number, replicate: number, replicates: number, failures: number): number {
  return studySeed + replicate + failures * replicates;
}
