/**
 * Budgeted training of a spec on a dataset: seeded (init, shuffling, dropout), leak-free (every tensor made here
 * is disposed), and reporting accuracy, loss, per-epoch history, train seconds and images/s.
 */
import { withClasses } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { buildModel } from './build.js';
import { gatherBatch } from './data/batch.js';
import type { Dataset, ImageSet } from './data/dataset.js';
import { EngineError } from './errors.js';
import { measureLatency } from './latency.js';
import { createOptimizer } from './optimizers.js';
import type { OptimizerName } from './optimizers.js';
import { assertFitsWasmHeap } from './memory-estimate.js';
import type { Latency, LatencyOptions } from './latency.js';
import { seededRandom, shuffledIndices } from './random.js';
import { tf } from './tf.js';
import { WeightAverage } from './weight-average.js';

export const SCHEDULES = ['cosine', 'constant'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface TrainOptions {
  /** Budget: whole passes over the training set (default 16), or a number of steps (takes precedence). */
  readonly epochs?: number;
  readonly steps?: number;
  readonly batchSize?: number;
  readonly optimizer?: OptimizerName;
  /**
   * Default optimizer: momentum SGD (0.9), which trained proxy-b0 on MNIST to 96–97% where Adam plateaued near
   * 89% at the same budget. Peak learning rate default: momentum/sgd 0.05 (batch 128), adam 3e-3, rmsprop 1e-3.
   */
  readonly learningRate?: number;
  /** Linear warm-up over the first `warmupSteps` (default 5% of the budget, at most 100), then this schedule. */
  readonly schedule?: ScheduleName;
  readonly warmupSteps?: number;
  /** BN momentum: 0.9 suits short runs (Keras' 0.99 needs thousands of steps for its moving averages). */
  readonly bnMomentum?: number;
  readonly dropConnect?: number;
  /** Label smoothing of the training loss (the reference uses 0.1); the test loss is never smoothed. */
  readonly labelSmoothing?: number;
  /**
   * L2 weight decay on conv and dense kernels (not BN, not biases): adds `weightDecay·w` to each kernel's gradient
   * (the gradient of (weightDecay/2)·‖w‖², so it goes through momentum as Keras' kernel_regularizer does). Added to
   * the gradients rather than to the loss: the same update in a third of the ops, and the reported loss stays the
   * data loss.
   */
  readonly weightDecay?: number;
  /** Decay of an exponential moving average of the weights, which is what gets evaluated (0: none). */
  readonly ema?: number;
  readonly seed?: number;
  /** Evaluate on the test set after every epoch (default) or only at the end. */
  readonly evaluateEachEpoch?: boolean;
  /**
   * Default: the training batch. Evaluation then allocates tensors of the sizes training freed, so it never grows
   * the wasm heap. Measured: B0 at 224 px trained at batch 2 (heap 744 MB) grew it to 1,039 MB evaluating at
   * batch 21, although 21 images need fewer bytes than 2 trained (the larger tensors need new contiguous space);
   * and before any bound, batch 200 overflowed the 4 GiB heap. The cost: proxy-b0 evaluates MNIST's 1,996 test
   * digits in 1.8 s at batch 32 against 1.2 s at 128 or 256.
   */
  readonly evalBatchSize?: number;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Each epoch's record as soon as it is evaluated (a search journals it while the trial still runs). */
  readonly onEpoch?: (e: EpochRecord) => void;
  /**
   * Training-time augmentation: `shift` (default) translates each image by up to ±resolution/16 pixels (zero fill,
   * seeded), done while gathering the batch so it costs no kernel time. It needs epochs to pay off: on proxy-b0 +
   * MNIST it cost accuracy at 8 epochs and gained ~0.5–1 point at 15–16.
   */
  readonly augment?: 'shift' | 'none';
  /**
   * Train at this resolution rather than the data's: batches are resized as they are gathered, so one stored
   * dataset (e.g. shared by search workers) serves every resolution. Default: the data's own.
   */
  readonly resolution?: number;
  /** Keep the trained model and return it (TrainResult.model, the caller disposes it); default: disposed. */
  readonly keepModel?: boolean;
  /** Also measure inference latency of the trained model (`true` for the defaults). */
  readonly latency?: boolean | LatencyOptions;
}

export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
  readonly elapsedSeconds: number;
  readonly phase: 'train' | 'eval';
}

export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface TrainResult {
  readonly backend: string;
  readonly accuracy: number;
  readonly loss: number;
  readonly epochs: number;
  readonly steps: number;
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly imagesPerSecond: number;
  readonly history: readonly EpochRecord[];
  readonly seed: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly labelSmoothing: number;
  readonly weightDecay: number;
  readonly augment: 'shift' | 'none';
  readonly ema: number;
  readonly latency?: Latency;
  /** The trained model, with `keepModel` (the caller disposes it): e.g. to `saveModelFiles`. */
  readonly model?: tf.LayersModel;
}

/**
 * The defaults of `trainSpec`, a recipe measured on proxy-b0 + MNIST (8,004 training digits, which the proxy
 * otherwise overfits): 16 epochs of momentum SGD with label smoothing 0.1 (the reference's), L2 weight decay
 * 5e-4 on kernels and random shifts. At seeds 0/1/2/3 that measured 97.7/97.5/97.9/97.6% where 10 plain epochs
 * gave 96.2–97.5% (15 epochs: 98.0/97.3/97.3%, 18: 97.8/98.0/97.9% but over 3 minutes on this machine).
 */
export const TRAINING_DEFAULTS = {
  epochs: 16,
  batchSize: 128,
  optimizer: 'momentum',
  labelSmoothing: 0.1,
  weightDecay: 5e-4,
  augment: 'shift',
  ema: 0,
  bnMomentum: 0.9,
} as const satisfies Partial<TrainOptions>;

const DEFAULT_LR: Record<OptimizerName, number> = { adam: 3e-3, momentum: 0.05, sgd: 0.05, rmsprop: 1e-3 };

/** Learning rate at `step` (0-based): linear warm-up, then constant or cosine decay to zero. */
export function learningRateAt(step: number, total: number, peak: number, warmup: number, schedule: ScheduleName): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (schedule === 'constant') return peak;
  const t = (step - warmup) / Math.max(1, total - warmup);
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

function validate(o: TrainOptions): void {
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new EngineError('BAD_TRAINING_OPTION', `${name} must be a whole number ≥ 1, got ${String(v)}`);
  };
  positiveInt('epochs', o.epochs);
  positiveInt('steps', o.steps);
  positiveInt('batch size', o.batchSize);
  positiveInt('resolution', o.resolution);
  if (o.learningRate !== undefined && !(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw new EngineError('BAD_TRAINING_OPTION', `learning rate must be a positive number, got ${String(o.learningRate)}`);
  if (o.labelSmoothing !== undefined && !(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) throw new EngineError('BAD_TRAINING_OPTION', `label smoothing must be in [0, 1), got ${String(o.labelSmoothing)}`);
  if (o.weightDecay !== undefined && !(o.weightDecay >= 0 && Number.isFinite(o.weightDecay))) throw new EngineError('BAD_TRAINING_OPTION', `weight decay must be a number ≥ 0, got ${String(o.weightDecay)}`);
  if (o.ema !== undefined && !(o.ema >= 0 && o.ema < 1)) throw new EngineError('BAD_TRAINING_OPTION', `EMA decay must be in [0, 1), got ${String(o.ema)}`);
  if (o.bnMomentum !== undefined && !(o.bnMomentum >= 0 && o.bnMomentum < 1)) throw new EngineError('BAD_TRAINING_OPTION', `BN momentum must be in [0, 1), got ${String(o.bnMomentum)}`);
}

/** Translate every image of a batch in place by a seeded offset in [−max, max]² pixels, filling with zeros. */
export function shiftBatch(x: Float32Array, count: number, size: number, channels: number, max: number, random: () => number): void {
  const pixels = size * size * channels;
  const row = size * channels;
  const copy = new Float32Array(pixels);
  for (let i = 0; i < count; i++) {
    const dy = Math.floor(random() * (2 * max + 1)) - max;
    const dx = Math.floor(random() * (2 * max + 1)) - max;
    if (dx === 0 && dy === 0) continue;
    const image = x.subarray(i * pixels, (i + 1) * pixels);
    copy.set(image);
    image.fill(0);
    for (let yy = Math.max(0, dy); yy < Math.min(size, size + dy); yy++) {
      const from = (yy - dy) * row + Math.max(0, -dx) * channels;
      const to = yy * row + Math.max(0, dx) * channels;
      image.set(copy.subarray(from, from + (size - Math.abs(dx)) * channels), to);
    }
  }
}

/** Mean softmax cross-entropy of `logits` against integer labels (stable, never clipped), and correct argmaxes. */
export function lossAndCorrect(logits: tf.Tensor, labels: tf.Tensor1D, classes: number, labelSmoothing = 0): { loss: tf.Scalar; correct: tf.Scalar } {
  const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits, undefined, labelSmoothing) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')) as tf.Scalar;
  return { loss, correct };
}

/**
 * One optimizer step on a batch (call inside tf.tidy): loss and gradients, weight decay added to the kernels'
 * gradients, update. Returns the batch's data loss and its count of correct predictions.
 */
export function trainingStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  classes: number,
  options: { labelSmoothing?: number; weightDecay?: number } = {},
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const { value, grads } = optimizer.computeGradients(() => {
    const r = lossAndCorrect(model.apply(x, { training: true }) as tf.Tensor, labels, classes, options.labelSmoothing ?? 0);
    correct = tf.keep(r.correct); // computeGradients disposes what the function makes, except the loss
    return r.loss;
  });
  const decay = options.weightDecay ?? 0;
  if (decay > 0) {
    for (const w of model.trainableWeights) {
      if (!/kernel$/.test(w.originalName)) continue;
      const variable = w.read() as tf.Variable;
      const g = grads[variable.name];
      if (g !== undefined) grads[variable.name] = tf.add(g, tf.mul(variable, decay));
    }
  }
  optimizer.applyGradients(grads);
  const kept = correct as tf.Scalar | undefined;
  if (kept === undefined) throw new Error('the loss function did not run');
  const tracked = kept.clone(); // owned by the caller's tidy, like the loss
  kept.dispose();
  return { loss: value, correct: tracked };
}

/** Test loss and accuracy of `model` at `size` px on `set`, whose images are `storedSize` px (resized per batch). */
export function evaluate(model: tf.LayersModel, set: ImageSet, size: number, channels: number, classes: number, batchSize = 256, storedSize = size): { accuracy: number; loss: number } {
  const layout = { storedSize, size, channels };
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(start + batchSize, set.count);
    const batch = gatherBatch(set, layout, order, start, end);
    const [l, c] = tf.tidy(() => {
      const p = model.apply(tf.tensor4d(batch.x, [end - start, size, size, channels]), { training: false }) as tf.Tensor;
      const r = lossAndCorrect(p, tf.tensor1d(batch.y, 'int32'), classes);
      return [r.loss.dataSync()[0] ?? Number.NaN, r.correct.dataSync()[0] ?? 0];
    });
    lossSum += (l as number) * (end - start);
    correct += c as number;
  }
  return { accuracy: correct / set.count, loss: lossSum / set.count };
}

/**
 * Train `spec` on `data` (the spec is adapted to the data: input channels, classes, and resolution unless
 * `options.resolution` is given). Throws an
 * EngineError('NON_FINITE_LOSS') when the loss becomes NaN or infinite.
 */
export function trainSpec(spec: NetworkSpec, data: Dataset, options: TrainOptions = {}): TrainResult {
  validate(options);
  const seed = options.seed ?? 0;
  const batchSize = Math.min(options.batchSize ?? TRAINING_DEFAULTS.batchSize, data.train.count);
  const optimizerName = options.optimizer ?? TRAINING_DEFAULTS.optimizer;
  const peakLr = options.learningRate ?? DEFAULT_LR[optimizerName];
  const stepsPerEpoch = Math.ceil(data.train.count / batchSize);
  const totalSteps = options.steps ?? (options.epochs ?? TRAINING_DEFAULTS.epochs) * stepsPerEpoch;
  const warmup = options.warmupSteps ?? Math.min(100, Math.floor(totalSteps * 0.05));
  const schedule = options.schedule ?? 'cosine';
  const size = options.resolution ?? data.size;
  const channels = data.channels;
  const layout = { storedSize: data.size, size, channels };
  const fitted: NetworkSpec = withClasses({ ...spec, input: { ...spec.input, resolution: size, channels } }, data.classes);

  const emaDecay = options.ema ?? TRAINING_DEFAULTS.ema;
  if (tf.getBackend() === 'wasm') assertFitsWasmHeap(fitted, { batchSize, optimizer: optimizerName, ema: emaDecay > 0 });
  const evalBatchSize = options.evalBatchSize ?? batchSize;

  const model = buildModel(fitted, { seed, bnMomentum: options.bnMomentum ?? TRAINING_DEFAULTS.bnMomentum, dropConnect: options.dropConnect ?? 0, outputLogits: true });
  const { optimizer, setLearningRate, dispose: disposeOptimizer } = createOptimizer(optimizerName, peakLr);
  const labelSmoothing = options.labelSmoothing ?? TRAINING_DEFAULTS.labelSmoothing;
  const weightDecay = options.weightDecay ?? TRAINING_DEFAULTS.weightDecay;
  const average = emaDecay > 0 ? new WeightAverage(model.weights, emaDecay) : undefined;
  const random = seededRandom(seed ^ 0x5eed);
  const augment = options.augment ?? TRAINING_DEFAULTS.augment;
  const shift = augment === 'shift' ? Math.max(1, Math.round(size / 16)) : 0;
  const history: EpochRecord[] = [];
  let trainSeconds = 0;
  let evalSeconds = 0;
  let step = 0;
  let epoch = 0;
  let lastLoss = Number.NaN;
  let imagesSeen = 0;
  let latency: Latency | undefined;
  let kept = false;
  try {
    while (step < totalSteps) {
      epoch++;
      const order = shuffledIndices(data.train.count, random);
      let epochLoss = 0;
      let epochCorrect = 0;
      let epochSeen = 0;
      const epochStart = performance.now();
      for (let start = 0; start < data.train.count && step < totalSteps; start += batchSize, step++) {
        const t0 = performance.now();
        const end = Math.min(start + batchSize, data.train.count);
        const batch = gatherBatch(data.train, layout, order, start, end);
        if (shift > 0) shiftBatch(batch.x, end - start, size, channels, shift, random);
        setLearningRate(learningRateAt(step, totalSteps, peakLr, warmup, schedule));
        const [loss, correct] = tf.tidy(() => {
          const x = tf.tensor4d(batch.x, [end - start, size, size, channels]);
          const r = trainingStep(model, optimizer, x, tf.tensor1d(batch.y, 'int32'), data.classes, { labelSmoothing, weightDecay });
          return [r.loss.dataSync()[0] ?? Number.NaN, r.correct.dataSync()[0] ?? 0];
        });
        average?.update();
        if (!Number.isFinite(loss)) throw new EngineError('NON_FINITE_LOSS', `training diverged: the loss became ${String(loss)} at step ${step + 1} (try a lower learning rate)`);
        lastLoss = loss as number;
        epochLoss += (loss as number) * (end - start);
        epochCorrect += correct as number;
        epochSeen += end - start;
        imagesSeen += end - start;
        trainSeconds += (performance.now() - t0) / 1000;
        options.onProgress?.({ step: step + 1, totalSteps, epoch, loss: lastLoss, imagesPerSecond: imagesSeen / trainSeconds, elapsedSeconds: trainSeconds + evalSeconds, phase: 'train' });
      }
      const lastEpoch = step >= totalSteps;
      if (options.evaluateEachEpoch !== false || lastEpoch) {
        options.onProgress?.({ step, totalSteps, epoch, loss: lastLoss, imagesPerSecond: imagesSeen / Math.max(trainSeconds, 1e-9), elapsedSeconds: trainSeconds + evalSeconds, phase: 'eval' });
        const t0 = performance.now();
        const run = (): ReturnType<typeof evaluate> => evaluate(model, data.test, size, channels, data.classes, evalBatchSize, data.size);
        const test = average === undefined ? run() : average.evaluateWith(run);
        evalSeconds += (performance.now() - t0) / 1000;
        const record: EpochRecord = { epoch, step, trainLoss: epochLoss / epochSeen, trainAccuracy: epochCorrect / epochSeen, testLoss: test.loss, testAccuracy: test.accuracy, seconds: (performance.now() - epochStart) / 1000 };
        history.push(record);
        options.onEpoch?.(record);
      }
    }
    if (options.latency !== undefined && options.latency !== false) {
      latency = measureLatency(model, size, channels, options.latency === true ? {} : options.latency);
    }
    // The kept model holds the weights that were evaluated: the average's, when there is one.
    if (options.keepModel === true) average?.commit();
    kept = options.keepModel === true;
  } finally {
    average?.dispose();
    disposeOptimizer();
    if (!kept) model.dispose();
  }
  const last = history[history.length - 1];
  return {
    backend: tf.getBackend(),
    accuracy: last?.testAccuracy ?? Number.NaN,
    loss: last?.testLoss ?? Number.NaN,
    epochs: epoch,
    steps: step,
    trainSeconds,
    evalSeconds,
    imagesPerSecond: imagesSeen / trainSeconds,
    history,
    seed,
    batchSize,
    optimizer: optimizerName,
    learningRate: peakLr,
    labelSmoothing,
    weightDecay,
    augment,
    ema: emaDecay,
    ...(latency === undefined ? {} : { latency }),
    ...(kept ? { model } : {}),
  };
}
