/**
 * A piscina worker: one TF.js instance per thread, trains one candidate per task. Datasets are loaded once per
 * (name, resolution) and kept for the thread's life.
 */
import type { MessagePort } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NetworkSpec } from '@scalelab/arch';
import { loadDataset, tf, trainSpec, useBackend } from '@scalelab/engine';
import type { BackendName, Dataset, TrainResult } from '@scalelab/engine';

export interface TrialTask {
  readonly spec: NetworkSpec;
  readonly dataset: string;
  /** Seed of the dataset (synthetic data, split) — the study's seed, the same for every trial. */
  readonly datasetSeed: number;
  readonly epochs: number | null;
  readonly steps: number | null;
  readonly batchSize: number;
  readonly learningRate: number | null;
  readonly augment: 'shift' | 'none';
  readonly seed: number;
  readonly backend: BackendName | null;
  readonly latency: boolean;
  /** Where each epoch's result is posted as soon as it is measured (transferred to the thread with the task). */
  readonly progress?: MessagePort;
}

/** One epoch's test result, posted to `progress` while the trial runs. */
export interface EpochPoint {
  readonly epoch: number;
  readonly accuracy: number;
  readonly loss: number;
}

/** What the journal keeps of the engine's result, plus the thread's memory after the trial. */
export interface TrialOutcome extends Pick<TrainResult, 'backend' | 'accuracy' | 'loss' | 'epochs' | 'steps' | 'trainSeconds' | 'evalSeconds' | 'imagesPerSecond'> {
  /** Test accuracy after each epoch. */
  readonly curve: readonly { readonly epoch: number; readonly step: number; readonly accuracy: number; readonly loss: number; readonly trainLoss: number }[];
  readonly latencyMs: number | null;
  /** TF.js tensors alive in this thread after the trial (flat across trials when nothing leaks). */
  readonly numTensors: number;
  readonly rssBytes: number;
}

/**
 * A full garbage collection between trials. A trial leaves hundreds of MB of dead JS objects (TF.js tensor
 * wrappers, typed arrays); V8 would grow the heap before collecting them, so RSS would creep up over a long study.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Datasets by (name, resolution, seed), the most recently used last; a few kept, so memory stays bounded. */
const datasets = new Map<string, Dataset>();
const KEPT_DATASETS = 2;

function dataset(name: string, resolution: number, seed: number): Dataset {
  const key = `${name}@${resolution}#${seed}`;
  let d = datasets.get(key);
  if (d === undefined) {
    d = loadDataset(name, resolution, { seed });
    if (datasets.size >= KEPT_DATASETS) datasets.delete(datasets.keys().next().value as string);
  } else {
    datasets.delete(key);
  }
  datasets.set(key, d);
  return d;
}

export default async function runTrial(task: TrialTask): Promise<TrialOutcome> {
  await useBackend(task.backend ?? undefined);
  const data = dataset(task.dataset, task.spec.input.resolution, task.datasetSeed);
  const r = trainSpec(task.spec, data, {
    ...(task.steps === null ? { epochs: task.epochs ?? 1 } : { steps: task.steps }),
    batchSize: task.batchSize,
    ...(task.learningRate === null ? {} : { learningRate: task.learningRate }),
    augment: task.augment,
    seed: task.seed,
    latency: task.latency ? { batchSize: 32 } : false,
    onEpoch: (e) => task.progress?.postMessage({ epoch: e.epoch, accuracy: e.testAccuracy, loss: e.testLoss } satisfies EpochPoint),
  });
  task.progress?.close();
  collectGarbage();
  return {
    backend: r.backend,
    accuracy: r.accuracy,
    loss: r.loss,
    epochs: r.epochs,
    steps: r.steps,
    trainSeconds: r.trainSeconds,
    evalSeconds: r.evalSeconds,
    imagesPerSecond: r.imagesPerSecond,
    curve: r.history.map((h) => ({ epoch: h.epoch, step: h.step, accuracy: h.testAccuracy, loss: h.testLoss, trainLoss: h.trainLoss })),
    latencyMs: r.latency?.batch1Ms ?? null,
    numTensors: tf.memory().numTensors,
    rssBytes: process.memoryUsage().rss,
  };
}
