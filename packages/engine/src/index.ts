export { buildModel } from './build.js';
export type { BuildOptions } from './build.js';
export { Normalization } from './layers/normalization.js';
export { loadModelTopology } from './topology.js';
export { EngineError } from './errors.js';
export type { EngineErrorCode } from './errors.js';
export { tf } from './tf.js';
