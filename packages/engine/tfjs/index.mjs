// TF.js, required rather than imported: an ES-module import of its CommonJS bundles has Node scan their source for
// export names (cjs-module-lexer), ~0.6 s of CPU in every thread that trains. Node's require cache makes this the
// instance any other `import '@tensorflow/tfjs'` gets. Types: index.d.mts (TF.js' own, as a namespace).
import { createRequire } from 'node:module';

export default createRequire(import.meta.url)('@tensorflow/tfjs');
