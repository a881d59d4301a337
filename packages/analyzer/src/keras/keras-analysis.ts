/**
 * Exact cost of a Keras model from its topology alone (no TF.js, no weights): a walk over every call of every layer
 * in dependency order, shapes propagated from the input layers, each call priced by its class' handle. A shared
 * layer's weights count once and its MACs once per call; a model used as a layer is walked inside, its layers named
 * `outer/inner`; a frozen layer or model (`trainable: false`) has only non-trainable weights, as in Keras.
 */
import { CostAccumulator } from '../cost.js';
import type { Analysis } from '../cost.js';
import { AnalyzerError } from '../errors.js';
import { arrayField, field } from '../json.js';
import type { JsonObject } from '../json.js';
import { booleanValue } from './config-values.js';
import { LAYER_HANDLES, MissingDimension } from './layer-handles.js';
import { formatShape } from '../shape.js';
import type { Dim, Shape } from '../shape.js';
import type { KerasGraph, KerasLayer, TensorRef } from './topology.js';

export interface KerasWalkOptions {
  readonly layers?: boolean;
  /** Per-example input shape (H, W, C for images) filling or replacing the first input's unknown dims. */
  readonly inputShape?: readonly number[];
  /** Weights of a layer the table cannot price, from the file's weights when it has them (by layer name). */
  readonly weightsOfLayer?: (name: string) => number | undefined;
}

const key = (ref: TensorRef): string => `${ref.layer}\u0000${ref.node}\u0000${ref.tensor}`;


function inputLayerShape(config: JsonObject): Shape | undefined {
  const shape = field(config, 'batch_input_shape') ?? field(config, 'batch_shape');
  if (Array.isArray(shape)) return shape.map((d): Dim => (typeof d === 'number' && d >= 0 ? d : null));
  const perExample = arrayField(config, 'input_shape') ?? arrayField(config, 'shape');
  return perExample === undefined ? undefined : [null, ...perExample.map((d): Dim => (typeof d === 'number' ? d : null))];
}

class KerasWalker {
  private readonly counted = new Set<string>();

  constructor(
    private readonly acc: CostAccumulator,
    private readonly where: string,
    private readonly options: KerasWalkOptions,
  ) {}

  /** Walk `graph`, its inputs given (a nested call) or read from its input layers; returns its output shapes. */
  walk(graph: KerasGraph, prefix: string, given: readonly Shape[] | undefined, frozen: boolean): Shape[] {
    const shapes = new Map<string, Shape>();
    const layers = new Map(graph.layers.map((l) => [l.name, l]));
    graph.inputs.forEach((ref, i) => {
      const layer = layers.get(ref.layer);
      if (layer === undefined) this.bad(`input '${ref.layer}' of '${graph.name}' is not one of its layers`);
      const declared = given?.[i] ?? inputLayerShape(layer.config);
      if (declared === undefined) this.bad(`input layer '${prefix}${layer.name}' states no shape`);
      shapes.set(key(ref), given === undefined && i === 0 ? this.withInputShape(declared, prefix + layer.name) : declared);
    });
    const nodeOffset = callNodeOffsets(graph);
    let pending = graph.layers.flatMap((layer) => (layer.className === 'InputLayer' ? [] : layer.calls.map((inputs, call) => ({ layer, call, inputs }))));
    while (pending.length > 0) {
      const waiting: typeof pending = [];
      for (const p of pending) {
        const inputs = p.inputs.map((ref) => shapes.get(key(ref)));
        if (inputs.some((s) => s === undefined)) {
          waiting.push(p);
          continue;
        }
        const outputs = this.call(p.layer, p.call, inputs as Shape[], prefix, frozen);
        const node = p.call + (nodeOffset.get(p.layer.name) ?? 0);
        outputs.forEach((shape, tensor) => shapes.set(key({ layer: p.layer.name, node, tensor }), shape));
      }
      if (waiting.length === pending.length) {
        const stuck = waiting[0];
        this.bad(`layer '${prefix}${stuck?.layer.name ?? '?'}' is called on tensors no layer of '${graph.name}' produces`);
      }
      pending = waiting;
    }
    return graph.outputs.map((ref) => shapes.get(key(ref)) ?? this.bad(`output '${ref.layer}' of '${graph.name}' is never computed`));
  }

  private call(layer: KerasLayer, call: number, inputs: readonly Shape[], prefix: string, frozenAbove: boolean): Shape[] {
    const name = prefix + layer.name;
    const frozen = frozenAbove || !booleanValue(layer.config, 'trainable', true);
    if (layer.model !== undefined) return this.walk(layer.model, `${name}/`, inputs, frozen);
    const recordName = call === 0 ? name : `${name}:${call}`;
    const handle = LAYER_HANDLES.get(layer.className);
    const firstCall = !this.counted.has(name);
    this.counted.add(name);
    if (handle === undefined) {
      // Not priced: its weights from the file where it has them; its output assumed to keep its input's shape.
      const weights = firstCall ? (this.options.weightsOfLayer?.(layer.name) ?? 0) : 0;
      this.acc.markUnsupported(recordName, layer.className);
      this.acc.setStage(layer.className);
      this.acc.add(recordName, 'unsupported', perExample(inputs[0] ?? []), frozen ? 0 : weights, frozen ? weights : 0, 0, 0);
      return [inputs[0] ?? []];
    }
    let price;
    try {
      price = handle(layer.config, inputs, layer.className);
    } catch (e) {
      if (e instanceof MissingDimension) this.shapeUnknown(recordName, layer.className, inputs, e.message);
      throw e;
    }
    if (price.macs === null) this.shapeUnknown(recordName, layer.className, inputs, 'its MACs need every dimension but the batch');
    const trainable = firstCall ? price.trainable : 0;
    const nonTrainable = firstCall ? price.nonTrainable : 0;
    if (price.kind === 'other' && trainable + nonTrainable === 0) return [price.output];
    this.acc.setStage(layer.className);
    this.acc.add(recordName, price.kind, perExample(price.output), frozen ? 0 : trainable, frozen ? trainable + nonTrainable : nonTrainable, price.macs, price.activations);
    return [price.output];
  }

  private withInputShape(declared: Shape, name: string): Shape {
    const given = this.options.inputShape;
    if (given === undefined) return declared;
    if (given.length !== declared.length - 1) {
      throw new AnalyzerError('SHAPE_UNKNOWN', `${this.where}: --input-shape ${given.join(',')} has ${given.length} dimensions; input '${name}' has ${declared.length - 1} (${formatShape(declared.slice(1))})`);
    }
    return [declared[0] ?? null, ...given];
  }

  private shapeUnknown(name: string, className: string, inputs: readonly Shape[], why: string): never {
    throw new AnalyzerError(
      'SHAPE_UNKNOWN',
      `${this.where}: layer '${name}' (${className}) gets input shape ${formatShape(inputs[0] ?? [])} and ${why}; pass the input size, e.g. --input-shape 224,224,3`,
    );
  }

  private bad(why: string): never {
    throw new AnalyzerError('BAD_MODEL', `${this.where}: ${why}`);
  }
}

/**
 * A model used as a layer keeps its own first node (its creation on its input layer), and Keras 2 and TF.js number
 * the outer calls from 1 (`_should_skip_first_node`); a layer referenced past its last call index is such a model.
 */
function callNodeOffsets(graph: KerasGraph): Map<string, number> {
  const highest = new Map<string, number>();
  const note = (ref: TensorRef): void => {
    highest.set(ref.layer, Math.max(highest.get(ref.layer) ?? 0, ref.node));
  };
  for (const layer of graph.layers) for (const call of layer.calls) call.forEach(note);
  graph.outputs.forEach(note);
  const offsets = new Map<string, number>();
  for (const layer of graph.layers) {
    if (layer.model !== undefined && (highest.get(layer.name) ?? 0) >= layer.calls.length) offsets.set(layer.name, 1);
  }
  return offsets;
}

const perExample = (shape: Shape): number[] => shape.slice(1).map((d) => d ?? 0);

/** Price a Keras model graph; `where` names the file in errors. */
export function analyzeKerasGraph(graph: KerasGraph, where: string, options: KerasWalkOptions = {}): Analysis {
  const acc = new CostAccumulator(options.layers === true);
  const walker = new KerasWalker(acc, where, options);
  walker.walk(graph, '', undefined, false);
  const inputLayer = graph.layers.find((l) => l.name === graph.inputs[0]?.layer);
  const resolution = options.inputShape?.[0] ?? (inputLayer === undefined ? undefined : inputLayerShape(inputLayer.config)?.[1]);
  return acc.finish(graph.name, resolution ?? 0);
}
