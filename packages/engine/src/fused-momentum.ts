/**
 * TF.js' MomentumOptimizer (same state, weights and config) whose update, on wasm, is one kernel per variable
 * (kernels/momentum-step.ts) instead of four. Other backends run TF.js' own update.
 */
import { MOMENTUM_STEP } from './kernels/momentum-step.js';
import { tf } from './tf.js';

/** The fields of TF.js' MomentumOptimizer read here (public at runtime, private in its typings). */
interface MomentumInternals {
  momentum: number;
  useNesterov: boolean;
  accumulations: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type VariableGradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const self = this as unknown as MomentumInternals;
    if (tf.getBackend() !== 'wasm' || self.useNesterov) {
      super.applyGradients(variableGradients);
      return;
    }
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (value === undefined) return;
      // As TF.js: one zero-initialized, non-trainable accumulation per variable, by position.
      const slot = (self.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
      if (gradient === undefined) return;
      tf.tidy(() => {
        const [newValue, newAccumulation] = tf.engine().runKernel(MOMENTUM_STEP, { value, accumulation: slot.variable, gradient }, { learningRate: this.learningRate, momentum: self.momentum }) as [tf.Tensor, tf.Tensor];
        slot.variable.assign(newAccumulation);
        value.assign(newValue);
      });
    });
    this.incrementIterations();
  }
}
