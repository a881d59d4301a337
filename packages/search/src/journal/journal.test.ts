import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OP } from './format.js';
import type { JsonObject } from './format.js';
import { parseJournal, readJournal, replayStudy } from './replay.js';
import { JournalWriter } from './writer.js';

const FIXTURE = join(process.cwd(), 'test/fixtures/optuna-3.1-journal.log');

test('replays the journal real Optuna 3.1 wrote: 3 trials, one FAIL, params, values, intermediates, attrs', (t) => {
  const { ops, tornTail } = readJournal(FIXTURE);
  t.false(tornTail);
  const s = replayStudy(ops, FIXTURE);
  t.is(s.name, 'demo');
  t.is(s.direction, 'maximize');
  t.deepEqual(s.userAttrs, { baseline: 'proxy-b0' });
  t.deepEqual(s.trials.map((x) => x.state), ['COMPLETE', 'COMPLETE', 'FAIL']);
  t.deepEqual(s.trials.map((x) => x.value), [-1.6, 0.45859375, null]);
  t.deepEqual(s.trials[0]?.params, { alpha: 2, beta: 1.5, gamma: 1 });
  t.deepEqual([...(s.trials[1]?.intermediate ?? new Map()).entries()], [[0, 0.5], [1, 0.6]]);
  t.deepEqual(s.trials[2]?.userAttrs, { macs: 12345678 });
});

test('our writer produces the same line shapes as Optuna’s (keys per op code, one attribute per line)', (t) => {
  const ours = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.log');
  const w = JournalWriter.create(ours);
  w.createStudy('demo', 'maximize');
  w.setStudyUserAttr('baseline', 'proxy-b0');
  const id = w.createTrial();
  w.setTrialParam(id, 'alpha', 2, { low: 1, high: 2, step: 0.25 });
  w.setTrialUserAttr(id, 'macs', 12345678);
  w.setIntermediateValue(id, 0, 0.5);
  w.finishTrial(id, 'COMPLETE', 1);
  w.close();
  const keysByOp = (path: string): Map<number, string> => {
    const m = new Map<number, string>();
    for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
      const o = JSON.parse(line) as Record<string, unknown>;
      m.set(o.op_code as number, Object.keys(o).sort().join(','));
    }
    return m;
  };
  const theirs = keysByOp(FIXTURE);
  for (const [op, keys] of keysByOp(ours)) t.is(keys, theirs.get(op) ?? "", `op ${String(op)}`);
  const text = readFileSync(ours, 'utf8');
  // Floats stay floats for Python: 2 → 2.0, value 1 → [1.0]; the distribution is a JSON string as Optuna writes it.
  t.regex(text, /"param_value_internal":2\.0/);
  t.regex(text, /"values":\[1\.0\]/);
  t.regex(text, /"distribution":"\{\\"name\\":\\"FloatDistribution\\",\\"attributes\\":\{\\"step\\":0\.25,\\"low\\":1,\\"high\\":2,\\"log\\":false\}\}"/);
  t.regex(text, /"datetime_start":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"/);
  const s = replayStudy(readJournal(ours).ops, ours);
  t.is(s.trials[0]?.value, 1);
  t.is(s.trials[0]?.state, 'COMPLETE');
});

test('a trial created with its params and attributes in one CREATE_TRIAL line (Optuna create_new_trial(template_trial) fields) replays whole', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.log');
  const w = JournalWriter.create(path);
  w.createStudy('s', 'maximize');
  const id = w.createTrial(new Date(), { params: { alpha: { value: 2, distribution: { low: 1, high: 2, step: 0.25 } } }, userAttrs: { grid_id: 'a2', params: 7 } });
  w.close();
  const line = readFileSync(path, 'utf8').trim().split('\n')[1] ?? '';
  // Optuna's _apply_create_trial reads `distributions` (JSON strings), `params` (internal values) and `user_attrs`.
  t.regex(line, /"op_code":4,.*"distributions":\{"alpha":"\{\\"name\\":\\"FloatDistribution\\"/);
  t.regex(line, /"params":\{"alpha":2\.0\}/);
  t.regex(line, /"user_attrs":\{"grid_id":"a2","params":7\}/);
  const s = replayStudy(readJournal(path).ops, path);
  t.is(s.trials[id]?.state, 'RUNNING');
  t.deepEqual(s.trials[id]?.params, { alpha: 2 });
  t.deepEqual(s.trials[id]?.userAttrs, { grid_id: 'a2', params: 7 });
});

test('a torn last line is reported and ignored; a corrupt line before the end is an error naming the line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const path = join(dir, 'journal.log');
  const w = JournalWriter.create(path);
  w.createStudy('s', 'minimize');
  const id = w.createTrial();
  w.finishTrial(id, 'COMPLETE', 0.25);
  w.close();
  const whole = readFileSync(path, 'utf8');
  appendFileSync(path, '{"op_code": 4, "worker_id": "x", "stu');
  const torn = readJournal(path);
  t.true(torn.tornTail);
  t.is(torn.wholeBytes, Buffer.byteLength(whole));
  t.is(replayStudy(torn.ops, path).trials.length, 1);
  t.is(replayStudy(torn.ops, path).direction, 'minimize');
  const corrupt = `${whole.split('\n')[0]}\n{not json\n${whole.split('\n').slice(1).join('\n')}`;
  t.throws(() => parseJournal(corrupt, 'j.log'), { message: /j\.log:2: not a JSON line/ });
});

test('a new journal never overwrites an existing one', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.log');
  JournalWriter.create(path).close();
  t.throws(() => JournalWriter.create(path), { code: 'EEXIST' });
});

test('updates to a finished trial are ignored on replay, as in Optuna', (t) => {
  const ops: JsonObject[] = [
    { op_code: OP.CREATE_STUDY, study_name: 's', directions: [2] },
    { op_code: OP.CREATE_TRIAL, study_id: 0, datetime_start: '2026-01-01T00:00:00.000000' },
    { op_code: OP.SET_TRIAL_STATE_VALUES, trial_id: 0, state: 1, values: [0.5], datetime_complete: '2026-01-01T00:00:01.000000' },
    { op_code: OP.SET_TRIAL_STATE_VALUES, trial_id: 0, state: 3, values: null, datetime_complete: '2026-01-01T00:00:02.000000' },
    { op_code: OP.SET_TRIAL_USER_ATTR, trial_id: 0, user_attr: { late: 1 } },
  ];
  const s = replayStudy(ops, 'x');
  t.is(s.trials[0]?.state, 'COMPLETE');
  t.is(s.trials[0]?.value, 0.5);
  t.deepEqual(s.trials[0]?.userAttrs, {});
});
