/**
 * A trained model as files, in TF.js' own layers-model format: `model.json` (topology and a weights manifest) and
 * `weights.bin` beside it, which `tf.loadLayersModel` reads (a browser by URL, Node through `modelFiles` here or
 * tfjs-node's file://) and `scalelab analyze DIR/model.json` prices. Training builds the classifier with logits;
 * the saved topology ends in softmax, as Keras' (same weights), so the saved model predicts probabilities.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../errors.js';
import { tf } from '../tf.js';
import '../layers/normalization.js';

const WEIGHTS_FILE = 'weights.bin';

interface LayerJson {
  class_name?: string;
  config?: { name?: string; activation?: string };
}

/** The topology with a final linear `predictions` Dense turned into softmax. */
function withSoftmaxClassifier(topology: NonNullable<tf.io.ModelArtifacts['modelTopology']>): tf.io.ModelJSON['modelTopology'] {
  const copy = JSON.parse(JSON.stringify(topology)) as { config?: { layers?: LayerJson[] } };
  for (const layer of copy.config?.layers ?? []) {
    if (layer.class_name === 'Dense' && layer.config?.name === 'predictions' && layer.config.activation === 'linear') layer.config.activation = 'softmax';
  }
  return copy as tf.io.ModelJSON['modelTopology'];
}

/** Write `model` into `dir` (created if needed) as model.json + weights.bin; returns the model.json path. */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<string> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (artifacts?.weightData === undefined || artifacts.weightSpecs === undefined || artifacts.modelTopology === undefined) throw new Error('TF.js produced no model to save');
  const json: tf.io.ModelJSON = {
    modelTopology: withSoftmaxClassifier(artifacts.modelTopology),
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
    convertedBy: 'ScaleLab',
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
  const path = join(dir, 'model.json');
  await writeFile(path, JSON.stringify(json));
  return path;
}

/** A load handler for `tf.loadLayersModel` reading a model.json and the weight files its manifest names. */
export function modelFiles(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new EngineError('BAD_MODEL_FILE', `cannot read model file '${modelJsonPath}': ${e instanceof Error ? e.message : String(e)}`);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(manifest.flatMap((group) => group.paths.map(async (p) => {
          const bytes = await readFile(join(dirname(modelJsonPath), p));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        })));
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
