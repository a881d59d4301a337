/** Typed reads of a Keras layer config (Keras 2, Keras 3 and TF.js spell the same keys in snake_case). */
import { field, isObject } from '../json.js';
import type { JsonObject } from '../json.js';

export function numberValue(config: JsonObject, key: string, fallback: number): number {
  const v = field(config, key);
  return typeof v === 'number' ? v : fallback;
}

export function booleanValue(config: JsonObject, key: string, fallback: boolean): boolean {
  const v = field(config, key);
  return typeof v === 'boolean' ? v : fallback;
}

export function stringValue(config: JsonObject, key: string, fallback: string): string {
  const v = field(config, key);
  return typeof v === 'string' ? v : fallback;
}

/** `kernel_size: 3` or `[3, 3]` → `rank` numbers (Keras' `normalize_tuple`). */
export function tupleValue(config: JsonObject, key: string, rank: number, fallback: number): number[] {
  const v = field(config, key);
  if (typeof v === 'number') return Array.from({ length: rank }, () => v);
  if (Array.isArray(v) && v.length === rank && v.every((x) => typeof x === 'number')) return v as number[];
  return Array.from({ length: rank }, () => fallback);
}

/** An int or a list of ints (`axis`, `shared_axes`), or `undefined`. */
export function intsValue(config: JsonObject, key: string): number[] | undefined {
  const v = field(config, key);
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

/** Padding / cropping per spatial axis as (before, after): `1`, `[1, 2]` (symmetric per axis) or `[[0, 1], [0, 1]]`. */
export function pairsValue(config: JsonObject, key: string, rank: number): [number, number][] {
  const v = field(config, key);
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v]);
  if (Array.isArray(v)) {
    if (rank === 1 && v.length === 2 && v.every((x) => typeof x === 'number')) return [[v[0] as number, v[1] as number]];
    return Array.from({ length: rank }, (_, i) => {
      const axis: unknown = v[i];
      if (typeof axis === 'number') return [axis, axis];
      if (Array.isArray(axis) && typeof axis[0] === 'number' && typeof axis[1] === 'number') return [axis[0], axis[1]];
      return [0, 0];
    });
  }
  return Array.from({ length: rank }, () => [0, 0]);
}

/** Keras 3 writes `dtype` and initializers as objects; only their presence matters here. */
export const hasValue = (config: JsonObject, key: string): boolean => {
  const v = field(config, key);
  return v !== undefined && v !== null && !(isObject(v) && Object.keys(v).length === 0);
};
