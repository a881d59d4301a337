/**
 * Optuna's JournalStorage operations (optuna/storages/_journal/storage.py, 3.1): one JSON object per line, an op
 * code and its fields. Replaying them in order rebuilds the study. This module is the one codec: `encodeOp` writes
 * a line as Optuna would, `decodeOp` checks a line read back (a journal is untrusted input: it may be shared,
 * edited, or damaged) and names what is wrong with it.
 */
import * as z from 'zod';
import { SearchError } from '../errors.js';
import type { TrialTemplate } from './journal-storage.js';

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
export type FinishedState = Exclude<TrialStateName, 'RUNNING' | 'WAITING'>;

export const TRIAL_STATE_NAMES: readonly TrialStateName[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];

export function trialStateName(code: TrialStateCode): TrialStateName {
  return TRIAL_STATE_NAMES[code] as TrialStateName;
}

export function isFinished(state: TrialStateName): state is FinishedState {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

/** optuna.study.StudyDirection values. */
export const DIRECTION = { NOT_SET: 0, MINIMIZE: 1, MAXIMIZE: 2 } as const;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

const json: z.ZodType<JsonValue> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
/** Optuna asserts exactly one attribute per attribute op. */
const oneAttribute = z.record(z.string(), json).refine((o) => Object.keys(o).length === 1, 'must hold exactly one attribute');
const id = z.number().int().min(0);
const state = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'is not a trial state (0 RUNNING, 1 COMPLETE, 2 PRUNED, 3 FAIL, 4 WAITING)' });
const datetime = z.string().max(64);
const base = { worker_id: z.string().max(1000) };

const opSchema = z.discriminatedUnion(
  'op_code',
  [
    z.object({ ...base, op_code: z.literal(OP.CREATE_STUDY), study_name: z.string().max(1000), directions: z.array(z.union([z.literal(1), z.literal(2)])).length(1, 'ScaleLab studies have one objective') }),
    z.object({ ...base, op_code: z.literal(OP.DELETE_STUDY), study_id: id }),
    z.object({ ...base, op_code: z.literal(OP.SET_STUDY_USER_ATTR), study_id: id, user_attr: oneAttribute }),
    z.object({ ...base, op_code: z.literal(OP.SET_STUDY_SYSTEM_ATTR), study_id: id, system_attr: oneAttribute }),
    z.object({
      ...base,
      op_code: z.literal(OP.CREATE_TRIAL),
      study_id: id,
      datetime_start: datetime.nullable(),
      state: state.optional(),
      // Optuna's create_new_trial(template_trial) fields: a trial created whole, in one line.
      distributions: z.record(z.string(), z.string().max(10_000)).optional(),
      params: z.record(z.string(), z.number()).optional(),
      user_attrs: z.record(z.string(), json).optional(),
      system_attrs: z.record(z.string(), json).optional(),
    }),
    z.object({ ...base, op_code: z.literal(OP.SET_TRIAL_PARAM), trial_id: id, param_name: z.string().max(1000), param_value_internal: z.number(), distribution: z.string().max(10_000) }),
    z.object({ ...base, op_code: z.literal(OP.SET_TRIAL_STATE_VALUES), trial_id: id, state, values: z.array(z.number()).max(1).nullable(), datetime_complete: datetime.nullable().optional(), datetime_start: datetime.nullable().optional() }),
    z.object({ ...base, op_code: z.literal(OP.SET_TRIAL_INTERMEDIATE_VALUE), trial_id: id, step: id, intermediate_value: z.number() }),
    z.object({ ...base, op_code: z.literal(OP.SET_TRIAL_USER_ATTR), trial_id: id, user_attr: oneAttribute }),
    z.object({ ...base, op_code: z.literal(OP.SET_TRIAL_SYSTEM_ATTR), trial_id: id, system_attr: oneAttribute }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `op_code must be one of 0–9 (Optuna's journal operations)` : undefined) },
);

export type JournalOp = z.output<typeof opSchema>;
type Op<C extends JournalOp['op_code']> = Extract<JournalOp, { op_code: C }>;
export type CreateStudyOp = Op<0>;
export type CreateTrialOp = Op<4>;
export type SetTrialParamOp = Op<5>;
export type SetTrialStateValuesOp = Op<6>;

/** An op read back, with where it came from (for messages: `journal.log:17`). */
export interface LoggedOp {
  readonly op: JournalOp;
  /** 1-based line (a file), or the entry's log number (Redis: the key `{prefix}:log:{line}`, so messages name it). */
  readonly line: number;
}

/** A parsed JSON value checked as a journal op; `where` names the line in the error. */
export function decodeOp(value: unknown, where: string): JournalOp {
  const parsed = opSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')} `;
  throw new SearchError('BAD_JOURNAL', `${where}: not a valid journal operation: ${field}${issue?.message ?? 'invalid'}`);
}

/** Ops as the writer builds them (worker_id is added by the storage). */
export type OpFields = { readonly [K in JournalOp['op_code']]: Omit<Op<K>, 'worker_id'> }[JournalOp['op_code']];

/**
 * Optuna's float fields written as floats (`1.0`, not `1`), so Python reads a float as Optuna itself would have
 * written it: parameter values, intermediate values and trial values.
 */
const FLOAT_FIELD = /"(param_value_internal|intermediate_value)":(-?\d+)(?=[,}])/g;
const FLOAT_VALUES = /"values":\[(-?\d+)\]/g;
/** The same for the parameter values a CREATE_TRIAL line carries (`"params":{"alpha":1.0,…}`). */
const PARAMS_OBJECT = /"params":\{[^{}]*\}/g;
const BARE_INTEGER = /:(-?\d+)(?=[,}])/g;

/** One journal line (without its newline): op_code and worker_id first, as Optuna writes them. */
export function encodeOp(op: OpFields, workerId: string): string {
  const { op_code: opCode, ...fields } = op;
  return JSON.stringify({ op_code: opCode, worker_id: workerId, ...fields })
    .replace(FLOAT_FIELD, (_, key: string, digits: string) => `"${key}":${digits}.0`)
    .replace(FLOAT_VALUES, (_, digits: string) => `"values":[${digits}.0]`)
    .replace(PARAMS_OBJECT, (params) => params.replace(BARE_INTEGER, (_, digits: string) => `:${digits}.0`));
}

/** A FloatDistribution as Optuna serializes it: a JSON string inside the line. */
export function floatDistributionJson(low: number, high: number, step: number | null): string {
  return JSON.stringify({ name: 'FloatDistribution', attributes: { step, low, high, log: false } });
}

/** Optuna writes `datetime.isoformat()` of a naive local time: `2026-11-28T05:27:58.045781`. We write UTC. */
export function optunaDatetime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** A journal's datetime as epoch milliseconds, read as UTC (what we write; NaN for text that is not a date). */
export function optunaDatetimeMs(text: string): number {
  return Date.parse(`${text}Z`);
}

/** The CREATE_TRIAL op of a trial created whole (see `TrialTemplate`). */
export function createTrialOp(t: TrialTemplate): OpFields {
  const names = Object.keys(t.params);
  return {
    op_code: OP.CREATE_TRIAL,
    study_id: 0,
    datetime_start: t.datetimeStart,
    ...(names.length === 0 ? {} : { distributions: Object.fromEntries(names.map((n) => [n, t.params[n]?.distribution ?? ''])), params: Object.fromEntries(names.map((n) => [n, t.params[n]?.value ?? 0])) }),
    ...(Object.keys(t.userAttrs).length === 0 ? {} : { user_attrs: { ...t.userAttrs } }),
  };
}
