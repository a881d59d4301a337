/**
 * A piscina worker: one TF.js instance per thread, trains one candidate per task. The dataset comes with the task
 * (`data`: loaded once by the main thread into shared memory, `shareDataset`, not copied into workers), or else is
 * loaded here once per (name, resolution, seed) and kept for the thread's life.
 */
import type { MessagePort } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NetworkSpec } from '@scalelab/arch';
import { loadDataset, saveModelFiles, tf, trainSpec, useBackend, wasmHeapBytes } from '@scalelab/engine';
import type { BackendName, Dataset, TrainResult } from '@scalelab/engine';
import { threadCpuSeconds } from './thread-cpu.js';

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
  /**
   * The dataset itself, at any resolution (batches are resized to the candidate's as they are gathered): pass one
   * `shareDataset(loadDataset(…))` to every task and workers hold no copy of their own. Absent: loaded here.
   */
  readonly data?: Dataset;
  /** Write the trained model into this folder (model.json + weights.bin, `saveModelFiles`); absent: not kept. */
  readonly saveTo?: string;
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
  /** Inference: median ms for one image at batch 1, and per image at batch 32 (null unless asked for). */
  readonly latencyMs: number | null;
  readonly latencyBatchMs: number | null;
  /** TF.js tensors alive in this thread after the trial (flat across trials when nothing leaks). */
  readonly numTensors: number;
  readonly rssBytes: number;
  /** This thread's memory after the trial: its wasm heap (the largest trial's peak), its JS heap, its array buffers. */
  readonly wasmHeapBytes: number;
  readonly jsHeapBytes: number;
  readonly arrayBufferBytes: number;
  /**
   * CPU seconds of this thread over the whole trial (set-up, training, evaluation, collection); null where the
   * kernel does not say, and on the `tensorflow` backend, whose ops run on TensorFlow's own threads.
   */
  readonly cpuSeconds: number | null;
  /** The saved model.json (with `saveTo`), else null. */
  readonly savedTo: string | null;
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
  const cpuAtStart = threadCpuSeconds();
  await useBackend(task.backend ?? undefined);
  const data = task.data ?? dataset(task.dataset, task.spec.input.resolution, task.datasetSeed);
  const r = trainSpec(task.spec, data, {
    resolution: task.spec.input.resolution,
    ...(task.steps === null ? { epochs: task.epochs ?? 1 } : { steps: task.steps }),
    batchSize: task.batchSize,
    ...(task.learningRate === null ? {} : { learningRate: task.learningRate }),
    augment: task.augment,
    seed: task.seed,
    latency: task.latency ? { batchSize: 32 } : false,
    onEpoch: (e) => task.progress?.postMessage({ epoch: e.epoch, accuracy: e.testAccuracy, loss: e.testLoss } satisfies EpochPoint),
    keepModel: task.saveTo !== undefined,
  });
  task.progress?.close();
  let savedTo: string | null = null;
  if (r.model !== undefined && task.saveTo !== undefined) {
    try {
      savedTo = await saveModelFiles(r.model, task.saveTo);
    } finally {
      r.model.dispose();
    }
  }
  collectGarbage();
  const memory = process.memoryUsage();
  const cpuAtEnd = threadCpuSeconds();
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
    latencyBatchMs: r.latency?.batchMsPerImage ?? null,
    numTensors: tf.memory().numTensors,
    rssBytes: memory.rss,
    wasmHeapBytes: wasmHeapBytes(),
    jsHeapBytes: memory.heapTotal,
    arrayBufferBytes: memory.arrayBuffers,
    cpuSeconds: cpuAtStart === null || cpuAtEnd === null || r.backend === 'tensorflow' ? null : cpuAtEnd - cpuAtStart,
    savedTo,
  };
}
