/**
 * Appends journal lines: each one written whole by a single write(2) on an O_APPEND descriptor and flushed to
 * disk (fdatasync) before the next event, so a crash leaves every earlier line intact and at most a torn last one.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DIRECTION, OP, TRIAL_STATE, floatDistributionJson, optunaDatetime } from './format.js';
import type { JsonValue, TrialStateName } from './format.js';

/**
 * Optuna's float fields written as floats (`1.0`, not `1`), so Python reads a float as Optuna itself would have
 * written it: parameter values, intermediate values and trial values.
 */
const FLOAT_FIELD = /"(param_value_internal|intermediate_value)":(-?\d+)(?=[,}])/g;
const FLOAT_VALUES = /"values":\[(-?\d+)\]/g;
/** The same for the parameter values a CREATE_TRIAL line carries (`"params":{"alpha":1.0,…}`). */
const PARAMS_OBJECT = /"params":\{[^{}]*\}/g;
const BARE_INTEGER = /:(-?\d+)(?=[,}])/g;

/** What a trial is created with, in its CREATE_TRIAL line: Optuna's `create_new_trial(template_trial)` fields. */
export interface TrialTemplate {
  readonly params: Readonly<Record<string, { readonly value: number; readonly distribution: { readonly low: number; readonly high: number; readonly step: number | null } }>>;
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
}

export class JournalWriter {
  private readonly fd: number;
  /** Optuna tags each line with its writer; ours is one per search process. */
  readonly workerId = `scalelab-${randomUUID()}-${process.pid}`;
  private nextTrialId: number;

  private constructor(fd: number, nextTrialId: number) {
    this.fd = fd;
    this.nextTrialId = nextTrialId;
  }

  /** A new journal; fails (EEXIST) rather than overwrite one. */
  static create(path: string): JournalWriter {
    return new JournalWriter(openSync(path, 'wx'), 0);
  }

  /** Continue a journal whose replay saw `trialCount` trials (trial ids are their creation order). */
  static append(path: string, trialCount: number): JournalWriter {
    return new JournalWriter(openSync(path, 'a'), trialCount);
  }

  private write(op: Record<string, JsonValue>): void {
    const line = JSON.stringify({ op_code: op.op_code, worker_id: this.workerId, ...op })
      .replace(FLOAT_FIELD, (_, key: string, digits: string) => `"${key}":${digits}.0`)
      .replace(FLOAT_VALUES, (_, digits: string) => `"values":[${digits}.0]`)
      .replace(PARAMS_OBJECT, (params) => params.replace(BARE_INTEGER, (_, digits: string) => `:${digits}.0`));
    writeSync(this.fd, `${line}\n`);
    fdatasyncSync(this.fd);
  }

  createStudy(name: string, direction: 'maximize' | 'minimize'): void {
    this.write({ op_code: OP.CREATE_STUDY, study_name: name, directions: [direction === 'maximize' ? DIRECTION.MAXIMIZE : DIRECTION.MINIMIZE] });
  }

  setStudyUserAttr(key: string, value: JsonValue): void {
    this.write({ op_code: OP.SET_STUDY_USER_ATTR, study_id: 0, user_attr: { [key]: value } });
  }

  setStudySystemAttr(key: string, value: JsonValue): void {
    this.write({ op_code: OP.SET_STUDY_SYSTEM_ATTR, study_id: 0, system_attr: { [key]: value } });
  }

  /**
   * A RUNNING trial; returns its id. With a template, its params and user attributes go in the same line (as
   * Optuna's `create_new_trial(template_trial)` writes them), so a crash can never leave a trial that exists without
   * them — a resume would not know which grid point it was.
   */
  createTrial(start = new Date(), template?: TrialTemplate): number {
    const fields: Record<string, JsonValue> = { op_code: OP.CREATE_TRIAL, study_id: 0, datetime_start: optunaDatetime(start) };
    if (template !== undefined) {
      const names = Object.keys(template.params);
      fields.distributions = Object.fromEntries(names.map((n) => {
        const d = template.params[n]?.distribution;
        return [n, d === undefined ? null : floatDistributionJson(d.low, d.high, d.step)];
      }));
      fields.params = Object.fromEntries(names.map((n) => [n, template.params[n]?.value ?? null]));
      fields.user_attrs = { ...template.userAttrs };
    }
    this.write(fields);
    return this.nextTrialId++;
  }

  setTrialParam(trialId: number, name: string, value: number, distribution: { low: number; high: number; step: number | null }): void {
    this.write({ op_code: OP.SET_TRIAL_PARAM, trial_id: trialId, param_name: name, param_value_internal: value, distribution: floatDistributionJson(distribution.low, distribution.high, distribution.step) });
  }

  /** Optuna asserts one attribute per line. */
  setTrialUserAttr(trialId: number, key: string, value: JsonValue): void {
    this.write({ op_code: OP.SET_TRIAL_USER_ATTR, trial_id: trialId, user_attr: { [key]: value } });
  }

  setTrialSystemAttr(trialId: number, key: string, value: JsonValue): void {
    this.write({ op_code: OP.SET_TRIAL_SYSTEM_ATTR, trial_id: trialId, system_attr: { [key]: value } });
  }

  setIntermediateValue(trialId: number, step: number, value: number): void {
    this.write({ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: trialId, step, intermediate_value: value });
  }

  /** COMPLETE with its value, or PRUNED / FAIL (no value). */
  finishTrial(trialId: number, state: Exclude<TrialStateName, 'RUNNING' | 'WAITING'>, value: number | null, end = new Date()): void {
    this.write({ op_code: OP.SET_TRIAL_STATE_VALUES, trial_id: trialId, state: TRIAL_STATE[state], values: value === null ? null : [value], datetime_complete: optunaDatetime(end) });
  }

  close(): void {
    closeSync(this.fd);
  }
}
