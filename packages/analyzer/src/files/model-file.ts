/**
 * `analyzeModelFile(path)`: the models people have, by what the file is — a TF.js layers model (`model.json` as
 * TF.js or `tensorflowjs_converter` writes it), a folder holding one, a TF.js graph model, a Keras `.keras` archive
 * or its unzipped folder, or a bare Keras topology JSON. Formats ScaleLab does not read (SavedModel, Keras 2
 * `.h5`, ONNX, TFLite, PyTorch) fail with one line naming the format and the conversion that makes them readable.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Analysis, WeightsCheck } from '../cost.js';
import { AnalyzerError } from '../errors.js';
import { checkFileSize } from './file-size.js';
import { analyzeGraphModel } from '../graph/graph-analysis.js';
import { field, isObject, objectField } from '../json.js';
import type { JsonObject } from '../json.js';
import { analyzeKerasGraph } from '../keras/keras-analysis.js';
import { findKerasModel, isKeras3, readKerasGraph } from '../keras/topology.js';
import { constIntReader } from './const-values.js';
import { readKerasArchive } from './keras-archive.js';
import { elements, layerWeights, manifestPaths, readWeightsManifest } from './weights-manifest.js';
import type { WeightEntry } from './weights-manifest.js';

export interface ModelFileOptions {
  /** Keep per-layer records. */
  readonly layers?: boolean;
  /** Per-example input shape (e.g. [224, 224, 3]) for models whose input size is not fixed. */
  readonly inputShape?: readonly number[];
}

function unsupported(message: string): never {
  throw new AnalyzerError('UNSUPPORTED_FORMAT', message);
}

function firstBytes(path: string, count: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(count);
    const read = readSync(fd, buffer, 0, count, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function parseJsonFile(path: string): unknown {
  checkFileSize(path);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AnalyzerError('BAD_MODEL', `model file '${path}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function weightsCheck(analysis: Analysis, source: string, tensors: number, params: number): WeightsCheck {
  return { source, tensors, params, agrees: analysis.params.total === params };
}

/** A Keras topology (any layout) priced, its params checked against the file's weights when it has some. */
function analyzeKeras(json: unknown, where: string, options: ModelFileOptions, manifest: readonly WeightEntry[] | undefined): { analysis: Analysis; layout: string } {
  const found = findKerasModel(json, where);
  const graph = readKerasGraph(found.model, where);
  const analysis = analyzeKerasGraph(graph, where, { ...options, ...(manifest === undefined ? {} : { weightsOfLayer: layerWeights(manifest) }) });
  const version = found.kerasVersion === undefined ? '' : `, Keras ${found.kerasVersion}`;
  const layout =
    found.layout === 'converter' ? `TF.js layers model (tensorflowjs_converter layout${version})`
    : found.layout === 'tfjs' ? 'TF.js layers model'
    : `Keras ${isKeras3(found.model) ? '3' : '2'} model JSON${version}`;
  return { analysis, layout };
}

function analyzeJson(path: string, options: ModelFileOptions): Analysis {
  const json = parseJsonFile(path);
  const topology = isObject(json) ? objectField(json, 'modelTopology') : undefined;
  const manifest = isObject(json) ? readWeightsManifest(json, path) : undefined;
  if (isObject(json) && (field(json, 'format') === 'graph-model' || (topology !== undefined && field(topology, 'node') !== undefined))) {
    if (topology === undefined) throw new AnalyzerError('BAD_MODEL', `graph model '${path}' has no modelTopology`);
    const weights = manifest ?? [];
    const analysis = analyzeGraphModel(topology, weights, basename(join(path, '..')), path, {
      ...options,
      constInts: constIntReader(path, weights, manifestPaths(json)),
    });
    return { ...analysis, file: { format: 'TF.js graph model (params are its float weights; BN folded into the convolutions)' } };
  }
  const { analysis, layout } = analyzeKeras(json, path, options, manifest);
  if (manifest === undefined) return { ...analysis, file: { format: layout } };
  const params = manifest.reduce((n, w) => n + elements(w.shape), 0);
  return { ...analysis, file: { format: layout, weights: weightsCheck(analysis, 'weightsManifest', manifest.length, params) } };
}

function analyzeKerasArchive(path: string, options: ModelFileOptions): Analysis {
  const archive = readKerasArchive(path);
  const { analysis } = analyzeKeras(archive.config, `${path}: config.json`, options, undefined);
  const format = `Keras .keras archive${archive.kerasVersion === undefined ? '' : ` (Keras ${archive.kerasVersion})`}`;
  const w = archive.weights;
  return { ...analysis, file: { format, ...(w === undefined ? {} : { weights: weightsCheck(analysis, 'model.weights.h5', w.tensors, w.params) }) } };
}

function analyzeFolder(path: string, options: ModelFileOptions): Analysis {
  const has = (name: string): boolean => existsSync(join(path, name));
  if (has('model.json')) return analyzeJson(join(path, 'model.json'), options);
  if (has('saved_model.pb') || has('saved_model.pbtxt')) {
    unsupported(`'${path}' is a TensorFlow SavedModel, which ScaleLab does not read; convert it: tensorflowjs_converter --input_format=tf_saved_model ${path} ${path}-tfjs, then scalelab analyze ${path}-tfjs`);
  }
  if (has('config.json')) return analyzeJson(join(path, 'config.json'), options);
  unsupported(`folder '${path}' holds no model.json (TF.js), config.json (Keras) or saved_model.pb (SavedModel)`);
}

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Extensions that name a model file rather than an arch file. */
export const MODEL_FILE_EXTENSIONS: readonly string[] = ['.json', '.keras', '.h5', '.hdf5', '.onnx', '.pb', '.pbtxt', '.tflite', '.pt', '.pth'];

/** A Keras topology already parsed (TF.js `model.toJSON()`, Keras `to_json()`, a converter model.json), priced. */
export function analyzeKerasTopology(json: unknown, options: ModelFileOptions = {}): Analysis {
  return analyzeKeras(json, 'model topology', options, undefined).analysis;
}

export function analyzeModelFile(path: string, options: ModelFileOptions = {}): Analysis {
  if (statSync(path).isDirectory()) return analyzeFolder(path, options);
  const magic = firstBytes(path, 8);
  const ext = extname(path).toLowerCase();
  if (magic.subarray(0, 8).equals(HDF5_MAGIC) || ext === '.h5' || ext === '.hdf5') {
    unsupported(`'${path}' is a Keras 2 HDF5 model, which ScaleLab does not read; convert it: tensorflowjs_converter --input_format=keras ${path} out-dir, then scalelab analyze out-dir (or save it with Keras 3 as model.keras)`);
  }
  if (magic.subarray(0, 4).equals(ZIP_MAGIC) || ext === '.keras') return analyzeKerasArchive(path, options);
  if (ext === '.onnx') unsupported(`'${path}' is an ONNX model, which ScaleLab does not read; convert it to TensorFlow (e.g. onnx2tf), then to TF.js with tensorflowjs_converter`);
  if (ext === '.pb' || ext === '.pbtxt') {
    unsupported(`'${path}' is a TensorFlow graph/SavedModel protobuf, which ScaleLab does not read; convert its folder: tensorflowjs_converter --input_format=tf_saved_model <saved-model-dir> out-dir, then scalelab analyze out-dir`);
  }
  if (ext === '.tflite') unsupported(`'${path}' is a TensorFlow Lite flatbuffer, which ScaleLab does not read; analyze the Keras or TF.js model it was converted from`);
  if (ext === '.pt' || ext === '.pth') unsupported(`'${path}' is a PyTorch checkpoint, which ScaleLab does not read; export the model to ONNX and then to TF.js, or describe it as an arch file`);
  return analyzeJson(path, options);
}

