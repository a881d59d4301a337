/** The trial worker's task, run in this thread (a piscina pool only moves it to another). */
import test from 'ava';
import { withResolution, zooModel } from '@scalelab/arch';
import { loadDataset, shareDataset, syntheticDataset } from '@scalelab/engine';
import runTrial from './trial-worker.js';
import type { TrialTask } from './trial-worker.js';

const task: TrialTask = {
  spec: withResolution(zooModel('proxy-b0'), 32),
  dataset: 'mnist',
  datasetSeed: 0,
  epochs: null,
  steps: 2,
  batchSize: 16,
  learningRate: null,
  augment: 'none',
  seed: 1,
  backend: 'wasm',
  latency: false,
};

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
