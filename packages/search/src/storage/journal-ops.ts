/**
 * Optuna's JournalStorage format (optuna/storages/_journal/storage.py, 3.1): one JSON object per line, an op
 * code and its fields. Replaying the lines in order rebuilds the study; a crash loses at most the line being
 * written.
 */

export const OP = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
} as const;

/** optuna.trial.TrialState values. */
export const TRIAL_STATE = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 } as const;
export type TrialStateName = keyof typeof TRIAL_STATE;
export type TrialStateCode = (typeof TRIAL_STATE)[TrialStateName];

export const TRIAL_STATE_NAMES: readonly TrialStateName[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];

export function trialStateName(code: number): TrialStateName {
  const name = TRIAL_STATE_NAMES[code];
  if (name === undefined) throw new RangeError(`unknown trial state ${code}`);
  return name;
}

export function isFinished(state: TrialStateName): boolean {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

/** optuna.study.StudyDirection values. */
export const DIRECTION = { NOT_SET: 0, MINIMIZE: 1, MAXIMIZE: 2 } as const;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** A FloatDistribution as Optuna serializes it: a JSON string inside the line. */
export function floatDistributionJson(low: number, high: number, step: number | null): string {
  return JSON.stringify({ name: 'FloatDistribution', attributes: { step, low, high, log: false } });
}

/** Optuna writes `datetime.isoformat()` of a naive local time: `2026-11-28T05:27:58.045781`. We write UTC. */
export function optunaDatetime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}
