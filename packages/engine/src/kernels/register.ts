/**
 * The kernels ScaleLab adds to TF.js' wasm backend so that it can train, and train fast, registered as one list
 * (as `register_all_kernels.ts` does in TF.js); each file states its measured reason. Conv2DBackpropInput replaces
 * the backend's own direct loop, which measured 2.5–20× slower here than the matmul formulation. The batch-norm
 * pair and the moving averages serve `TrainingBatchNormalization` in training mode, the swish gradient
 * `TrainingActivation`, the spatial broadcast `TrainingGlobalAveragePooling2D`, the momentum step
 * `FusedMomentumOptimizer`. Identity and same-dtype Cast replace the backend's copying ones (identity.ts, cast.ts);
 * each replaced kernel is remembered first (backend-kernels.ts).
 */
import { tf } from '../tf.js';
import { rememberBackendKernel } from './backend-kernels.js';
import { batchNormTrainConfig, batchNormTrainGradConfig, batchNormTrainGradient } from './batch-norm-train.js';
import { castConfig } from './cast.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js';
import { identityConfig } from './identity.js';
import { momentumStepConfig } from './momentum-step.js';
import { movingAveragesConfig } from './moving-averages.js';
import { spatialBroadcastConfig } from './spatial-broadcast.js';
import { swishGradConfig } from './swish-grad.js';

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  identityConfig,
  castConfig,
  swishGradConfig,
  spatialBroadcastConfig,
  momentumStepConfig,
  movingAveragesConfig,
];

export const WASM_TRAINING_GRADIENTS: readonly tf.GradConfig[] = [batchNormTrainGradient];

let registered = false;

/** Idempotent; call before training on wasm. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of WASM_TRAINING_KERNELS) {
    rememberBackendKernel(config.kernelName);
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  for (const gradient of WASM_TRAINING_GRADIENTS) tf.registerGradient(gradient);
  registered = true;
}
