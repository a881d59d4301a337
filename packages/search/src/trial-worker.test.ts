/** The trial worker's task, run in this thread (a piscina pool only moves it to another). */
import test from 'ava';
import { withResolution, zooModel } from '@scalelab/arch';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, shareDataset, syntheticDataset, tf } from '@scalelab/engine';
import runTrial from './trial-worker.js';
import type { TrialTask } from './trial-worker.js';

const task: TrialTask = {
  spec: withResolution(zooModel('proxy-b0'), 32),
  dataset: 'mnist',
  datasetSeed: 0,
  epochs: null,
  steps: 2,
  batchSize: 64,
  learningRate: null,
  augment: 'none',
  seed: 1,
  backend: 'wasm',
  latency: false,
};

test.serial('a trial reports its thread’s CPU seconds: most of what the process clock counts, and no more', async (t) => {
  const before = process.cpuUsage();
  const out = await runTrial(task);
  const processSeconds = (() => {
    const u = process.cpuUsage(before);
    return (u.user + u.system) / 1e6;
  })();
  if (!existsSync('/proc/thread-self/schedstat')) return t.is(out.cpuSeconds, null);
  const thread = out.cpuSeconds ?? Number.NaN;
  // The trial ran in this thread; the process clock adds only V8's helper threads (GC, compilation).
  t.true(thread >= 0.5 * processSeconds, `thread ${thread.toFixed(3)} s, process ${processSeconds.toFixed(3)} s`);
  t.true(thread <= processSeconds + 0.01, `thread ${thread.toFixed(3)} s, process ${processSeconds.toFixed(3)} s`);
});

test.serial('a task carrying a shared dataset at its own resolution (MNIST, 28 px) trains as if the worker had loaded it at 32 px', async (t) => {
  const loadedHere = await runTrial(task);
  const shared = shareDataset(loadDataset('mnist', 28));
  const carried = await runTrial({ ...task, data: shared });
  t.is(carried.accuracy, loadedHere.accuracy);
  t.is(carried.loss, loadedHere.loss);
  t.deepEqual(carried.curve, loadedHere.curve);
  // and it is the carried data that trains: other data, another result, whatever `dataset` names
  const other = await runTrial({ ...task, data: shareDataset(syntheticDataset({ classes: 10, channels: 1, size: 28, seed: 5 })) });
  t.not(other.loss, loadedHere.loss);
});

test.serial('a task with saveTo writes the trained model there, and the thread keeps no tensor of it', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'scalelab-trial-save-')), 'best');
  const small = { ...task, dataset: 'synthetic', spec: withResolution(zooModel('proxy-b0'), 16), steps: 1 };
  await runTrial(small); // the thread's own tensors (dataset cache, backend) settle first
  const before = tf.memory().numTensors;
  const out = await runTrial({ ...small, saveTo: dir });
  t.is(out.savedTo, join(dir, 'model.json'));
  t.true(existsSync(join(dir, 'weights.bin')));
  t.is(tf.memory().numTensors, before);
  const unsaved = await runTrial(small);
  t.is(unsaved.savedTo, null);
});
