/**
 * Exact cost of a TF.js graph model (`"format": "graph-model"`): params are the float weights of its manifest (a
 * frozen graph has no trainable flag; BN is folded into the convolutions by the converter); MACs come from the op
 * handle table over the graph, with shapes propagated from the input Placeholder. An op without a handle is listed
 * in `unsupported`; where a priced op's shape depends on one that cannot be inferred, the error names the node where
 * shapes stop and asks for `--input-shape`.
 */
import { CostAccumulator } from '../cost.js';
import type { Analysis } from '../cost.js';
import { AnalyzerError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { elements } from '../files/weights-manifest.js';
import type { WeightEntry } from '../files/weights-manifest.js';
import { constShape, placeholderShape, readGraphNodes } from './graph-nodes.js';
import type { GraphNode } from './graph-nodes.js';
import { formatShape } from '../shape.js';
import type { Shape } from '../shape.js';
import { OP_HANDLES } from './op-handles.js';

export interface GraphWalkOptions {
  readonly layers?: boolean;
  /** Per-example input shape (H, W, C), replacing the first Placeholder's dims after the batch. */
  readonly inputShape?: readonly number[];
  /** Integer values of small Consts, from the weight shards when present. */
  readonly constInts?: (name: string) => readonly number[] | undefined;
}


const isFloat = (w: WeightEntry): boolean => w.dtype.startsWith('float');

/** Nodes in dependency order (the converter writes them so; this does not rely on it). */
function dependencyOrder(nodes: readonly GraphNode[], where: string): GraphNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: GraphNode[] = [];
  for (const root of nodes) {
    const stack: { node: GraphNode; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (top.next === 0) {
        if (state.get(top.node.name) === 'done') {
          stack.pop();
          continue;
        }
        state.set(top.node.name, 'visiting');
      }
      const input = top.node.inputs[top.next];
      if (input !== undefined) {
        top.next += 1;
        const dep = byName.get(input.node);
        if (dep === undefined) throw new AnalyzerError('BAD_MODEL', `${where}: node '${top.node.name}' reads '${input.node}', which the graph does not have`);
        // A cycle (TF control flow: NextIteration → Merge) is cut here; such loops are not priced per iteration.
        if (state.get(dep.name) === undefined) stack.push({ node: dep, next: 0 });
        continue;
      }
      state.set(top.node.name, 'done');
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

export function analyzeGraphModel(topology: JsonObject, weights: readonly WeightEntry[], name: string, where: string, options: GraphWalkOptions = {}): Analysis {
  const nodes = dependencyOrder(readGraphNodes(topology, where), where);
  const acc = new CostAccumulator(options.layers === true);
  const weightShapes = new Map(weights.map((w) => [w.name, w]));
  const shapes = new Map<string, Shape | undefined>();
  /** For a node whose shape is (partly) unknown: the first node on its path where shapes stopped. */
  const stoppedAt = new Map<string, GraphNode>();
  let firstInput: Shape | undefined;
  let pricedWeights = 0;

  for (const node of nodes) {
    const inputShapes = node.inputs.map((i) => (i.output === 0 ? shapes.get(i.node) : undefined));
    let output: Shape | undefined;
    if (node.op === 'Placeholder') {
      output = placeholderShape(node);
      if (firstInput === undefined && output !== undefined) {
        if (options.inputShape !== undefined) {
          if (options.inputShape.length !== output.length - 1) {
            throw new AnalyzerError('SHAPE_UNKNOWN', `${where}: --input-shape ${options.inputShape.join(',')} has ${options.inputShape.length} dimensions; input '${node.name}' has ${output.length - 1} (${formatShape(output.slice(1))})`);
          }
          output = [output[0] ?? null, ...options.inputShape];
        }
        firstInput = output;
      }
    } else if (node.op === 'Const') {
      const stored = weightShapes.get(node.name);
      output = stored?.shape ?? constShape(node);
    } else {
      const handle = OP_HANDLES.get(node.op);
      if (handle === undefined) {
        acc.markUnsupported(node.name, node.op);
      } else {
        const values = node.inputs.map((i) => options.constInts?.(i.node));
        const price = handle(node, { shapes: inputShapes, values });
        output = price.output;
        if (price.kind !== null) {
          if (price.macs === null) {
            const origin = node.inputs.map((i) => stoppedAt.get(i.node)).find((n) => n !== undefined) ?? node;
            throw new AnalyzerError(
              'SHAPE_UNKNOWN',
              `${where}: shapes stop at node '${origin.name}' (${origin.op}), so node '${node.name}' (${node.op}) cannot be priced; pass the input size, e.g. --input-shape 224,224,3`,
            );
          }
          const params = node.inputs.slice(1).reduce((n, i) => {
            const w = weightShapes.get(i.node);
            return n + (w !== undefined && isFloat(w) ? elements(w.shape) : 0);
          }, 0);
          pricedWeights += params;
          const perExample = (output ?? []).slice(1).map((d) => d ?? 0);
          acc.setStage(node.op);
          acc.add(node.name, price.kind, perExample, params, 0, price.macs, perExample.reduce((a, b) => a * b, 1));
        }
      }
    }
    shapes.set(node.name, output);
    if (output === undefined || output.slice(1).includes(null)) {
      stoppedAt.set(node.name, node.inputs.map((i) => stoppedAt.get(i.node)).find((n) => n !== undefined) ?? node);
    }
  }
  const floatParams = weights.filter(isFloat).reduce((n, w) => n + elements(w.shape), 0);
  if (floatParams > pricedWeights) {
    // Weights read by ops that carry no MACs (folded BN offsets of unfused ops, preprocessing constants).
    acc.setStage('other');
    acc.add('(weights of ops without MACs)', 'other', [], floatParams - pricedWeights, 0, 0, 0);
  }
  return acc.finish(name, firstInput?.[1] ?? 0);
}
