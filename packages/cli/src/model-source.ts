/**
 * What a `<model>` argument names: a zoo model, an arch file, or a model file (a TF.js model.json or its folder, a
 * Keras `.keras` archive, … — `analyzeModelFile` tells the formats apart and names the ones it does not read).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ArchError, ZOO_NAMES, isZooModel, parseArchFile, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { MODEL_FILE_EXTENSIONS } from '@scalelab/analyzer';

export type ModelSource =
  | { readonly kind: 'spec'; readonly spec: NetworkSpec }
  | { readonly kind: 'model-file'; readonly path: string };

export function resolveModel(arg: string): ModelSource {
  if (isZooModel(arg)) return { kind: 'spec', spec: zooModel(arg) };
  let isFile = false;
  try {
    isFile = statSync(arg).isFile();
  } catch {
    throw new ArchError('UNKNOWN_MODEL', `unknown model '${arg}': not a zoo model and no such file (zoo: ${ZOO_NAMES.join(', ')})`);
  }
  if (!isFile || MODEL_FILE_EXTENSIONS.includes(extname(arg).toLowerCase())) return { kind: 'model-file', path: arg };
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (e) {
    throw new ArchError('BAD_ARCH_FILE', `cannot read arch file '${arg}': ${e instanceof Error ? e.message : String(e)}`);
  }
  return { kind: 'spec', spec: parseArchFile(text, basename(arg)) };
}
