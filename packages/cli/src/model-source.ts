/**
 * What a `<model>` argument names: a zoo model, an arch file, or a model file (a TF.js model.json or its folder, a
 * Keras `.keras` archive, … — `analyzeModelFile` tells the formats apart and names the ones it does not read).
 */
import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ArchError, ZOO_NAMES, isZooModel, parseArchFile, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { MODEL_FILE_EXTENSIONS } from '@scalelab/analyzer';
import { readBoundedText } from '@scalelab/search/validation';

export type ModelSource =
  | { readonly kind: 'spec'; readonly spec: NetworkSpec }
  | { readonly kind: 'model-file'; readonly path: string };

export function resolveModel(arg: string): ModelSource {
  // Arch files are read whole but bounded (ScaleLab's file limit), and parsed as untrusted text.
  if (isZooModel(arg)) return { kind: 'spec', spec: zooModel(arg) };
  let isFile = false;
  try {
    isFile = statSync(arg).isFile();
  } catch {
    throw new ArchError('UNKNOWN_MODEL', `unknown model '${arg}': not a zoo model and no such file (zoo: ${ZOO_NAMES.join(', ')})`);
  }
  if (!isFile || MODEL_FILE_EXTENSIONS.includes(extname(arg).toLowerCase())) return { kind: 'model-file', path: arg };
  return { kind: 'spec', spec: parseArchFile(readBoundedText(arg, 'arch file'), basename(arg)) };
}
