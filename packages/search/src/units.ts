/**
 * Where each run unit (a point and one of its seeds) stands, read from a replayed journal: finished or not, how
 * often it failed (against `--retries`), the runs it recorded, and the interrupted trial a rerun continues. The local
 * runner starts from it; the distributed coordinator recomputes it from the journal to decide what to (re)enqueue.
 * A pure function of the journal, so two coordinators reading the same journal agree.
 */
import type { StudyConfig } from './config.js';
import type { StudyPoint } from './points.js';
import type { StudyRecord } from './storage/replay.js';
import { runUnitKey } from './trial-lifecycle.js';
import { countsAsFailure, trialRuns, trialUnit } from './trials.js';
import type { RunRecord } from './trials.js';

export type FinalState = 'COMPLETE' | 'PRUNED' | 'FAIL';

export interface UnitState {
  readonly point: StudyPoint;
  readonly replicate: number;
  readonly key: string;
  /** FAILs that count against `--retries` (not interrupted, not duplicates). */
  failures: number;
  final: FinalState | null;
  /** The value the unit finished with (COMPLETE). */
  value: number | null;
  /** Runs recorded on its trials, by rung (the first of each rung). */
  readonly runs: Map<number, RunRecord>;
  /** The latest trial of the unit that was left running or closed as interrupted. */
  resumedFrom: number | null;
}

/**
 * The order units are handed out in, locally and through the queue: the costliest first (the last to start are
 * short, so no worker is left finishing a long trial alone), then grid order, then replicate.
 */
export function costliestFirst(a: Pick<UnitState, 'point' | 'replicate'>, b: Pick<UnitState, 'point' | 'replicate'>): number {
  return b.point.macs - a.point.macs || a.point.index - b.point.index || a.replicate - b.replicate;
}

export function unitStates(plan: { readonly config: StudyConfig; readonly points: readonly StudyPoint[] }, record: StudyRecord | null): UnitState[] {
  const { config } = plan;
  const states = plan.points.flatMap((point) => Array.from({ length: config.seeds }, (_, replicate): UnitState => ({ point, replicate, key: runUnitKey(config, point, replicate), failures: 0, final: null, value: null, runs: new Map(), resumedFrom: null })));
  const byKey = new Map(states.map((s) => [s.key, s]));
  for (const t of record?.trials ?? []) {
    const unit = byKey.get(trialUnit(t) ?? '');
    if (unit === undefined) continue;
    for (const run of trialRuns(t.userAttrs)) if (!unit.runs.has(run.rung)) unit.runs.set(run.rung, run);
    if (t.state === 'RUNNING' || t.state === 'WAITING' || (t.state === 'FAIL' && t.userAttrs.interrupted === true)) unit.resumedFrom = t.id;
    if ((t.state === 'COMPLETE' || t.state === 'PRUNED') && unit.final === null) {
      unit.final = t.state;
      unit.value = t.value;
    } else if (countsAsFailure(t)) unit.failures++;
  }
  for (const s of states) if (s.final === null && s.failures > config.retries) s.final = 'FAIL';
  return states;
}
