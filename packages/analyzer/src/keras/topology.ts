/**
 * Keras model topologies as files hold them, read into one graph: TF.js' `model.toJSON()` (`modelTopology` =
 * `{class_name, config}`), `tensorflowjs_converter`'s layers format (`modelTopology.model_config` beside
 * `keras_version`, `backend`, `training_config`), Keras 2 `model.to_json()` and Keras 3 `config.json` (`module`,
 * `registered_name`, `batch_shape`, `{args, kwargs}` call records with `__keras_tensor__` references).
 * Sequential models become a chain; Functional models keep every call of every layer (shared layers have several);
 * a model used as a layer is read as a nested graph.
 */
import { limitExceeded } from '@scalelab/arch';
import { AnalyzerError } from '../errors.js';
import { arrayField, field, isObject, objectField, stringField } from '../json.js';
import type { JsonObject } from '../json.js';

/** One output of one call of a layer: Keras' `keras_history` (layer name, node index, tensor index). */
export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
}

export interface KerasLayer {
  readonly name: string;
  readonly className: string;
  readonly config: JsonObject;
  /** One entry per call of the layer in this model: the tensors it was called on. */
  readonly calls: readonly (readonly TensorRef[])[];
  /** Set when the layer is itself a model (Functional, Sequential, Model). */
  readonly model?: KerasGraph;
}

export interface KerasGraph {
  readonly name: string;
  readonly layers: readonly KerasLayer[];
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export const isModelClass = (className: string): boolean => MODEL_CLASSES.has(className);

function bad(where: string, why: string): never {
  throw new AnalyzerError('BAD_MODEL', `${where}: ${why}`);
}

/** The layer's name: Keras writes it beside the config (Functional) and inside it (all). */
function layerName(entry: JsonObject, config: JsonObject, where: string): string {
  const name = stringField(entry, 'name') ?? stringField(config, 'name');
  return name ?? bad(where, `a ${stringField(entry, 'class_name') ?? 'layer'} entry has no name`);
}

/** Keras 2: `[layer, node, tensor, kwargs?]`; Keras 3: `{class_name: '__keras_tensor__', config: {keras_history}}`. */
function tensorRef(value: unknown): TensorRef | undefined {
  if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number' && typeof value[2] === 'number') {
    return { layer: value[0], node: value[1], tensor: value[2] };
  }
  if (isObject(value) && field(value, 'class_name') === '__keras_tensor__') {
    const history = arrayField(objectField(value, 'config') ?? {}, 'keras_history');
    return history === undefined ? undefined : tensorRef(history);
  }
  return undefined;
}

/** Every tensor reference inside a structure, in order (Keras 3 nests them in args lists, e.g. `Add()([a, b])`). */
function collectRefs(value: unknown, into: TensorRef[]): void {
  const ref = tensorRef(value);
  if (ref !== undefined) {
    into.push(ref);
  } else if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  }
}

/** A layer's calls: Keras 2 `[[ref, ref…], …]` or Keras 3 `[{args, kwargs}, …]`. */
function parseCalls(inbound: readonly unknown[]): TensorRef[][] {
  return inbound.map((node) => {
    const refs: TensorRef[] = [];
    collectRefs(isObject(node) ? field(node, 'args') : node, refs);
    return refs;
  });
}

/** `input_layers` / `output_layers`: a list of refs, or (Keras 3, one tensor) a single ref. */
function parseEnds(value: unknown, where: string, what: string): TensorRef[] {
  const single = tensorRef(value);
  if (single !== undefined) return [single];
  const refs: TensorRef[] = [];
  collectRefs(value, refs);
  return refs.length > 0 ? refs : bad(where, `'${what}' names no layer`);
}

function parseFunctional(name: string, config: JsonObject, where: string): KerasGraph {
  const entries = arrayField(config, 'layers') ?? bad(where, `model '${name}' has no 'layers' list`);
  const layers = entries.map((entry) => {
    if (!isObject(entry)) bad(where, `a layer entry of '${name}' is not an object`);
    const layerConfig = objectField(entry, 'config') ?? {};
    const className = stringField(entry, 'class_name') ?? bad(where, `a layer of '${name}' has no class_name`);
    const lname = layerName(entry, layerConfig, where);
    return withNested({ name: lname, className, config: layerConfig, calls: parseCalls(arrayField(entry, 'inbound_nodes') ?? []) }, where);
  });
  return {
    name,
    layers,
    inputs: parseEnds(field(config, 'input_layers'), where, 'input_layers'),
    outputs: parseEnds(field(config, 'output_layers'), where, 'output_layers'),
  };
}

/** A Sequential's input shape when no InputLayer leads it: the first layer's, or the model's build shape. */
function sequentialInputShape(config: JsonObject, first: JsonObject | undefined, buildConfig: JsonObject | undefined): unknown {
  return (first && (field(first, 'batch_input_shape') ?? field(first, 'batch_shape'))) ??
    field(config, 'build_input_shape') ??
    (buildConfig && field(buildConfig, 'input_shape'));
}

function parseSequential(name: string, config: unknown, buildConfig: JsonObject | undefined, where: string): KerasGraph {
  // Keras ≤ 2.2 wrote a Sequential's config as the bare list of layers.
  const entries = Array.isArray(config) ? config : isObject(config) ? arrayField(config, 'layers') : undefined;
  if (entries === undefined || entries.length === 0) bad(where, `Sequential model '${name}' has no layers`);
  const parsed = entries.map((entry) => {
    if (!isObject(entry)) bad(where, `a layer entry of '${name}' is not an object`);
    const layerConfig = objectField(entry, 'config') ?? {};
    const className = stringField(entry, 'class_name') ?? bad(where, `a layer of '${name}' has no class_name`);
    return { name: layerName(entry, layerConfig, where), className, config: layerConfig };
  });
  const layers: KerasLayer[] = [];
  const head = parsed[0];
  let previous: TensorRef;
  if (head !== undefined && head.className === 'InputLayer') {
    layers.push({ ...head, calls: [] });
    previous = { layer: head.name, node: 0, tensor: 0 };
  } else {
    const shape = sequentialInputShape(isObject(config) ? config : {}, head?.config, buildConfig);
    if (!Array.isArray(shape)) bad(where, `Sequential model '${name}' states no input shape (no InputLayer, batch_input_shape or build_input_shape)`);
    const inputName = `${head?.name ?? name}_input`;
    layers.push({ name: inputName, className: 'InputLayer', config: { name: inputName, batch_input_shape: shape }, calls: [] });
    previous = { layer: inputName, node: 0, tensor: 0 };
  }
  for (const layer of head?.className === 'InputLayer' ? parsed.slice(1) : parsed) {
    layers.push(withNested({ ...layer, calls: [[previous]] }, where));
    previous = { layer: layer.name, node: 0, tensor: 0 };
  }
  const first = layers[0];
  return { name, layers, inputs: [{ layer: first?.name ?? name, node: 0, tensor: 0 }], outputs: [previous] };
}

function withNested(layer: KerasLayer, where: string): KerasLayer {
  if (!isModelClass(layer.className)) return layer;
  return { ...layer, model: parseModel(layer.className, layer.name, layer.config, objectField(layer.config, 'build_config'), where) };
}

function parseModel(className: string, name: string, config: unknown, buildConfig: JsonObject | undefined, where: string): KerasGraph {
  if (className === 'Sequential') return parseSequential(name, config, buildConfig, where);
  if (!isObject(config)) bad(where, `model '${name}' has no config`);
  return parseFunctional(name, config, where);
}

/** Where a file keeps its Keras model: the object with `class_name` Sequential / Functional / Model. */
export interface KerasModelJson {
  readonly model: JsonObject;
  /** `keras_version` where the file states it (the converter's layout, Keras' own JSON). */
  readonly kerasVersion?: string;
  /** How the file wrapped it, for the report: `model_config` (the converter), `modelTopology` (TF.js), or bare. */
  readonly layout: 'converter' | 'tfjs' | 'keras';
}

export function findKerasModel(json: unknown, where: string): KerasModelJson {
  if (!isObject(json)) bad(where, 'holds no JSON object');
  const topology = field(json, 'modelTopology');
  if (isObject(topology)) {
    const modelConfig = objectField(topology, 'model_config');
    if (modelConfig !== undefined) {
      const kerasVersion = stringField(topology, 'keras_version');
      return { model: modelConfig, layout: 'converter', ...(kerasVersion === undefined ? {} : { kerasVersion }) };
    }
    return { model: topology, layout: 'tfjs' };
  }
  const kerasVersion = stringField(json, 'keras_version');
  return { model: json, layout: 'keras', ...(kerasVersion === undefined ? {} : { kerasVersion }) };
}

/** Read the model object (`class_name` + `config`) into a graph. */
export function readKerasGraph(model: JsonObject, where: string): KerasGraph {
  const className = stringField(model, 'class_name');
  if (className === undefined) bad(where, "holds no Keras/TF.js model topology (no 'class_name' under 'modelTopology', 'model_config' or at the top)");
  if (!isModelClass(className)) bad(where, `its topology is a single '${className}' layer, not a model (Sequential, Functional or Model)`);
  const config = field(model, 'config');
  const name = (isObject(config) ? stringField(config, 'name') : undefined) ?? 'model';
  const graph = parseModel(className, name, config, objectField(model, 'build_config'), where);
  const message = limitExceeded('layers', graph.layers.length, `${where}: the number of layers`);
  if (message !== null) throw new AnalyzerError('LIMIT_EXCEEDED', message);
  return graph;
}

/** Keras 3 marks every object with `module` / `registered_name`; Keras 2 and TF.js do not. */
export function isKeras3(model: JsonObject): boolean {
  return field(model, 'module') !== undefined || field(model, 'registered_name') !== undefined;
}
