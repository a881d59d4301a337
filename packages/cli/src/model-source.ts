/** What a `<model>` argument names: a zoo model, an arch file, or a TF.js `model.json`. */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ArchError, ZOO_NAMES, isZooModel, parseArchFile, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';

export type ModelSource =
  | { readonly kind: 'spec'; readonly spec: NetworkSpec }
  | { readonly kind: 'topology'; readonly path: string };

export function resolveModel(arg: string): ModelSource {
  if (isZooModel(arg)) return { kind: 'spec', spec: zooModel(arg) };
  let isFile = false;
  try {
    isFile = statSync(arg).isFile();
  } catch {
    throw new ArchError('UNKNOWN_MODEL', `unknown model '${arg}': not a zoo model and no such file (zoo: ${ZOO_NAMES.join(', ')})`);
  }
  if (!isFile) throw new ArchError('UNKNOWN_MODEL', `'${arg}' is not a file (expected a zoo name, an arch file or a model.json)`);
  if (arg.endsWith('.json')) return { kind: 'topology', path: arg };
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (e) {
    throw new ArchError('BAD_ARCH_FILE', `cannot read arch file '${arg}': ${e instanceof Error ? e.message : String(e)}`);
  }
  return { kind: 'spec', spec: parseArchFile(text, basename(arg)) };
}
