/**
 * Will a training run fit in the wasm heap? A pure estimate from the analyzer's exact counts (no TF.js), so the
 * CLI can refuse a run before it loads anything and a search can price candidates with it.
 *
 * The heap holds weights, gradients and optimizer state (4 bytes per parameter each) and, per image in the batch,
 * the activations TF.js keeps for the backward pass plus the backward pass' own working set. The latter is a
 * measured multiple of the analyzer's activations (conv and dense output elements): TF.js saves several tensors
 * per conv output (BN input, the activation's input, SE products) and holds gradients while backward runs.
 */
import { analyzeSpec } from '@scalelab/analyzer';
import { expandNetwork } from '@scalelab/arch';
import type { Activation, NetworkSpec } from '@scalelab/arch';
import { EngineError } from './errors.js';
import type { OptimizerName } from './optimizers.js';
import { WASM_HEAP_LIMIT_BYTES } from './wasm-heap.js';

/**
 * Heap bytes per image while training, per analyzer activation, by the network's activation function (the largest
 * over its blocks). Measured as the growth of the wasm heap over two momentum-SGD steps (fresh process each),
 * divided by batch × activations × 4 bytes: swish — efficientnet-b0 224 px batch 2/8: 6.6/5.1, 128 px batch 8:
 * 6.1, w0.25 d0.5 64 px batch 32: 5.1, proxy-b0 32 px batch 128/256: 5.3/5.6; relu6 — mobilenetv2 128 px batch 8:
 * 7.6; relu — resnet50 128 px batch 4: 13.7, 224 px batch 2: 11.6. Swish and batch norm free what their gradients
 * read as soon as they have run (kernels/release-early.ts); ReLU's TF.js gradient keeps more.
 */
const TRAINING_BYTES_PER_ACTIVATION: Readonly<Record<Activation, number>> = { swish: 7.5 * 4, relu6: 8.5 * 4, relu: 15 * 4 };

/**
 * What the run may use of the heap: not all of it, because the allocator guard refuses requests that could wrap
 * the heap's break pointer once the heap is near 4 GiB (see wasm-heap.ts), and the heap fragments.
 */
export const TRAINING_HEAP_BUDGET_BYTES = Math.floor(0.9 * WASM_HEAP_LIMIT_BYTES);

/** Per-variable state slots of TF.js' optimizers (momentum: the velocity; Adam: m and v; RMSProp: ms and mom). */
const OPTIMIZER_SLOTS: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2, rmsprop: 2 };

export interface MemoryEstimate {
  readonly batchSize: number;
  /** Weights, their gradients, the weight-decay temporaries and an EMA copy when asked for. */
  readonly weightBytes: number;
  readonly optimizerBytes: number;
  readonly activationBytesPerImage: number;
  readonly totalBytes: number;
  readonly budgetBytes: number;
  readonly fits: boolean;
  /** The largest batch whose estimate fits the budget (0: not even one image). */
  readonly largestBatch: number;
}

export interface MemoryEstimateOptions {
  readonly batchSize: number;
  readonly optimizer?: OptimizerName;
  /** An exponential moving average of the weights is kept (one more copy). */
  readonly ema?: boolean;
}

/** The estimate for training `spec` (at its own resolution and channels) on the wasm backend. */
export function estimateTrainingMemory(spec: NetworkSpec, options: MemoryEstimateOptions): MemoryEstimate {
  const cost = analyzeSpec(spec);
  // weights + gradients + weight decay's two temporaries per kernel (bounded by all trainable weights) + EMA
  const weightBytes = 4 * (cost.params.total + 3 * cost.params.trainable + (options.ema === true ? cost.params.total : 0));
  const optimizerBytes = 4 * OPTIMIZER_SLOTS[options.optimizer ?? 'momentum'] * cost.params.trainable;
  const net = expandNetwork(spec);
  const perActivation = Math.max(TRAINING_BYTES_PER_ACTIVATION[net.activation], ...net.blocks.map((b) => TRAINING_BYTES_PER_ACTIVATION[b.activation]));
  const activationBytesPerImage = perActivation * cost.activations;
  const fixed = weightBytes + optimizerBytes;
  const totalBytes = fixed + options.batchSize * activationBytesPerImage;
  const largestBatch = Math.max(0, Math.floor((TRAINING_HEAP_BUDGET_BYTES - fixed) / activationBytesPerImage));
  return {
    batchSize: options.batchSize,
    weightBytes,
    optimizerBytes,
    activationBytesPerImage,
    totalBytes,
    budgetBytes: TRAINING_HEAP_BUDGET_BYTES,
    fits: totalBytes <= TRAINING_HEAP_BUDGET_BYTES,
    largestBatch,
  };
}

/**
 * Refuse, before anything is built, a run whose estimate does not fit: EngineError('DOES_NOT_FIT'), one line that
 * names the batch that would fit.
 */
export function assertFitsWasmHeap(spec: NetworkSpec, options: MemoryEstimateOptions): void {
  const e = estimateTrainingMemory(spec, options);
  if (e.fits) return;
  const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;
  const what = `${spec.name} at ${spec.input.resolution} px needs about ${gb(e.totalBytes)} of wasm heap to train at batch ${e.batchSize} (the wasm heap holds at most 4 GiB; ScaleLab plans for ${gb(e.budgetBytes)})`;
  const advice = e.largestBatch > 0 ? `batch ${e.largestBatch} would fit` : 'not even batch 1 fits: use a lower resolution or width';
  throw new EngineError('DOES_NOT_FIT', `${what}: ${advice}`);
}
