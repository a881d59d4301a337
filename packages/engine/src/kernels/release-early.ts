/**
 * Free, inside a gradient function, the tensors only that gradient reads: the gradient flowing into the node (dy)
 * and the tensors the tape saved for it. TF.js keeps both until the whole backward pass ends (tfjs-core's
 * backpropagateGradients disposes nothing; the saved tensors go with the tape), so a training step's heap grew
 * through the backward pass: proxy-b0 at 38 px, depth 1.4, batch 128 held 189 MB of tensors when backward began and
 * 364 MB at its end (tf.memory() sampled at every kernel). Safe because each dy is read by its producing node only,
 * and each node's saved tensors are its own clones (memory shared by reference count, freed with the last holder);
 * the tape's own dispose at the end is then a no-op.
 */
import { tf } from '../tf.js';

export function releaseEarly(...tensors: readonly (tf.Tensor | null | undefined)[]): void {
  for (const t of tensors) if (t !== null && t !== undefined && !t.isDisposed) t.dispose();
}
