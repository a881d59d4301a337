/**
 * A journal is untrusted input. Mutated journals — bit flips, truncation at every offset, duplicated, deleted,
 * reordered and foreign lines — go through replay, resume (with a stand-in executor, so it runs in milliseconds)
 * and the report's data. Whatever happens, two things hold: anything thrown is a ScaleLab error (never a
 * TypeError from deep inside), and the journal's bytes only ever change by an append — except a torn ScaleLab line,
 * which is cut only after it is saved beside the journal.
 */
import test from 'ava';
import * as fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaleLabError, zooModel } from '@scalelab/arch';
import { reportFigures, reportTables, loadReportData } from '@scalelab/report';
import { JOURNAL_FILE, JournalFileStorage, Study, datasetInfo, parseConfigInput, parseJournalLines, planStudy, readJournalFile, readStudy, replayStudy, resolveConfig } from '@scalelab/search';
import type { TrialExecutor, TrialOutcome, TrialTask } from '@scalelab/search';

/** Trains nothing: an outcome from the candidate's size, and one failure (the widest candidate's first try). */
function standInExecutor(): TrialExecutor {
  const tried = new Set<string>();
  return {
    workers: 1,
    async run(task: TrialTask): Promise<TrialOutcome> {
      const key = `${task.spec.width}-${task.spec.depth}-${task.spec.input.resolution}`;
      if (task.spec.width > 1.4 && !tried.has(key)) {
        tried.add(key);
        throw new Error('stand-in failure');
      }
      const accuracy = 0.5 + 0.1 * task.spec.depth + 0.01 * task.spec.input.resolution / 16;
      return { backend: 'stand-in', accuracy, loss: 1 - accuracy, epochs: 1, steps: task.steps ?? 1, trainSeconds: 0.01, evalSeconds: 0, imagesPerSecond: 1, curve: [{ epoch: 0, step: 1, accuracy, loss: 1 - accuracy, trainLoss: 1 }], latencyMs: null, latencyBatchMs: null, numTensors: 0, rssBytes: 0, wasmHeapBytes: 0, jsHeapBytes: 0, arrayBufferBytes: 0, cpuSeconds: null, savedTo: null };
    },
    async close(): Promise<void> {},
  };
}

// In memory where the machine has a tmpfs: thousands of journals are written and flushed (fdatasync) here.
const ROOT = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'scalelab-fuzz-'));
test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => mkdtempSync(join(ROOT, `case-${counter++}-`));

async function makeStudy(space: Record<string, unknown>): Promise<string> {
  const config = resolveConfig([parseConfigInput({ name: 'fuzz', dataset: 'synthetic', resolution: 16, space, budget: { steps: 2 }, workers: 1, retries: 1 }, 'test')]);
  const spec = zooModel('proxy-b0');
  const dir = freshDir();
  const study = await Study.create(planStudy(config, spec, datasetInfo(config, spec), dir));
  await study.run({ executor: standInExecutor() });
  await study.close();
  return dir;
}

/** The invariant: after any operation, the journal is its old bytes plus an append — or a torn tail cut and saved. */
function onlyAppended(before: Buffer, dir: string): string | null {
  const after = readFileSync(join(dir, JOURNAL_FILE));
  if (after.length >= before.length && after.subarray(0, before.length).equals(before)) return null;
  const aside = readdirSync(dir).filter((f) => f.startsWith(`${JOURNAL_FILE}.torn-`));
  if (aside.length === 1) {
    const cut = readFileSync(join(dir, aside[0] ?? ''));
    const kept = before.length - cut.length;
    if (kept >= 0 && before.subarray(kept).equals(cut) && after.subarray(0, kept).equals(before.subarray(0, kept))) return null;
  }
  return `journal changed other than by append (${before.length} → ${after.length} bytes)`;
}

const isScaleLabError = (e: unknown): boolean => e instanceof ScaleLabError;

/** Read, report and resume one journal; returns what went wrong, or null. */
async function exercise(bytes: Buffer): Promise<string | null> {
  const dir = freshDir();
  writeFileSync(join(dir, JOURNAL_FILE), bytes);
  for (const [what, step] of [
    ['read', (): unknown => readStudy(dir)],
    ['report', (): unknown => {
      const d = loadReportData(dir);
      return [reportFigures(d), reportTables(d)];
    }],
  ] as const) {
    try {
      step();
    } catch (e) {
      if (!isScaleLabError(e)) return `${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
    if (!readFileSync(join(dir, JOURNAL_FILE)).equals(bytes)) return `${what} changed the journal`;
  }
  try {
    const study = await Study.resume(dir);
    try {
      await study.run({ executor: standInExecutor() });
      await study.summarize();
    } finally {
      await study.close();
    }
  } catch (e) {
    if (!isScaleLabError(e)) return `resume: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (existsSync(join(dir, 'study.lock'))) return 'resume left its lock behind';
  return onlyAppended(bytes, dir);
}

const lines = (b: Buffer): string[] => b.toString('utf8').split('\n').slice(0, -1);
const joinLines = (ls: readonly string[]): Buffer => Buffer.from(ls.map((l) => `${l}\n`).join(''), 'utf8');

const FOREIGN = [
  '{"op_code": 4, "worker_id": "optuna-1", "study_id": 1, "datetime_start": "2026-01-01T00:00:00"}',
  '{"op_code":11,"worker_id":"x"}',
  '{"op_code":6,"worker_id":"x","trial_id":0,"state":9,"values":null}',
  '{"op_code":8,"worker_id":"x","trial_id":99,"user_attr":{"a":1}}',
  '{"op_code":0,"worker_id":"x","study_name":"other","directions":[1]}',
  '{"op_code":2,"worker_id":"x","study_id":0,"user_attr":{"scalelab_config":{"name":"fuzz"}}}',
  '{"op_code":2,"worker_id":"x","study_id":0,"user_attr":{"baseline_spec":{"name":"x","stages":7}}}',
  '{"op_code":8,"worker_id":"x","trial_id":0,"user_attr":{"__proto__":{"x":1}}}',
  'not json at all',
  '\u0000\u0001\u0002',
];

test('mutated journals: only ScaleLab errors, and bytes change only by append (fast-check)', async (t) => {
  const original = readFileSync(join(await makeStudy({ step: 0.25, tolerance: 0.3 }), JOURNAL_FILE));
  const ls = lines(original);
  const n = ls.length;
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(original.length) }),
    fc.record({ kind: fc.constant('duplicate' as const), i: fc.nat(n - 1) }),
    fc.record({ kind: fc.constant('delete' as const), i: fc.nat(n - 1) }),
    fc.record({ kind: fc.constant('swap' as const), i: fc.nat(n - 1), j: fc.nat(n - 1) }),
    fc.record({ kind: fc.constant('foreign' as const), i: fc.nat(n), line: fc.oneof(fc.constantFrom(...FOREIGN), fc.jsonValue().map((v) => JSON.stringify(v))) }),
    fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(original.length), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
  const apply = (b: Buffer, m: Mutation): Buffer => {
    const cur = lines(b);
    switch (m.kind) {
      case 'flip': {
        const c = Buffer.from(b);
        if (m.at < c.length) c[m.at] = (c[m.at] ?? 0) ^ (1 << m.bit);
        return c;
      }
      case 'truncate':
        return b.subarray(0, Math.min(m.at, b.length));
      case 'duplicate':
        return joinLines([...cur.slice(0, m.i + 1), cur[m.i] ?? '', ...cur.slice(m.i + 1)]);
      case 'delete':
        return joinLines(cur.filter((_, k) => k !== m.i));
      case 'swap': {
        const c = [...cur];
        [c[m.i], c[m.j]] = [c[m.j] ?? '', c[m.i] ?? ''];
        return joinLines(c);
      }
      case 'foreign':
        return joinLines([...cur.slice(0, m.i), m.line, ...cur.slice(m.i)]);
      case 'bytes':
        return Buffer.concat([b.subarray(0, m.at), Buffer.from(m.bytes), b.subarray(m.at)]);
    }
  };
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
      const bytes = ms.reduce(apply, original);
      const problem = await exercise(bytes);
      if (problem !== null) throw new Error(`${problem}\nmutations: ${JSON.stringify(ms)}`);
      runs++;
    }),
    { numRuns: 120, seed: 20261201 },
  );
  t.is(runs, 120);
  // The untouched journal itself resumes cleanly and changes only by append.
  t.is(await exercise(original), null);
});

test('truncated at every offset: reading never throws anything but a ScaleLab error; opening for append changes bytes only by the torn-line rule', async (t) => {
  const dir = await makeStudy({ alpha: '1:1.5', beta: '1:1', gamma: '1:1.5', step: 0.5, tolerance: 0.6 });
  const original = readFileSync(join(dir, JOURNAL_FILE));
  t.true(replayStudy(readJournalFile(join(dir, JOURNAL_FILE)).ops, 'j').trials.length >= 2, 'a journal with trials');
  const file = join(freshDir(), JOURNAL_FILE);
  let cut = 0;
  let refused = 0;
  for (let at = 0; at <= original.length; at++) {
    const bytes = original.subarray(0, at);
    let parsed: ReturnType<typeof parseJournalLines> | null = null;
    try {
      parsed = parseJournalLines(bytes, 'j');
      replayStudy(parsed.ops, 'j');
    } catch (e) {
      if (!isScaleLabError(e)) t.fail(`offset ${at}: ${String(e)}`);
      // As Study.resume: nothing is repaired in a journal that does not replay.
      parsed = null;
      refused++;
    }
    if (parsed === null) continue;
    writeFileSync(file, bytes);
    try {
      await JournalFileStorage.openForAppend(file, parsed).close();
    } catch (e) {
      if (!isScaleLabError(e)) t.fail(`offset ${at}: ${String(e)}`);
    }
    const after = readFileSync(file);
    if (parsed.tail.kind === 'torn') {
      cut++;
      if (!after.equals(bytes.subarray(0, parsed.wholeBytes))) t.fail(`offset ${at}: the cut kept other bytes than the whole lines`);
    } else if (!after.subarray(0, bytes.length).equals(bytes)) {
      t.fail(`offset ${at}: changed other than by append`);
    }
    for (const f of readdirSync(join(file, '..'))) if (f.includes('.torn-')) unlinkSync(join(file, '..', f));
  }
  // Every offset inside a line (not at a line end) is a torn ScaleLab line: nearly all offsets were cut cleanly.
  t.true(cut > original.length * 0.9, `${cut} torn cuts of ${original.length} offsets`);
  t.true(refused > 0, 'offsets before the study is complete are refused');
});
