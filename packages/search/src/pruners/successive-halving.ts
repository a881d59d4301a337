/**
 * Successive halving (Jamieson & Talwalkar 2016; Optuna's SuccessiveHalvingPruner without its asynchrony): every
 * candidate gets the base budget; the best 1/η of each rung go on with η× the budget, the rest are pruned. Pure
 * functions of the values seen so far.
 */
import { isBetter } from '../objective.js';
import type { Direction } from '../objective.js';

/** The budget of rung r: the base budget × η^r (steps or epochs, whichever the study uses). */
export function rungBudget(base: { readonly epochs: number | null; readonly steps: number | null }, eta: number | null, rung: number): { epochs: number | null; steps: number | null } {
  const factor = (eta ?? 1) ** rung;
  return base.steps !== null ? { epochs: null, steps: Math.round(base.steps * factor) } : { epochs: Math.round((base.epochs ?? 1) * factor), steps: null };
}

export interface RungMember {
  /** Grid order, the tie-break: the earlier point goes on. */
  readonly index: number;
  readonly value: number;
}

/**
 * Split a finished rung: `promote` go on to the next rung, `prune` stop. With no halving (η null) or η or fewer
 * members left, everyone is final: `promote` is empty and `complete` holds them all.
 */
export function splitRung<T extends RungMember>(members: readonly T[], eta: number | null, direction: Direction): { complete: T[]; promote: T[]; prune: T[] } {
  if (eta === null || members.length <= eta) return { complete: [...members], promote: [], prune: [] };
  const ranked = [...members].sort((a, b) => (isBetter(a.value, b.value, direction) ? -1 : isBetter(b.value, a.value, direction) ? 1 : a.index - b.index));
  const keep = Math.ceil(members.length / eta);
  return { complete: [], promote: ranked.slice(0, keep), prune: ranked.slice(keep) };
}
