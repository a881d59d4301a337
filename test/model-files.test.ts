/**
 * `analyzeModelFile` and `scalelab analyze <file>` on real files in every layout: models tensorflowjs_converter wrote
 * (shipped in the nsfwjs npm package, see test/fixtures/models/README.md), models TF.js itself writes, a Keras 3
 * `.keras` archive, hand-made Keras 2 / Keras 3 JSON variants, a TF.js graph model, and the formats ScaleLab refuses.
 * Expected numbers come from the manifests' weight shapes, TF.js' own `countParams()` and shape inference, the zoo's
 * Keras-checked specs, or hand counts written below.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleSpec, withClasses, zooModel } from '@scalelab/arch';
import { AnalyzerError, analyzeLayersModel, analyzeModelFile, analyzeSpec } from '@scalelab/analyzer';
import { loadModelTopology, tf } from '@scalelab/engine';

const FIXTURES = join(process.cwd(), 'test/fixtures/models');
const NSFWJS = join(FIXTURES, 'nsfwjs-4.4.0');
const CLI = join(process.cwd(), 'packages/cli/dist/main.js');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'scalelab-models-'));

/** Σ of the manifest's weight shapes: the independent params figure of a model.json. */
function manifestParams(path: string): number {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest: { weights: { shape: number[]; dtype?: string }[] }[] };
  return json.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** Write a model the way TF.js' file handler (`model.save('file://…')`, tfjs-node) lays it out: model.json + weights.bin. */
async function saveLikeTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      if (!(weightData instanceof ArrayBuffer)) throw new Error('expected one weights buffer');
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

for (const [name, params] of [['mobilenet_v2', 2_619_461], ['inception_v3', 22_360_869]] as const) {
  test(`converter layout (model_config under modelTopology, Keras 2.2.4): nsfwjs ${name} = manifest = TF.js countParams (${params.toLocaleString('en-US')})`, async (t) => {
    const path = join(NSFWJS, name, 'model.json');
    t.is(manifestParams(path), params);
    const a = analyzeModelFile(path);
    t.is(a.params.total, params);
    t.deepEqual(a.unsupported, []);
    t.regex(a.file?.format ?? '', /tensorflowjs_converter layout, Keras 2\.2\.4/);
    t.deepEqual(a.file?.weights, { source: 'weightsManifest', tensors: a.file?.weights?.tensors ?? -1, params, agrees: true });
    // TF.js reads the same topology: its countParams() and its own shape inference give the same params and MACs.
    const model = await loadModelTopology(path);
    t.is(model.countParams(), params);
    const walked = analyzeLayersModel(model);
    t.deepEqual(a.params, walked.params);
    t.is(a.macs, walked.macs);
    t.is(a.activations, walked.activations);
    model.dispose();
  });
}

test('a folder is analyzed through its model.json (CLI, --json)', (t) => {
  const r = cli('analyze', join(NSFWJS, 'mobilenet_v2'), '--json');
  t.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout) as { params: { total: number }; file: { weights: { agrees: boolean } } };
  t.is(a.params.total, 2_619_461);
  t.true(a.file.weights.agrees);
});

function tfjsFunctional(): tf.LayersModel {
  // A nested Sequential used as a layer, a layer shared by two calls, a frozen layer, a concatenation.
  const inner = tf.sequential({ name: 'inner', layers: [tf.layers.conv2d({ inputShape: [8, 8, 4], filters: 6, kernelSize: 3, padding: 'same', name: 'inner_conv' }), tf.layers.batchNormalization({ name: 'inner_bn' })] });
  const x = tf.input({ shape: [16, 16, 3], name: 'image' });
  const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'stem', trainable: false }).apply(x) as tf.SymbolicTensor;
  const shared = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'shared_dw' });
  const a = shared.apply(stem) as tf.SymbolicTensor;
  const b = shared.apply(a) as tf.SymbolicTensor;
  const nested = inner.apply(b) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate({ name: 'merge' }).apply([a, nested]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(merged) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, name: 'out' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ name: 'written_by_tfjs', inputs: x, outputs: out });
}

test('TF.js-written layers model (Functional, nested Sequential, shared and frozen layers): params = countParams = manifest, MACs as TF.js shapes give', async (t) => {
  const model = tfjsFunctional();
  const dir = tempDir();
  await saveLikeTfjs(model, dir);
  const a = analyzeModelFile(dir, { layers: true });
  t.is(a.params.total, model.countParams());
  t.is(a.params.total, manifestParams(join(dir, 'model.json')));
  t.true(a.file?.weights?.agrees);
  const live = analyzeLayersModel(model);
  t.deepEqual(a.params, live.params); // frozen stem: its 3·3·3·4 + 4 weights are non-trainable, as TF.js says
  // Hand count: stem 8² · 108 = 6,912; shared depthwise 8² · 36, called twice = 4,608; inner conv 8² · 216 = 13,824; dense 10 · 5 = 50.
  t.is(a.macs, 6_912 + 2 * 2_304 + 13_824 + 50);
  t.deepEqual(a.layers?.map((l) => l.name), ['stem', 'shared_dw', 'shared_dw:1', 'inner/inner_conv', 'inner/inner_bn', 'out']);
  t.is(a.layers?.find((l) => l.name === 'shared_dw:1')?.params.total, 0); // weights once, MACs per call
  model.dispose();
});

test('TF.js-written Sequential model (no InputLayer entry: the first layer carries batch_input_shape)', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [12], units: 7 }), tf.layers.dropout({ rate: 0.1 }), tf.layers.dense({ units: 3 })] });
  const dir = tempDir();
  await saveLikeTfjs(model, dir);
  const a = analyzeModelFile(join(dir, 'model.json'));
  // 12·7 + 7 + 7·3 + 3 = 115 params; 84 + 21 = 105 MACs.
  t.is(a.params.total, 115);
  t.is(model.countParams(), 115);
  t.is(a.macs, 105);
  model.dispose();
});

test('a manifest that disagrees with the topology is reported, not hidden (API and CLI)', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'd' })] });
  const dir = tempDir();
  await saveLikeTfjs(model, dir);
  const path = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest: { weights: unknown[] }[] };
  json.weightsManifest[0]?.weights.pop(); // drop the bias (2 params)
  writeFileSync(path, JSON.stringify(json));
  const a = analyzeModelFile(path);
  t.deepEqual(a.file?.weights, { source: 'weightsManifest', tensors: 1, params: 8, agrees: false });
  t.is(a.params.total, 10);
  const r = cli('analyze', path);
  t.is(r.code, 0);
  t.regex(r.stdout, /WEIGHTS DISAGREE {2}weightsManifest holds 8 params in 1 tensors; the topology counts 10 \(\+2\)/);
  model.dispose();
});

test('Keras 3 .keras archive: config.json priced by hand, model.weights.h5 shapes agree (optimizer slots left out)', (t) => {
  const a = analyzeModelFile(join(FIXTURES, 'keras3/tiny-functional.keras'), { layers: true });
  // stem 3·3·3·8 = 216; BN 8 γ + 8 β trainable, 8 + 8 moving stats; nested block: depthwise 72, 1×1 conv 64 + 8;
  // shared 1×1 conv 32 + 4 (once for two calls); head 8·10 + 10. 216 + 16 + 72 + 72 + 36 + 90 = 502 trainable.
  t.deepEqual(a.params, { trainable: 502, nonTrainable: 16, total: 518 });
  // 16² positions: stem 216, depthwise 72, pointwise 64, shared 32 twice; head 80.
  t.is(a.macs, 256 * (216 + 72 + 64 + 32 + 32) + 80);
  t.deepEqual(a.file, { format: 'Keras .keras archive (Keras 3.6.0)', weights: { source: 'model.weights.h5', tensors: 12, params: 518, agrees: true } });
  t.deepEqual(a.layers?.map((l) => l.name), ['stem', 'stem_bn', 'block/block_dw', 'block/block_pw', 'shared_conv', 'shared_conv:1', 'head']);
});

test('an unzipped Keras 3 model folder (config.json) with a custom layer: analyzed, the custom layer listed as not priced', (t) => {
  const dir = tempDir();
  const dense = (name: string, units: number, from: string): object => ({
    module: 'keras.layers', class_name: 'Dense', name, registered_name: null,
    config: { name, units, use_bias: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } },
    inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 6], dtype: 'float32', keras_history: [from, 0, 0] } }], kwargs: {} }],
  });
  const config = {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'custom', trainable: true,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'x', config: { batch_shape: [null, 6], name: 'x' }, registered_name: null, inbound_nodes: [] },
        { module: 'my_package', class_name: 'MyScale', name: 'scale', config: { name: 'scale', factor: 2 }, registered_name: 'my_package>MyScale',
          inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['x', 0, 0] } }], kwargs: {} }] },
        dense('out', 3, 'scale'),
      ],
      input_layers: ['x', 0, 0],
      output_layers: ['out', 0, 0],
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const a = analyzeModelFile(dir);
  t.deepEqual(a.unsupported, [{ name: 'scale', className: 'MyScale' }]);
  t.is(a.params.total, 6 * 3 + 3);
  t.is(a.macs, 18);
  t.regex(a.file?.format ?? '', /Keras 3 model JSON/);
  const r = cli('analyze', dir);
  t.is(r.code, 0);
  t.regex(r.stdout, /NOT PRICED {3}1 layer\(s\) of unsupported kinds, MACs unknown: scale \(MyScale\)/);
});

test('Keras 2 layouts: a Sequential written as a bare list (Keras ≤ 2.2) and an InputLayer with batch_input_shape', (t) => {
  const dir = tempDir();
  const bareList = { class_name: 'Sequential', keras_version: '2.1.6', backend: 'tensorflow', config: [
    { class_name: 'Conv2D', config: { name: 'c', batch_input_shape: [null, 10, 10, 2], filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', use_bias: true } },
    { class_name: 'Flatten', config: { name: 'f' } },
    { class_name: 'Dense', config: { name: 'd', units: 4, use_bias: false } },
  ] };
  writeFileSync(join(dir, 'old.json'), JSON.stringify(bareList));
  const a = analyzeModelFile(join(dir, 'old.json'));
  // conv 3·3·2·3 + 3 = 57 params, 'valid' 8×8 output: 64 · 54 = 3,456 MACs; dense 8·8·3 = 192 → 4: 768 params and MACs.
  t.is(a.params.total, 57 + 768);
  t.is(a.macs, 3_456 + 768);
  t.regex(a.file?.format ?? '', /Keras 2 model JSON, Keras 2\.1\.6/);
  const functional = { class_name: 'Model', config: { name: 'm', layers: [
    { name: 'in', class_name: 'InputLayer', config: { batch_input_shape: [null, 5], name: 'in' }, inbound_nodes: [] },
    { name: 'd', class_name: 'Dense', config: { name: 'd', units: 2 }, inbound_nodes: [[['in', 0, 0, {}]]] },
  ], input_layers: [['in', 0, 0]], output_layers: [['d', 0, 0]] } };
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: functional }));
  t.is(analyzeModelFile(join(dir, 'model.json')).params.total, 5 * 2 + 2);
});

const GRAPH = join(NSFWJS, 'mobilenet_v2_mid', 'model.json');

test('graph model (converter v1.7.4, MobileNetV2 ×1.4, 5 classes): MACs equal the zoo spec; params are the manifest\'s float weights', (t) => {
  const a = analyzeModelFile(GRAPH);
  t.deepEqual(a.unsupported, []);
  // The same network from the zoo: MobileNetV2 at width 1.4 (stem 48, head 1792) with a 5-class classifier.
  const spec = analyzeSpec(withClasses(scaleSpec(zooModel('mobilenetv2'), { width: 1.4, depth: 1, resolution: 1 }), 5));
  t.is(a.macs, spec.macs);
  t.is(a.macs, 580_412_784);
  // The converter folds each BN (4 numbers per channel) into its conv as one offset per channel, so the graph holds
  // the spec's trainable weights minus one per BN channel (= half its non-trainable count), plus the two scalar
  // constants of the input preprocessing (hub_input Mul and Sub, shape [] in the manifest).
  t.is(a.params.total, manifestParams(GRAPH));
  t.is(a.params.total, spec.params.trainable - spec.params.nonTrainable / 2 + 2);
  t.is(a.byStage.find((s) => s.stage === 'other')?.params.total, 2);
  t.regex(a.file?.format ?? '', /graph model/);
});

function graphWith(edit: (json: { modelTopology: { node: { name: string; op: string; attr?: Record<string, unknown> }[] } }) => void): string {
  const dir = tempDir();
  const json = JSON.parse(readFileSync(GRAPH, 'utf8')) as Parameters<typeof edit>[0];
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

test('graph model with an unknown input size: the error names the node where shapes stop and asks for --input-shape; with it, the same MACs', (t) => {
  const dir = graphWith((json) => {
    const input = json.modelTopology.node.find((n) => n.op === 'Placeholder');
    if (input !== undefined) input.attr = { ...input.attr, shape: { shape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } };
  });
  const e = t.throws(() => analyzeModelFile(dir), { instanceOf: AnalyzerError });
  t.is(e?.code, 'SHAPE_UNKNOWN');
  const r = cli('analyze', dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /shapes stop at node 'input' \(Placeholder\).*--input-shape 224,224,3/);
  t.is(analyzeModelFile(dir, { inputShape: [224, 224, 3] }).macs, 580_412_784);
  const cliShaped = cli('analyze', dir, '--input-shape', '224,224,3', '--json');
  t.is((JSON.parse(cliShaped.stdout) as { macs: number }).macs, 580_412_784);
});

test('graph model ops without a handle are listed as unsupported, as fvcore does', (t) => {
  const dir = graphWith((json) => {
    const softmax = json.modelTopology.node.find((n) => n.op === 'Softmax');
    if (softmax !== undefined) softmax.op = 'MySoftmax';
  });
  const a = analyzeModelFile(dir);
  t.deepEqual(a.unsupported.map((u) => u.className), ['MySoftmax']);
  t.is(a.macs, 580_412_784);
});

const UNSUPPORTED: readonly [string, () => string, RegExp][] = [
  ['a SavedModel folder', () => { const d = tempDir(); writeFileSync(join(d, 'saved_model.pb'), ''); mkdirSync(join(d, 'variables')); return d; }, /is a TensorFlow SavedModel.*tensorflowjs_converter --input_format=tf_saved_model/],
  ['a Keras 2 .h5 file', () => join(FIXTURES, 'keras3/keras2-tiny.h5'), /is a Keras 2 HDF5 model.*tensorflowjs_converter --input_format=keras/],
  ['an ONNX file', () => { const d = tempDir(); writeFileSync(join(d, 'net.onnx'), Buffer.from([8, 7, 18, 4])); return join(d, 'net.onnx'); }, /is an ONNX model, which ScaleLab does not read; convert it/],
  ['a folder without a model', () => tempDir(), /holds no model\.json \(TF\.js\), config\.json \(Keras\) or saved_model\.pb/],
  ['a zip that is not a .keras archive', () => { const d = tempDir(); cpSync(join(FIXTURES, 'keras3/tiny-functional.keras'), join(d, 'x.keras')); writeFileSync(join(d, 'x.keras'), 'PK\u0003\u0004 broken'); return join(d, 'x.keras'); }, /is not a readable \.keras archive/],
];
for (const [what, make, message] of UNSUPPORTED) {
  test(`${what}: one line naming the format and what to do, exit 2`, (t) => {
    const r = cli('analyze', make());
    t.is(r.code, 2);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1);
  });
}
