/**
 * The one place TF.js is set up. Prod mode skips debug checks and silences TF.js' console banner about
 * tfjs-node, which would otherwise land in machine-readable output.
 */
import * as tf from '@tensorflow/tfjs';

tf.enableProdMode();

export { tf };
