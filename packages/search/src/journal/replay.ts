/**
 * Reading a journal back: split into whole lines (a torn last line — a crash mid-write — is reported and
 * ignored), then replay the ops as Optuna does to rebuild the study and its trials.
 */
import { readFileSync } from 'node:fs';
import { SearchError } from '../errors.js';
import { OP, isFinished, trialStateName } from './format.js';
import type { JsonObject, JsonValue, TrialStateName } from './format.js';

export interface JournalLines {
  readonly ops: readonly JsonObject[];
  /** Bytes of whole lines; a torn tail starts here. */
  readonly wholeBytes: number;
  readonly tornTail: boolean;
}

export function parseJournal(text: string, path: string): JournalLines {
  const ops: JsonObject[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    lineNumber++;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      let op: unknown;
      try {
        op = JSON.parse(line);
      } catch {
        throw new SearchError('BAD_JOURNAL', `${path}:${lineNumber}: not a JSON line (the journal is corrupt before its last line)`);
      }
      if (typeof op !== 'object' || op === null || Array.isArray(op) || typeof (op as { op_code?: unknown }).op_code !== 'number') {
        throw new SearchError('BAD_JOURNAL', `${path}:${lineNumber}: not a journal operation (no op_code)`);
      }
      ops.push(op as JsonObject);
    }
    start = end + 1;
  }
  return { ops, wholeBytes: Buffer.byteLength(text.slice(0, start)), tornTail: start < text.length };
}

export function readJournal(path: string): JournalLines {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SearchError('NO_STUDY', code === 'ENOENT' ? `no journal at ${path}` : `cannot read journal ${path}: ${(e as Error).message}`);
  }
  return parseJournal(text, path);
}

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
}

export interface StudyRecord {
  readonly name: string;
  readonly direction: 'maximize' | 'minimize';
  readonly userAttrs: Record<string, JsonValue>;
  readonly systemAttrs: Record<string, JsonValue>;
  readonly trials: TrialRecord[];
}

const asNumber = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const asObject = (v: JsonValue | undefined): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {});

/**
 * Rebuild the journal's (first) study. As in Optuna: trial ids are creation order, updates to finished trials
 * are ignored, attributes merge.
 */
export function replayStudy(ops: readonly JsonObject[], path: string): StudyRecord {
  let study: StudyRecord | undefined;
  const trials: TrialRecord[] = [];
  const live = (op: JsonObject): TrialRecord | undefined => {
    const t = trials[asNumber(op.trial_id) ?? -1];
    return t !== undefined && !isFinished(t.state) ? t : undefined;
  };
  for (const op of ops) {
    switch (op.op_code) {
      case OP.CREATE_STUDY:
        if (study === undefined) {
          const dirs = op.directions;
          const direction = Array.isArray(dirs) && dirs[0] === 1 ? 'minimize' : 'maximize';
          study = { name: String(op.study_name), direction, userAttrs: {}, systemAttrs: {}, trials };
        }
        break;
      case OP.SET_STUDY_USER_ATTR:
        if (study !== undefined && op.study_id === 0) Object.assign(study.userAttrs, asObject(op.user_attr));
        break;
      case OP.SET_STUDY_SYSTEM_ATTR:
        if (study !== undefined && op.study_id === 0) Object.assign(study.systemAttrs, asObject(op.system_attr));
        break;
      case OP.CREATE_TRIAL:
        if (op.study_id === 0) {
          // Optuna's create_new_trial(template_trial) puts params, distributions and attributes in this line.
          const params = Object.fromEntries(Object.entries(asObject(op.params)).flatMap(([k, v]) => (typeof v === 'number' ? [[k, v]] : [])));
          const distributions = Object.fromEntries(Object.entries(asObject(op.distributions)).map(([k, v]) => [k, String(v)]));
          trials.push({
            id: trials.length,
            state: trialStateName(asNumber(op.state) ?? 0),
            params,
            distributions,
            value: null,
            intermediate: new Map(),
            userAttrs: { ...asObject(op.user_attrs) },
            systemAttrs: { ...asObject(op.system_attrs) },
            datetimeStart: typeof op.datetime_start === 'string' ? op.datetime_start : null,
            datetimeComplete: null,
          });
        }
        break;
      case OP.SET_TRIAL_PARAM: {
        const t = live(op);
        const v = asNumber(op.param_value_internal);
        if (t !== undefined && v !== undefined) {
          t.params[String(op.param_name)] = v;
          t.distributions[String(op.param_name)] = String(op.distribution);
        }
        break;
      }
      case OP.SET_TRIAL_STATE_VALUES: {
        const t = live(op);
        if (t !== undefined) {
          t.state = trialStateName(asNumber(op.state) ?? 0);
          const values = op.values;
          if (Array.isArray(values)) t.value = asNumber(values[0] as JsonValue) ?? null;
          if (typeof op.datetime_complete === 'string') t.datetimeComplete = op.datetime_complete;
        }
        break;
      }
      case OP.SET_TRIAL_INTERMEDIATE_VALUE: {
        const t = live(op);
        const step = asNumber(op.step);
        const v = asNumber(op.intermediate_value);
        if (t !== undefined && step !== undefined && v !== undefined) t.intermediate.set(step, v);
        break;
      }
      case OP.SET_TRIAL_USER_ATTR: {
        const t = live(op);
        if (t !== undefined) Object.assign(t.userAttrs, asObject(op.user_attr));
        break;
      }
      case OP.SET_TRIAL_SYSTEM_ATTR: {
        const t = live(op);
        if (t !== undefined) Object.assign(t.systemAttrs, asObject(op.system_attr));
        break;
      }
      default:
        break;
    }
  }
  if (study === undefined) throw new SearchError('BAD_JOURNAL', `${path}: no study in the journal (no CREATE_STUDY line)`);
  return study;
}
