/**
 * The one place TF.js is set up. Prod mode skips debug checks and silences TF.js' console banner about
 * tfjs-node, which would otherwise land in machine-readable output. TF.js comes through ../tfjs/, which requires
 * it rather than importing it (0.6 s of CPU less in every thread that trains; see there).
 */
import tf from '../tfjs/index.mjs';

tf.enableProdMode();
// tfjs-layers caches the topologically sorted graph of the last 100 models it executed, and with it each whole
// (disposed) model: ~0.5 MB of JS heap per trained candidate over a long search. Our models are used once.
tf.env().set('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES', 2);

/** TF.js as ScaleLab configures it (one instance for every package, so backends and kernels are registered once). */
export { tf };
