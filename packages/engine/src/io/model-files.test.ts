/** A trained model written as files and read back by TF.js' own loader. */
import test from 'ava';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArchFile } from '@scalelab/arch';
import { useBackend } from '../backend.js';
import { syntheticDataset } from '../data/synthetic.js';
import { tf } from '../tf.js';
import { trainSpec } from '../train.js';
import { modelFiles, saveModelFiles } from './model-files.js';

const tiny = parseArchFile('name: tiny\nresolution: 16\nstem: 8 k3 s2\nhead: 32\nclasses: 4\ndropout: 0.2\nds_r1_k3_s1_e1_c8_se0.25\nir_r2_k3_s2_e3_c16_se0.25\n');
const data = syntheticDataset({ classes: 4, size: 16, trainPerClass: 20, testPerClass: 10, seed: 7 });

test.before(async () => {
  await useBackend('wasm');
});

test.serial('saved as model.json + weights.bin, a trained model loads with tf.loadLayersModel and predicts the softmax of its logits', async (t) => {
  const r = trainSpec(tiny, data, { steps: 4, batchSize: 16, seed: 1, keepModel: true });
  const model = r.model;
  if (model === undefined) return t.fail('no model kept');
  const x = tf.tensor4d(data.test.images.subarray(0, 8 * 256), [8, 16, 16, 1]);
  const expected = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-save-'));
  const path = await saveModelFiles(model, join(dir, 'trained'));
  t.true(existsSync(join(dir, 'trained', 'weights.bin')));
  t.is(statSync(join(dir, 'trained', 'weights.bin')).size, 4 * model.countParams(), 'float32 weights, every one');
  model.dispose();
  const loaded = await tf.loadLayersModel(modelFiles(path));
  const actual = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync() as Float32Array);
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (actual[i] as number)))));
  t.true(worst <= 1e-6, `max abs difference ${worst}`);
  loaded.dispose();
  x.dispose();
});

test.serial('with an EMA of the weights, the kept model holds the averaged weights that were evaluated', async (t) => {
  const r = trainSpec(tiny, data, { steps: 6, batchSize: 16, seed: 2, ema: 0.9, keepModel: true });
  const model = r.model;
  if (model === undefined) return t.fail('no model kept');
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-save-'));
  const loaded = await tf.loadLayersModel(modelFiles(await saveModelFiles(model, dir)));
  model.dispose();
  // The reloaded model outputs probabilities: its test cross-entropy −mean(ln p[label]) is trainSpec's test loss
  // (computed from the evaluated weights' logits) only if it holds those weights.
  const p = tf.tidy(() => (loaded.predict(tf.tensor4d(data.test.images, [data.test.count, 16, 16, 1])) as tf.Tensor).dataSync() as Float32Array);
  let loss = 0;
  data.test.labels.forEach((label, i) => (loss -= Math.log(p[i * 4 + label] as number)));
  loss /= data.test.count;
  t.true(Math.abs(loss - r.loss) <= 1e-5 * r.loss, `reloaded ${loss}, evaluated ${r.loss}`);
  loaded.dispose();
});

test.serial('a missing model.json is one EngineError naming the file', async (t) => {
  const error = await t.throwsAsync(tf.loadLayersModel(modelFiles('/nonexistent/scalelab/model.json')));
  t.regex(error?.message ?? '', /cannot read model file '\/nonexistent\/scalelab\/model.json'/);
});
