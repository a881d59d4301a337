/** The trial codec: what runOps writes is what trialView reads back, through a real journal file. */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalFileStorage, readJournalFile } from './storage/journal-file.js';
import { OP, optunaDatetime } from './storage/journal-ops.js';
import { replayStudy } from './storage/replay.js';
import { finishOp, runOps, trialView } from './trials.js';
import type { RunRecord } from './trials.js';

const run: RunRecord = { rung: 0, epochs: 1, steps: 40, value: 0.7, accuracy: 0.7, loss: 0.9, trainSeconds: 4.5, imagesPerSecond: 1100, backend: 'wasm', latencyMs: null, cpuSeconds: 5.25, curve: [{ epoch: 1, accuracy: 0.7, loss: 0.9 }] };

async function journalOf(runs: readonly RunRecord[]): Promise<ReturnType<typeof replayStudy>> {
  const path = join(mkdtempSync(join(tmpdir(), 'scalelab-trials-')), 'journal.log');
  const w = JournalFileStorage.create(path);
  await w.append([{ op_code: OP.CREATE_STUDY, study_name: 's', directions: [2] }]);
  for (const r of runs) {
    const id = await w.createTrial({ datetimeStart: optunaDatetime(new Date(0)), params: {}, userAttrs: { grid_id: `g${r.rung}` } });
    await w.append([...runOps(id, r, { record: true }), finishOp(id, 'COMPLETE', r.value)]);
  }
  await w.close();
  return replayStudy(readJournalFile(path).ops, path);
}

test('a run’s thread CPU seconds go to the journal as cpu_seconds and come back in the trial’s view; none written when unmeasured', async (t) => {
  const s = await journalOf([run, { ...run, rung: 1, cpuSeconds: null }]);
  const [measured, unmeasured] = s.trials;
  if (measured === undefined || unmeasured === undefined) return t.fail('two trials');
  t.is(measured.userAttrs.cpu_seconds, 5.25);
  t.is(trialView(measured).cpuSeconds, 5.25);
  // the run's whole record keeps it too, as the report reads runs
  t.is(trialView(measured).runs[0]?.cpuSeconds, 5.25);
  t.false('cpu_seconds' in unmeasured.userAttrs);
  t.is(trialView(unmeasured).cpuSeconds, null);
});
