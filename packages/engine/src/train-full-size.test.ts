/**
 * EfficientNet-B0 at its own 224 px trains on wasm (issue 11: it died with "memory access out of bounds" when
 * evaluation ran at batch 200 and overflowed the 4 GiB heap). Its own file: the heap this grows ends with it.
 */
import test from 'ava';
import { withResolution, zooModel } from '@scalelab/arch';
import { useBackend } from './backend.js';
import { syntheticDataset } from './data/synthetic.js';
import { wasmHeap } from './kernels/kernel-testing.js';
import { trainSpec } from './train.js';

test('B0 at 224 px trains two steps at batch 2, and evaluating 40 images grows the heap no further than training did', async (t) => {
  await useBackend('wasm');
  const data = syntheticDataset({ classes: 2, channels: 3, size: 224, trainPerClass: 4, testPerClass: 20, seed: 3 });
  let heapAtEvaluation = 0;
  const r = trainSpec(withResolution(zooModel('efficientnet-b0'), 224), data, {
    steps: 2,
    batchSize: 2,
    seed: 1,
    onProgress: (p) => {
      if (p.phase === 'eval') heapAtEvaluation = wasmHeap().HEAPU8.length;
    },
  });
  t.is(r.backend, 'wasm');
  t.is(r.steps, 2);
  t.true(Number.isFinite(r.loss) && r.loss > 0, `loss ${r.loss}`);
  t.is(r.history.length, 1);
  // 40 test images at once would need ~1.1 GB of activations; training at batch 2 peaks near 0.35 GB.
  t.true(heapAtEvaluation > 0);
  t.is(wasmHeap().HEAPU8.length, heapAtEvaluation);
});
