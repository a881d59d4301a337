/** The optimizers training offers, each with a learning rate that can change every step. */
import { FusedMomentumOptimizer } from './fused-momentum.js';
import { tf } from './tf.js';

export const OPTIMIZERS = ['adam', 'momentum', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** An optimizer whose learning rate can be changed every step. */
export interface ScheduledOptimizer {
  readonly optimizer: tf.Optimizer;
  setLearningRate(lr: number): void;
  dispose(): void;
}

/** `name` at learning rate `lr`; momentum is 0.9 (momentum and RMSProp), as the reference. */
export function createOptimizer(name: OptimizerName, lr: number): ScheduledOptimizer {
  switch (name) {
    case 'sgd':
    case 'momentum': {
      // SGD-family optimizers cache −lr in a scalar; only their own setLearningRate refreshes it.
      const o = name === 'sgd' ? tf.train.sgd(lr) : new FusedMomentumOptimizer(lr, 0.9);
      const dispose = (): void => {
        o.dispose();
        // TF.js 4.22: MomentumOptimizer.dispose() forgets the −lr scalar `c` it inherits from SGD (one leaked tensor).
        if (name === 'momentum') (o as unknown as { c: tf.Tensor }).c.dispose();
      };
      return { optimizer: o, setLearningRate: (value) => o.setLearningRate(value), dispose };
    }
    case 'adam':
    case 'rmsprop': {
      // These read their `learningRate` field on every step.
      const o = name === 'adam' ? tf.train.adam(lr) : tf.train.rmsprop(lr, 0.9, 0.9, 1e-3);
      return { optimizer: o, setLearningRate: (value) => void ((o as unknown as { learningRate: number }).learningRate = value), dispose: () => o.dispose() };
    }
  }
}
