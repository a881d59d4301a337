/**
 * A TF.js graph model's `modelTopology` (a TensorFlow GraphDef in JSON: `node[]` of `{name, op, input, attr}`) read
 * into typed nodes, with the attribute forms the converter writes: `{list: {i: ["1", "2"]}}`, `{s: <base64>}`,
 * `{i: "1"}`, `{b: true}`, `{shape: {dim: [{size: "-1"}]}}`, `{tensor: {tensorShape: {dim: […]}}}`.
 */
import { limitExceeded } from '@scalelab/arch';
import { AnalyzerError } from '../errors.js';
import { arrayField, field, isObject, objectField, stringField } from '../json.js';
import type { JsonObject } from '../json.js';

import type { Dim, Shape } from '../shape.js';

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs as (node, output index); control inputs (`^name`) are dropped. */
  readonly inputs: readonly { readonly node: string; readonly output: number }[];
  readonly attr: JsonObject;
}

export function readGraphNodes(topology: JsonObject, where: string): GraphNode[] {
  const nodes = arrayField(topology, 'node');
  if (nodes === undefined) throw new AnalyzerError('BAD_MODEL', `${where}: a graph model without a 'node' list in modelTopology`);
  // A graph's nodes are finer than layers (a conv with its bias and activation is one fused node, or three).
  const message = limitExceeded('layers', nodes.length / 4, `${where}: the graph's ${nodes.length} nodes, as layers,`);
  if (message !== null) throw new AnalyzerError('LIMIT_EXCEEDED', message);
  return nodes.map((n) => {
    const name = isObject(n) ? stringField(n, 'name') : undefined;
    const op = isObject(n) ? stringField(n, 'op') : undefined;
    if (!isObject(n) || name === undefined || op === undefined) throw new AnalyzerError('BAD_MODEL', `${where}: a graph node lacks a name or an op`);
    const inputs = (arrayField(n, 'input') ?? [])
      .filter((i): i is string => typeof i === 'string' && !i.startsWith('^'))
      .map((i) => {
        const match = /^(.*?)(?::(\d+))?$/.exec(i);
        return { node: match?.[1] ?? i, output: Number(match?.[2] ?? 0) };
      });
    return { name, op, inputs, attr: objectField(n, 'attr') ?? {} };
  });
}

const attrOf = (node: GraphNode, key: string): JsonObject | undefined => objectField(node.attr, key);

export function attrInts(node: GraphNode, key: string): number[] | undefined {
  const list = objectField(attrOf(node, key) ?? {}, 'list');
  const ints = list === undefined ? undefined : arrayField(list, 'i');
  return ints?.map((v) => Number(v));
}

export function attrString(node: GraphNode, key: string): string | undefined {
  const s = stringField(attrOf(node, key) ?? {}, 's');
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrBool(node: GraphNode, key: string): boolean {
  return field(attrOf(node, key) ?? {}, 'b') === true;
}

export function attrInt(node: GraphNode, key: string): number | undefined {
  const i = field(attrOf(node, key) ?? {}, 'i');
  return i === undefined ? undefined : Number(i);
}

function dims(shape: JsonObject | undefined): Shape | undefined {
  if (shape === undefined) return undefined;
  if (field(shape, 'unknownRank') === true) return undefined;
  return (arrayField(shape, 'dim') ?? []).map((d): Dim => {
    const size = isObject(d) ? Number(field(d, 'size') ?? -1) : -1;
    return size >= 0 ? size : null;
  });
}

/** A Placeholder's declared shape (`attr.shape.shape`). */
export const placeholderShape = (node: GraphNode): Shape | undefined => dims(objectField(attrOf(node, 'shape') ?? {}, 'shape'));

/** A Const's shape (`attr.value.tensor.tensorShape`); a scalar has no dims. */
export const constShape = (node: GraphNode): Shape | undefined => dims(objectField(objectField(attrOf(node, 'value') ?? {}, 'tensor') ?? {}, 'tensorShape'));
