import { mkdir } from 'node:fs/promises';
import { withClasses } from '@scalelab/arch';
import { analyzeSpec } from '@scalelab/analyzer';
import { numberFlag, oneModel, parseFlags, stringFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { MODEL_OVERRIDE_FLAGS, applyOverrides, modelOverrides } from '../model-overrides.js';
import { resolveModel } from '../model-source.js';
import { clock, progressLine } from '../progress.js';

export const TRAIN_HELP = `Usage: scalelab train <model|arch-file> [options]

Train a model on a dataset with TF.js and report test accuracy, loss, per-epoch history and speed.

Options:
  --dataset D      mnist (built in, default) | synthetic | folder:<path> | cifar10:<path>
  --epochs E       passes over the training set (default 16)
  --steps N        a number of training steps instead of epochs
  --batch B        batch size (default 128)
  --resolution R   input resolution in pixels (default: the model's); images are resized to it
  --width W        width multiplier (default 1)
  --depth D        depth multiplier (default 1)
  --classes K      classes (synthetic data: how many to make; other datasets: must match the data)
  --seed S         seed of every random choice: init, shuffling, dropout (default 0)
  --backend B      tensorflow | wasm | cpu (default: the best that loads, in that order)
  --optimizer O    momentum (default, 0.9) | adam | sgd | rmsprop
  --lr L           peak learning rate, warm-up then cosine (default: momentum/sgd 0.05, adam 3e-3, rmsprop 1e-3)
  --bn-momentum M  batch-norm momentum (default 0.9, for short runs)
  --drop-connect R drop-connect rate on residual branches (Keras: 0.2; default 0)
  --label-smoothing S  label smoothing of the training loss (default 0.1)
  --weight-decay W     L2 weight decay on conv and dense kernels (default 5e-4)
  --ema E          evaluate an exponential moving average of the weights with decay E (default 0: none)
  --augment A      shift (random translations up to 1/16 of the image) | none (default shift)
  --latency        also measure inference latency (median ms/image at batch 1 and 32)
  --save DIR       write the trained model to DIR as TF.js files (model.json + weights.bin, softmax output):
                   tf.loadLayersModel and \`scalelab analyze DIR/model.json\` read them
  --json           machine-readable result on stdout (progress stays on stderr)
  -h, --help       this help

The defaults (16 epochs of momentum SGD, label smoothing, weight decay, random shifts) are a recipe measured on
proxy-b0 + MNIST. The model's input channels and classes follow the dataset. Same seed and backend, same result.
On wasm (a 4 GiB heap) a run whose memory estimate does not fit is refused before it starts, naming the batch
that would fit.

Examples:
  scalelab train proxy-b0 --dataset mnist --save models/proxy-b0
  scalelab train efficientnet-b0 --width 0.25 --depth 0.5 --resolution 64 --dataset folder:./pets --epochs 5 --json`;

export async function trainCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, {
    dataset: { type: 'string' },
    epochs: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    ...MODEL_OVERRIDE_FLAGS,
    classes: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    optimizer: { type: 'string' },
    lr: { type: 'string' },
    'bn-momentum': { type: 'string' },
    'drop-connect': { type: 'string' },
    'label-smoothing': { type: 'string' },
    'weight-decay': { type: 'string' },
    augment: { type: 'string' },
    ema: { type: 'string' },
    latency: { type: 'boolean' },
    save: { type: 'string' },
    json: { type: 'boolean' },
  }, 'train');
  if (p.values.help === true) return TRAIN_HELP;
  const source = resolveModel(oneModel(p, 'train'));
  if (source.kind !== 'spec') throw new UsageError('train needs a zoo model or an arch file, not a model file');
  const epochs = numberFlag(p, 'epochs', { integer: true, positive: true });
  const steps = numberFlag(p, 'steps', { integer: true, positive: true });
  if (epochs !== undefined && steps !== undefined) throw new UsageError('give either --epochs or --steps, not both');
  const batchSize = numberFlag(p, 'batch', { integer: true, positive: true });
  const overrides = modelOverrides(p);
  const classes = numberFlag(p, 'classes', { integer: true, min: 2 });
  const seed = numberFlag(p, 'seed', { integer: true, min: 0 }) ?? 0;
  const learningRate = numberFlag(p, 'lr', { positive: true });
  const bnMomentum = numberFlag(p, 'bn-momentum', { min: 0 });
  const dropConnect = numberFlag(p, 'drop-connect', { min: 0 });
  const labelSmoothing = numberFlag(p, 'label-smoothing', { min: 0 });
  if (labelSmoothing !== undefined && labelSmoothing >= 1) throw new UsageError(`--label-smoothing must be below 1, got ${labelSmoothing}`);
  const weightDecay = numberFlag(p, 'weight-decay', { min: 0 });
  const ema = numberFlag(p, 'ema', { min: 0 });
  if (ema !== undefined && ema >= 1) throw new UsageError(`--ema must be below 1, got ${ema}`);
  const augment = stringFlag(p, 'augment');
  if (augment !== undefined && augment !== 'shift' && augment !== 'none') throw new UsageError(`--augment must be shift or none, got '${augment}'`);
  const datasetName = stringFlag(p, 'dataset') ?? 'mnist';
  const backendName = stringFlag(p, 'backend');
  const optimizerName = stringFlag(p, 'optimizer');
  const saveDir = stringFlag(p, 'save');
  if (saveDir === '') throw new UsageError('--save needs a folder');

  const engine = await import('@scalelab/engine');
  if (backendName !== undefined && !engine.isBackendName(backendName)) throw new UsageError(`--backend must be one of ${engine.BACKENDS.join(', ')}, got '${backendName}'`);
  if (optimizerName !== undefined && !(engine.OPTIMIZERS as readonly string[]).includes(optimizerName)) throw new UsageError(`--optimizer must be one of ${engine.OPTIMIZERS.join(', ')}, got '${optimizerName}'`);
  engine.validateDatasetName(datasetName);

  // The folder first: a path that cannot be a folder fails now (one line), not after the training.
  if (saveDir !== undefined) await mkdir(saveDir, { recursive: true });
  const { spec } = applyOverrides(source.spec, overrides);
  const backend = await engine.useBackend(backendName as Parameters<typeof engine.useBackend>[0]);
  // Refuse a run that cannot fit before loading any data (the engine checks again with the data's channels).
  if (backend === 'wasm') {
    engine.assertFitsWasmHeap(classes === undefined ? spec : withClasses(spec, classes), {
      batchSize: batchSize ?? engine.TRAINING_DEFAULTS.batchSize,
      ...(optimizerName === undefined ? {} : { optimizer: optimizerName as (typeof engine.OPTIMIZERS)[number] }),
      ema: (ema ?? 0) > 0,
    });
  }
  const data = engine.loadDataset(datasetName, spec.input.resolution, { seed, ...(classes === undefined ? {} : { classes }) });
  if (classes !== undefined && classes !== data.classes) throw new UsageError(`--classes ${classes} does not match dataset '${datasetName}', which has ${data.classes} classes`);
  const fitted = withClasses({ ...spec, input: { ...spec.input, channels: data.channels } }, data.classes);
  const cost = analyzeSpec(fitted);

  const progress = progressLine();
  progress.log(`training ${spec.name} (${cost.params.total.toLocaleString('en-US')} params, ${(cost.macs / 1e6).toFixed(1)}M MACs) on ${data.name} (${data.train.count} train / ${data.test.count} test, ${data.size} px) with ${backend}`);
  const result = engine.trainSpec(fitted, data, {
    ...(epochs === undefined ? {} : { epochs }),
    ...(steps === undefined ? {} : { steps }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(learningRate === undefined ? {} : { learningRate }),
    ...(bnMomentum === undefined ? {} : { bnMomentum }),
    ...(dropConnect === undefined ? {} : { dropConnect }),
    ...(labelSmoothing === undefined ? {} : { labelSmoothing }),
    ...(weightDecay === undefined ? {} : { weightDecay }),
    ...(augment === undefined ? {} : { augment }),
    ...(ema === undefined ? {} : { ema }),
    ...(optimizerName === undefined ? {} : { optimizer: optimizerName as (typeof engine.OPTIMIZERS)[number] }),
    seed,
    latency: p.values.latency === true,
    keepModel: saveDir !== undefined,
    onProgress: (s) => {
      const eta = s.step > 0 ? ((s.totalSteps - s.step) * s.elapsedSeconds) / s.step : Number.NaN;
      progress.update(`epoch ${s.epoch}  step ${s.step}/${s.totalSteps}  loss ${s.loss.toFixed(4)}  ${s.imagesPerSecond.toFixed(0)} img/s  ${s.phase === 'eval' ? 'evaluating…' : `ETA ${clock(eta)}`}`);
    },
  });
  for (const h of result.history) {
    progress.log(`epoch ${h.epoch}: train loss ${h.trainLoss.toFixed(4)} acc ${(100 * h.trainAccuracy).toFixed(2)}%  test loss ${h.testLoss.toFixed(4)} acc ${(100 * h.testAccuracy).toFixed(2)}%  (${h.seconds.toFixed(1)} s)`);
  }
  progress.done();
  let savedTo: string | undefined;
  if (result.model !== undefined && saveDir !== undefined) {
    try {
      savedTo = await engine.saveModelFiles(result.model, saveDir);
    } finally {
      result.model.dispose();
    }
  }
  const json = {
    model: spec.name,
    dataset: data.name,
    resolution: data.size,
    backend: result.backend,
    accuracy: result.accuracy,
    loss: result.loss,
    epochs: result.epochs,
    steps: result.steps,
    trainSeconds: result.trainSeconds,
    evalSeconds: result.evalSeconds,
    imagesPerSecond: result.imagesPerSecond,
    params: cost.params.total,
    macs: cost.macs,
    seed: result.seed,
    batchSize: result.batchSize,
    optimizer: result.optimizer,
    learningRate: result.learningRate,
    labelSmoothing: result.labelSmoothing,
    weightDecay: result.weightDecay,
    augment: result.augment,
    ema: result.ema,
    history: result.history,
    ...(result.latency === undefined ? {} : { latency: result.latency }),
    ...(savedTo === undefined ? {} : { saved: savedTo }),
  };
  if (p.values.json === true) return JSON.stringify(json, null, 2);
  return [
    `test accuracy ${(100 * result.accuracy).toFixed(2)}%  loss ${result.loss.toFixed(4)}`,
    `${result.steps} steps in ${result.epochs} epoch(s), ${result.trainSeconds.toFixed(1)} s training (${result.imagesPerSecond.toFixed(0)} images/s) + ${result.evalSeconds.toFixed(1)} s evaluation on ${result.backend}`,
    ...(result.latency === undefined ? [] : [`latency ${result.latency.batch1Ms.toFixed(2)} ms at batch 1, ${result.latency.batchMsPerImage.toFixed(3)} ms/image at batch ${result.latency.batchSize}`]),
    ...(savedTo === undefined ? [] : [`model saved to ${savedTo}`]),
  ].join('\n');
}
