/**
 * A study's baseline: a zoo name or an arch file, and the spec a journal keeps of it. A journal is untrusted input,
 * so its spec must survive a round trip through the arch-file format (which checks every field) unchanged.
 */
import { basename } from 'node:path';
import { ArchError, ZOO_NAMES, formatArchFile, isZooModel, parseArchFile, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { SearchError } from './errors.js';
import { readBoundedText } from './files.js';

/** A zoo model by name, or an arch file by path. */
export function resolveBaselineSpec(name: string): NetworkSpec {
  if (isZooModel(name)) return zooModel(name);
  if (name.endsWith('.json')) throw new ArchError('UNKNOWN_MODEL', `the baseline must be a zoo model or an arch file, not a model.json ('${name}')`);
  let text: string;
  try {
    text = readBoundedText(name, 'arch file');
  } catch (e) {
    if (e instanceof SearchError && e.code === 'BAD_CONFIG') throw new ArchError('UNKNOWN_MODEL', `unknown model '${name}': not a zoo model and not a readable arch file (zoo: ${ZOO_NAMES.join(', ')})`);
    throw e;
  }
  return parseArchFile(text, basename(name));
}

/** JSON with keys sorted and undefined fields dropped, to compare two specs by value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
}

/** The baseline spec a journal holds, checked; `where` names the journal in the error. */
export function specFromJournal(value: unknown, where: string): NetworkSpec {
  const bad = (why: string): never => {
    throw new SearchError('BAD_JOURNAL', `${where}: the study's baseline_spec ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('is not an object');
  const spec = value as NetworkSpec;
  if (typeof spec.name !== 'string' || /[\r\n]/.test(spec.name)) return bad('has no valid name');
  let again: NetworkSpec;
  try {
    again = parseArchFile(formatArchFile(spec), spec.name);
  } catch (e) {
    return bad(`is not a valid network (${e instanceof Error ? e.message : String(e)})`);
  }
  // The arch format has no divisor field (8 throughout the zoo): carry it over, checked.
  if (!Number.isInteger(spec.divisor) || spec.divisor < 1 || spec.divisor > 256) return bad(`has an invalid divisor ${String(spec.divisor)}`);
  again = { ...again, divisor: spec.divisor };
  if (canonical(again) !== canonical(spec)) return bad('holds fields or values the arch format does not (was it edited?)');
  return again;
}
