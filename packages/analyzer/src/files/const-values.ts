/**
 * Small integer constants of a graph model (reduction axes, paddings, target shapes) read from its weight shards
 * when they sit beside model.json: each manifest group's shards are one byte stream holding its weights in order,
 * each `elements × bytes per element` long (the quantized dtype's size where the converter quantized it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { elements } from './weights-manifest.js';
import type { WeightEntry } from './weights-manifest.js';

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1, int8: 1, int16: 2 };

/** Only constants this small are read: they are shapes and axes, never weights. */
const MAX_ELEMENTS = 64;

export function constIntReader(modelJsonPath: string, entries: readonly WeightEntry[], paths: readonly (readonly string[])[]): (name: string) => number[] | undefined {
  const values = new Map<string, number[]>();
  const offsets = new Map<number, number>();
  const streams = new Map<number, Buffer | null>();
  const stream = (group: number): Buffer | null => {
    if (!streams.has(group)) {
      const files = (paths[group] ?? []).map((p) => join(dirname(modelJsonPath), p));
      streams.set(group, files.length > 0 && files.every((f) => existsSync(f)) ? Buffer.concat(files.map((f) => readFileSync(f))) : null);
    }
    return streams.get(group) ?? null;
  };
  for (const w of entries) {
    const size = BYTES[w.quantized ?? w.dtype];
    const offset = offsets.get(w.group) ?? 0;
    // A dtype of unknown size (strings) ends what can be located in its group.
    if (size === undefined) {
      offsets.set(w.group, Number.NaN);
      continue;
    }
    offsets.set(w.group, offset + elements(w.shape) * size);
    if (w.dtype !== 'int32' || w.quantized !== undefined || elements(w.shape) > MAX_ELEMENTS || Number.isNaN(offset)) continue;
    const bytes = stream(w.group);
    if (bytes === null || offset + elements(w.shape) * 4 > bytes.length) continue;
    values.set(w.name, Array.from({ length: elements(w.shape) }, (_, i) => bytes.readInt32LE(offset + 4 * i)));
  }
  return (name) => values.get(name);
}
