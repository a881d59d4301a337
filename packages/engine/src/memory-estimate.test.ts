/**
 * The wasm heap estimate against a measurement: the heap a real training step grows (its own file, so the heap
 * starts fresh), and the consistency of what `assertFitsWasmHeap` tells the user.
 */
import test from 'ava';
import { withClasses, withResolution, zooModel } from '@scalelab/arch';
import { useBackend } from './backend.js';
import { buildModel } from './build.js';
import { EngineError } from './errors.js';
import { wasmHeap } from './kernels/kernel-testing.js';
import { assertFitsWasmHeap, estimateTrainingMemory } from './memory-estimate.js';
import { tf } from './tf.js';
import { trainingStep } from './train.js';

test.serial('the estimate bounds the heap that two training steps of B0 at 128 px (batch 4) really grow, within 1.6×', async (t) => {
  await useBackend('wasm');
  const heap = (): number => wasmHeap().HEAPU8.length;
  const before = heap();
  const spec = withClasses(withResolution(zooModel('efficientnet-b0'), 128), 10);
  const model = buildModel(spec, { seed: 1, outputLogits: true });
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomUniform([4, 128, 128, 3], 0, 1, 'float32', 1);
  const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
  for (let step = 0; step < 2; step++) tf.tidy(() => void trainingStep(model, optimizer, x, labels, 10, { weightDecay: 5e-4 }).loss.dataSync());
  const measured = heap() - before;
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  const estimate = estimateTrainingMemory(spec, { batchSize: 4, optimizer: 'momentum' }).totalBytes;
  t.true(measured <= estimate && estimate <= 1.6 * measured, `measured ${measured}, estimated ${estimate}`);
});

test('a refusal names the largest batch that fits: that batch passes the same check, the next one does not', (t) => {
  const spec = withResolution(zooModel('efficientnet-b0'), 224);
  const error = t.throws(() => assertFitsWasmHeap(spec, { batchSize: 64 }), { instanceOf: EngineError });
  t.is(error?.code, 'DOES_NOT_FIT');
  const named = Number(/batch (\d+) would fit/.exec(error?.message ?? '')?.[1]);
  t.true(named >= 1 && named < 64, error?.message);
  t.notThrows(() => assertFitsWasmHeap(spec, { batchSize: named }));
  t.throws(() => assertFitsWasmHeap(spec, { batchSize: named + 1 }), { instanceOf: EngineError });
  t.is(error?.message.includes('\n'), false, 'one line');
});

test('optimizer state and an EMA copy count: Adam (two slots) needs more than momentum (one) and plain SGD (none)', (t) => {
  const spec = zooModel('resnet50');
  const bytes = (o: Parameters<typeof estimateTrainingMemory>[1]): number => estimateTrainingMemory(spec, o).totalBytes;
  const slot = 4 * 25_583_592; // one float32 per trainable weight of Keras' ResNet50 (25,636,712 − 53,120 BN statistics)
  t.is(bytes({ batchSize: 1, optimizer: 'momentum' }) - bytes({ batchSize: 1, optimizer: 'sgd' }), slot);
  t.is(bytes({ batchSize: 1, optimizer: 'adam' }) - bytes({ batchSize: 1, optimizer: 'momentum' }), slot);
  t.is(bytes({ batchSize: 1, ema: true }) - bytes({ batchSize: 1 }), 4 * 25_636_712);
});
