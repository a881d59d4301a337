/**
 * The wasm backend's own kernels that ScaleLab's replace, remembered before they are unregistered, for the cases a
 * replacement hands back to them (e.g. Cast between different dtypes).
 */
import { tf } from '../tf.js';

const originals = new Map<string, tf.KernelFunc>();

/** Remember the backend's kernel `name` (once: a second call, after ScaleLab's replaced it, changes nothing). */
export function rememberBackendKernel(name: string): void {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel !== undefined && !originals.has(name)) originals.set(name, kernel.kernelFunc);
}

/** The backend's own kernel `name`, as it was before ScaleLab registered its replacement. */
export function backendKernel(name: string): tf.KernelFunc {
  const kernel = originals.get(name);
  if (kernel === undefined) throw new Error(`the wasm backend's own ${name} kernel was not remembered before it was replaced`);
  return kernel;
}
