/** TF.js' `weightsManifest` (model.json): groups of shard paths and the name, shape and dtype of every weight. */
import { AnalyzerError } from '../errors.js';
import { arrayField, isObject, objectField, stringField } from '../json.js';
import type { JsonObject } from '../json.js';

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** The stored dtype when the converter quantized the weight (`uint8`, `uint16`, `float16`). */
  readonly quantized?: string;
  /** Index of the manifest group (and so of its shard files) that stores it. */
  readonly group: number;
}

/** The shard files of each manifest group, relative to model.json. */
export function manifestPaths(json: JsonObject): string[][] {
  return (arrayField(json, 'weightsManifest') ?? []).map((g) => (isObject(g) ? (arrayField(g, 'paths') ?? []).filter((p): p is string => typeof p === 'string') : []));
}

export function readWeightsManifest(json: JsonObject, where: string): WeightEntry[] | undefined {
  const groups = arrayField(json, 'weightsManifest');
  if (groups === undefined) return undefined;
  return groups.flatMap((group, groupIndex) => {
    const weights = isObject(group) ? arrayField(group, 'weights') : undefined;
    if (weights === undefined) throw new AnalyzerError('BAD_MODEL', `${where}: a weightsManifest group has no 'weights' list`);
    return weights.map((w) => {
      const shape = isObject(w) ? arrayField(w, 'shape') : undefined;
      const name = isObject(w) ? stringField(w, 'name') : undefined;
      if (!isObject(w) || name === undefined || shape === undefined || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
        throw new AnalyzerError('BAD_MODEL', `${where}: a weightsManifest entry lacks a name or a shape of whole numbers`);
      }
      const quantization = objectField(w, 'quantization');
      const quantized = quantization === undefined ? undefined : stringField(quantization, 'dtype');
      return { name, shape: shape as number[], dtype: stringField(w, 'dtype') ?? 'float32', group: groupIndex, ...(quantized === undefined ? {} : { quantized }) };
    });
  });
}

export const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Elements of the weights whose name starts with `layer/` (TF.js and the converter name weights `layer/kernel`). */
export function layerWeights(entries: readonly WeightEntry[]): (layer: string) => number | undefined {
  return (layer) => {
    const own = entries.filter((w) => w.name.startsWith(`${layer}/`));
    return own.length === 0 ? undefined : own.reduce((n, w) => n + elements(w.shape), 0);
  };
}
