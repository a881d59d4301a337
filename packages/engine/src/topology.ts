/** Load a TF.js `model.json` (as TF.js or tensorflowjs_converter writes it, or a bare Keras topology) as a `LayersModel`, weights not needed. */
import { readFile, stat } from 'node:fs/promises';
import { limitExceeded } from '@scalelab/arch';
import { EngineError } from './errors.js';
import { tf } from './tf.js';
import './layers/normalization.js';

export async function loadModelTopology(path: string): Promise<tf.LayersModel> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    const message = limitExceeded('fileBytes', size, `model file '${path}' (bytes)`);
    if (message !== null) throw new EngineError('LIMIT_EXCEEDED', message);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('BAD_MODEL_FILE', `cannot read model file '${path}': ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EngineError('BAD_MODEL_FILE', `model file '${path}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof json !== 'object' || json === null) throw new EngineError('BAD_MODEL_FILE', `model file '${path}' holds no model topology`);
  const wrapped = 'modelTopology' in json ? (json as { modelTopology: unknown }).modelTopology : json;
  // tensorflowjs_converter nests the model under `model_config`, beside `keras_version` and `training_config`.
  const topology = typeof wrapped === 'object' && wrapped !== null && 'model_config' in wrapped ? (wrapped as { model_config: unknown }).model_config : wrapped;
  if (typeof topology !== 'object' || topology === null || !('class_name' in topology)) {
    throw new EngineError('BAD_MODEL_FILE', `model file '${path}' holds no Keras/TF.js model topology (no 'modelTopology' or 'class_name')`);
  }
  try {
    return await tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] });
  } catch (e) {
    throw new EngineError('BAD_MODEL_FILE', `model file '${path}' could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}
