import test from 'ava';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatParam } from '../points.js';
import { finishOp, paramOp, userAttrOps } from '../trials.js';
import { JournalFileStorage, readJournalFile } from './journal-file.js';
import { parseJournalLines } from './journal-lines.js';
import { OP, optunaDatetime } from './journal-ops.js';
import type { LoggedOp } from './journal-ops.js';
import { replayStudy } from './replay.js';

const FIXTURE = join(process.cwd(), 'test/fixtures/optuna-3.1-journal.log');
const tmp = (): string => join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal.log');

async function smallJournal(path: string): Promise<void> {
  const w = JournalFileStorage.create(path);
  await w.append([{ op_code: OP.CREATE_STUDY, study_name: 's', directions: [1] }]);
  const id = await w.createTrial({ datetimeStart: optunaDatetime(new Date(0)), params: {}, userAttrs: {} });
  await w.append([finishOp(id, 'COMPLETE', 0.25)]);
  await w.close();
}

const replayFile = (path: string): ReturnType<typeof replayStudy> => replayStudy(readJournalFile(path).ops, path);

test('replays the journal real Optuna 3.1 wrote: 3 trials, one FAIL, params, values, intermediates, attrs', (t) => {
  const lines = readJournalFile(FIXTURE);
  t.is(lines.tail.kind, 'none');
  const s = replayStudy(lines.ops, FIXTURE);
  t.is(s.name, 'demo');
  t.is(s.direction, 'maximize');
  t.deepEqual(s.userAttrs, { baseline: 'proxy-b0' });
  t.deepEqual(s.trials.map((x) => x.state), ['COMPLETE', 'COMPLETE', 'FAIL']);
  t.deepEqual(s.trials.map((x) => x.value), [-1.6, 0.45859375, null]);
  t.deepEqual(s.trials[0]?.params, { alpha: 2, beta: 1.5, gamma: 1 });
  t.deepEqual([...(s.trials[1]?.intermediate ?? new Map()).entries()], [[0, 0.5], [1, 0.6]]);
  t.deepEqual(s.trials[2]?.userAttrs, { macs: 12345678 });
});

test('our storage writes the same line shapes as Optuna’s (keys per op code, one attribute per line)', async (t) => {
  const ours = tmp();
  const w = JournalFileStorage.create(ours);
  await w.append([{ op_code: OP.CREATE_STUDY, study_name: 'demo', directions: [2] }, { op_code: OP.SET_STUDY_USER_ATTR, study_id: 0, user_attr: { baseline: 'proxy-b0' } }]);
  const id = await w.createTrial({ datetimeStart: optunaDatetime(new Date()), params: {}, userAttrs: {} });
  await w.append([paramOp(id, 'alpha', 2, { low: 1, high: 2, step: 0.25 }), ...userAttrOps(id, { macs: 12345678 }), { op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: id, step: 0, intermediate_value: 0.5 }, finishOp(id, 'COMPLETE', 1)]);
  await w.close();
  const keysByOp = (path: string): Map<number, string> => {
    const m = new Map<number, string>();
    for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
      const o = JSON.parse(line) as Record<string, unknown>;
      m.set(o.op_code as number, Object.keys(o).sort().join(','));
    }
    return m;
  };
  const theirs = keysByOp(FIXTURE);
  for (const [op, keys] of keysByOp(ours)) t.is(keys, theirs.get(op) ?? '', `op ${String(op)}`);
  const text = readFileSync(ours, 'utf8');
  // Floats stay floats for Python: 2 → 2.0, value 1 → [1.0]; the distribution is a JSON string as Optuna writes it.
  t.regex(text, /"param_value_internal":2\.0/);
  t.regex(text, /"values":\[1\.0\]/);
  t.regex(text, /"distribution":"\{\\"name\\":\\"FloatDistribution\\",\\"attributes\\":\{\\"step\\":0\.25,\\"low\\":1,\\"high\\":2,\\"log\\":false\}\}"/);
  t.regex(text, /"datetime_start":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"/);
  const s = replayFile(ours);
  t.is(s.trials[0]?.value, 1);
  t.is(s.trials[0]?.state, 'COMPLETE');
});

test('a trial created whole: parameters (as floats), distributions and attributes in its one CREATE_TRIAL line', async (t) => {
  const path = tmp();
  const w = JournalFileStorage.create(path);
  await w.append([{ op_code: OP.CREATE_STUDY, study_name: 's', directions: [2] }]);
  const id = await w.createTrial({ datetimeStart: '2026-12-01T00:00:00.000000', params: { alpha: floatParam(2, { low: 1, high: 2, step: 0.25 }), beta: floatParam(1.25, { low: 1, high: 1.5, step: 0.25 }) }, userAttrs: { grid_id: 'a2.00-b1.25', macs: 12 } });
  await w.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  t.is(lines.length, 2, 'one line for the whole trial');
  t.regex(lines[1] ?? '', /"params":\{"alpha":2\.0,"beta":1\.25\}/);
  t.regex(lines[1] ?? '', /"user_attrs":\{"grid_id":"a2\.00-b1\.25","macs":12\}/);
  const s = replayFile(path);
  t.is(id, 0);
  t.deepEqual(s.trials[0]?.params, { alpha: 2, beta: 1.25 });
  t.deepEqual(s.trials[0]?.userAttrs, { grid_id: 'a2.00-b1.25', macs: 12 });
  t.regex(s.trials[0]?.distributions.alpha ?? '', /"FloatDistribution"/);
  const orphan = `${lines[0] ?? ''}\n{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":null,"params":{"alpha":1}}\n`;
  t.throws(() => replayStudy(parseJournalLines(Buffer.from(orphan), 'j').ops, 'j'), { message: /j:2: parameter 'alpha' of a new trial has no distribution/ });
});

test('a torn last line of ours is recognised; reading leaves it, opening for append saves it aside and cuts only it', async (t) => {
  const path = tmp();
  await smallJournal(path);
  const whole = readFileSync(path);
  const torn = '{"op_code":8,"worker_id":"scalelab-1234-5","trial_id":0,"user_';
  appendFileSync(path, torn);
  const lines = readJournalFile(path);
  t.is(lines.tail.kind, 'torn');
  t.is(lines.wholeBytes, whole.length);
  t.is(replayStudy(lines.ops, path).trials.length, 1);
  t.deepEqual(readFileSync(path), Buffer.concat([whole, Buffer.from(torn)]), 'reading changed nothing');
  const notes: string[] = [];
  const w = JournalFileStorage.openForAppend(path, lines, (m) => notes.push(m));
  await w.close();
  t.deepEqual(readFileSync(path), whole);
  const aside = readdirSync(join(path, '..')).filter((f) => f.startsWith('journal.log.torn-'));
  t.is(aside.length, 1);
  t.is(readFileSync(join(path, '..', aside[0] ?? '')).toString(), torn);
  t.regex(notes.join('\n'), /cut a torn last line .* saved it as/);
});

test('a valid last line without its newline is completed, not cut', async (t) => {
  const path = tmp();
  await smallJournal(path);
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, -1));
  const lines = readJournalFile(path);
  t.is(lines.tail.kind, 'unterminated');
  const w = JournalFileStorage.openForAppend(path, lines);
  await w.append([{ op_code: OP.SET_STUDY_USER_ATTR, study_id: 0, user_attr: { later: 1 } }]);
  await w.close();
  const after = readFileSync(path, 'utf8');
  t.true(after.startsWith(text), 'only appended');
  t.is(replayFile(path).trials[0]?.state, 'COMPLETE', 'the last op was kept');
  t.deepEqual(replayFile(path).userAttrs, { later: 1 });
});

test('a file that is not a journal, or a damaged last line, is an error naming the line, and is left as it is', (t) => {
  const binary = tmp();
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x00, 0xff, 0x10]);
  writeFileSync(binary, bytes);
  t.throws(() => readJournalFile(binary), { code: 'BAD_JOURNAL', message: /not a journal/ });
  t.deepEqual(readFileSync(binary), bytes);
  const foreign = tmp();
  const foreignText = '{"op_code":0,"worker_id":"scalelab-x","study_name":"s","directions":[2]}\n{"op_code": 4, "worker_id": "someone else", "stu';
  writeFileSync(foreign, foreignText);
  const partial = readJournalFile(foreign);
  t.is(partial.tail.kind, 'partial', 'another program’s torn line: readers skip it');
  t.throws(() => JournalFileStorage.openForAppend(foreign, partial), { code: 'BAD_JOURNAL', message: /cut-off start of an operation that ScaleLab did not write/ });
  t.is(readFileSync(foreign, 'utf8'), foreignText, 'writers never cut it');
  const damaged = tmp();
  writeFileSync(damaged, '{"op_code":0,"worker_id":"scalelab-x","study_name":"s","directions":[2]}\n{"op_code":4,"worker_id":"scalelab-x","study_id":0}}garbage');
  t.throws(() => readJournalFile(damaged), { message: /journal\.log:2: the last line is neither a whole journal operation nor the cut-off start of one ScaleLab wrote/ });
  const corrupt = `{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}\n{not json\n{"op_code":2,"worker_id":"w","study_id":0,"user_attr":{"a":1}}\n`;
  t.throws(() => parseJournalLines(Buffer.from(corrupt), 'j.log'), { message: /j\.log:2: not a JSON line/ });
});

test('unknown op codes and states, and ops with missing or wrong fields, are errors naming the line', (t) => {
  const study = '{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}';
  const check = (line: string, message: RegExp): void => {
    t.throws(() => parseJournalLines(Buffer.from(`${study}\n${line}\n`), 'j.log'), { code: 'BAD_JOURNAL', message }, line);
  };
  check('{"op_code":11,"worker_id":"w"}', /j\.log:2: .*op_code must be one of 0–9/);
  check('{"op_code":6,"worker_id":"w","trial_id":0,"state":7,"values":null}', /j\.log:2: .*state is not a trial state/);
  check('{"op_code":5,"worker_id":"w","trial_id":0,"param_name":"a"}', /j\.log:2: .*param_value_internal/);
  check('{"op_code":8,"worker_id":"w","trial_id":0,"user_attr":{"a":1,"b":2}}', /exactly one attribute/);
  check('[1,2]', /j\.log:2: not a valid journal operation/);
});

test('replay rejects what one writer never writes: a second study, unknown trials, a parameter set twice, updates after the end', (t) => {
  const ops = (...xs: object[]): readonly LoggedOp[] => parseJournalLines(Buffer.from(`${xs.map((x) => JSON.stringify({ worker_id: 'w', ...x })).join('\n')}\n`), 'j.log').ops;
  const study = { op_code: 0, study_name: 's', directions: [2] };
  const trial = { op_code: 4, study_id: 0, datetime_start: null };
  const alpha = { op_code: 5, trial_id: 0, param_name: 'alpha', param_value_internal: 1, distribution: '{}' };
  const done = { op_code: 6, trial_id: 0, state: 1, values: [0.5], datetime_complete: '2026-01-01T00:00:00.000000' };
  t.throws(() => replayStudy(ops(study, study), 'j.log'), { message: /j\.log:2: a second CREATE_STUDY/ });
  t.throws(() => replayStudy(ops(study, { ...alpha, trial_id: 3 }), 'j.log'), { message: /j\.log:2: an operation for trial 3, which the journal never created/ });
  t.throws(() => replayStudy(ops(study, trial, alpha, alpha), 'j.log'), { message: /j\.log:4: parameter 'alpha' of trial 0 is set a second time/ });
  t.throws(() => replayStudy(ops(study, trial, done, { op_code: 8, trial_id: 0, user_attr: { late: 1 } }), 'j.log'), { message: /j\.log:4: trial 0 is updated after it finished \(line 3\)/ });
  t.throws(() => replayStudy(ops(study, trial, done, done), 'j.log'), { message: /j\.log:4: trial 0 is updated after it finished/ });
  t.throws(() => replayStudy(ops(study, { ...trial, study_id: 1 }), 'j.log'), { message: /study 1; a ScaleLab journal holds one study/ });
  t.throws(() => replayStudy(ops(alpha), 'j.log'), { message: /before the study was created/ });
  const proto = `${JSON.stringify({ worker_id: 'w', ...study })}\n{"op_code":2,"worker_id":"w","study_id":0,"user_attr":{"__proto__":{"polluted":1}}}\n`;
  t.throws(() => replayStudy(parseJournalLines(Buffer.from(proto), 'j.log').ops, 'j.log'), { code: 'BAD_JOURNAL' });
  t.is(({} as { polluted?: number }).polluted, undefined);
  const s = replayStudy(ops(study, trial, alpha, done), 'j.log');
  t.is(s.trials[0]?.value, 0.5);
});

test('a new journal never overwrites an existing one', async (t) => {
  const path = tmp();
  await JournalFileStorage.create(path).close();
  t.throws(() => JournalFileStorage.create(path), { code: 'EEXIST' });
  t.true(existsSync(path));
});
