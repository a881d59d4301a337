/**
 * Replaying a journal's ops into its study, as Optuna's JournalStorageReplayResult does (trial ids are creation
 * order, attributes merge) — but strictly, because a ScaleLab journal holds exactly one study written by one
 * writer at a time: an op for another study or an unknown trial, a second CREATE_STUDY, a parameter set twice, or
 * an update to a trial that already finished is the mark of a damaged journal or of two writers, and is an error
 * naming the line rather than something silently dropped.
 */
import { SearchError } from '../errors.js';
import { OP, isFinished, trialStateName } from './journal-ops.js';
import type { JsonValue, LoggedOp, TrialStateName } from './journal-ops.js';

export interface TrialRecord {
  readonly id: number;
  state: TrialStateName;
  readonly params: Record<string, number>;
  readonly distributions: Record<string, string>;
  value: number | null;
  readonly intermediate: Map<number, number>;
  readonly userAttrs: Record<string, JsonValue>;
  readonly systemAttrs: Record<string, JsonValue>;
  readonly datetimeStart: string | null;
  datetimeComplete: string | null;
  /** Journal line that created the trial (for messages). */
  readonly line: number;
}

export interface StudyRecord {
  readonly name: string;
  readonly direction: 'maximize' | 'minimize';
  readonly userAttrs: Record<string, JsonValue>;
  readonly systemAttrs: Record<string, JsonValue>;
  readonly trials: TrialRecord[];
}

/** Keys that must not be merged into plain objects from untrusted text. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function mergeAttribute(target: Record<string, JsonValue>, attr: { readonly [key: string]: JsonValue }, where: string): void {
  for (const [key, value] of Object.entries(attr)) {
    if (UNSAFE_KEYS.has(key)) throw new SearchError('BAD_JOURNAL', `${where}: attribute name '${key}' is not allowed`);
    target[key] = value;
  }
}

export function replayStudy(ops: readonly LoggedOp[], location: string): StudyRecord {
  let study: StudyRecord | undefined;
  const trials: TrialRecord[] = [];
  const finishedAt = new Map<number, number>();
  const fail = (line: number, why: string): never => {
    throw new SearchError('BAD_JOURNAL', `${location}:${line}: ${why}`);
  };
  const theStudy = (line: number, studyId: number): StudyRecord => {
    if (study === undefined) return fail(line, 'an operation before the study was created (no CREATE_STUDY first)');
    if (studyId !== 0) return fail(line, `an operation for study ${studyId}; a ScaleLab journal holds one study (id 0)`);
    return study;
  };
  /** A trial that exists and is still open to updates. */
  const openTrial = (line: number, trialId: number): TrialRecord => {
    theStudy(line, 0);
    const t = trials[trialId];
    if (t === undefined) return fail(line, `an operation for trial ${trialId}, which the journal never created (${trials.length} trials so far)`);
    if (isFinished(t.state)) return fail(line, `trial ${trialId} is updated after it finished (line ${finishedAt.get(trialId) ?? '?'}); two writers, or a duplicated line?`);
    return t;
  };

  for (const { op, line } of ops) {
    switch (op.op_code) {
      case OP.CREATE_STUDY:
        if (study !== undefined) fail(line, `a second CREATE_STUDY ('${op.study_name}'); a ScaleLab journal holds one study`);
        study = { name: op.study_name, direction: op.directions[0] === 1 ? 'minimize' : 'maximize', userAttrs: {}, systemAttrs: {}, trials };
        break;
      case OP.DELETE_STUDY:
        fail(line, 'DELETE_STUDY: ScaleLab never deletes a study inside its journal');
        break;
      case OP.SET_STUDY_USER_ATTR:
        mergeAttribute(theStudy(line, op.study_id).userAttrs, op.user_attr, `${location}:${line}`);
        break;
      case OP.SET_STUDY_SYSTEM_ATTR:
        mergeAttribute(theStudy(line, op.study_id).systemAttrs, op.system_attr, `${location}:${line}`);
        break;
      case OP.CREATE_TRIAL: {
        theStudy(line, op.study_id);
        const state = trialStateName(op.state ?? 0);
        if (isFinished(state)) fail(line, `a trial created already ${state}; ScaleLab creates trials RUNNING`);
        const trial: TrialRecord = { id: trials.length, state, params: {}, distributions: {}, value: null, intermediate: new Map(), userAttrs: {}, systemAttrs: {}, datetimeStart: op.datetime_start, datetimeComplete: null, line };
        // A trial created whole (Optuna's template trial): every parameter needs its distribution.
        for (const [name, value] of Object.entries(op.params ?? {})) {
          const distribution = op.distributions?.[name];
          if (distribution === undefined) fail(line, `parameter '${name}' of a new trial has no distribution`);
          if (UNSAFE_KEYS.has(name)) fail(line, `parameter name '${name}' is not allowed`);
          trial.params[name] = value;
          trial.distributions[name] = distribution ?? '';
        }
        mergeAttribute(trial.userAttrs, op.user_attrs ?? {}, `${location}:${line}`);
        mergeAttribute(trial.systemAttrs, op.system_attrs ?? {}, `${location}:${line}`);
        trials.push(trial);
        break;
      }
      case OP.SET_TRIAL_PARAM: {
        const t = openTrial(line, op.trial_id);
        if (Object.hasOwn(t.params, op.param_name)) fail(line, `parameter '${op.param_name}' of trial ${t.id} is set a second time; two writers, or a duplicated line?`);
        if (UNSAFE_KEYS.has(op.param_name)) fail(line, `parameter name '${op.param_name}' is not allowed`);
        t.params[op.param_name] = op.param_value_internal;
        t.distributions[op.param_name] = op.distribution;
        break;
      }
      case OP.SET_TRIAL_STATE_VALUES: {
        const t = openTrial(line, op.trial_id);
        const state = trialStateName(op.state);
        t.state = state;
        if (op.values !== null) t.value = op.values[0] ?? null;
        if (isFinished(state)) {
          t.datetimeComplete = op.datetime_complete ?? null;
          finishedAt.set(t.id, line);
        }
        break;
      }
      case OP.SET_TRIAL_INTERMEDIATE_VALUE:
        openTrial(line, op.trial_id).intermediate.set(op.step, op.intermediate_value);
        break;
      case OP.SET_TRIAL_USER_ATTR:
        mergeAttribute(openTrial(line, op.trial_id).userAttrs, op.user_attr, `${location}:${line}`);
        break;
      case OP.SET_TRIAL_SYSTEM_ATTR:
        mergeAttribute(openTrial(line, op.trial_id).systemAttrs, op.system_attr, `${location}:${line}`);
        break;
    }
  }
  if (study === undefined) throw new SearchError('BAD_JOURNAL', `${location}: no study in the journal (no CREATE_STUDY line)`);
  return study;
}
