/**
 * Keras 3 `.keras` files: a zip holding `config.json` (the model), `metadata.json` (`keras_version`, date) and
 * `model.weights.h5`, where Keras' `H5IOStore` keeps each layer's variables as datasets under
 * `layers/<layer>/vars/<i>` (nested models: `layers/<model>/layers/<layer>/vars/<i>`), beside `optimizer/…`. Unzipped
 * with fflate; the HDF5 file read with jsfive (pure JavaScript, no native dependency), shapes only.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { Dataset, File as Hdf5File, Group } from 'jsfive';
import { LIMITS } from '@scalelab/arch';
import { AnalyzerError } from '../errors.js';
import { isObject, stringField } from '../json.js';
import { checkFileSize } from './file-size.js';

export interface KerasArchive {
  readonly config: unknown;
  readonly kerasVersion?: string;
  /** Shapes of the model's variables; absent when the archive has no weights file. */
  readonly weights?: { readonly tensors: number; readonly params: number };
}

const MEMBERS = new Set(['config.json', 'metadata.json', 'model.weights.h5']);

function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new AnalyzerError('BAD_MODEL', `${where} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Every dataset under a group, recursively: the model's variables (`layers/…`, the model's own `vars`). */
function countDatasets(group: Group, into: { tensors: number; params: number }): void {
  for (const name of group.keys) {
    const child = group.get(name);
    if (child instanceof Dataset) {
      into.tensors += 1;
      into.params += child.shape.reduce((a, b) => a * b, 1);
    } else if (child instanceof Group) {
      countDatasets(child, into);
    }
  }
}

function readWeightShapes(bytes: Uint8Array, where: string): { tensors: number; params: number } {
  let file: Hdf5File;
  try {
    file = new Hdf5File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 'model.weights.h5');
  } catch (e) {
    throw new AnalyzerError('BAD_MODEL', `${where}: model.weights.h5 is not a readable HDF5 file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const counts = { tensors: 0, params: 0 };
  // The optimizer's slots and metrics' state live beside the model's variables; only `layers` and `vars` are the model's.
  for (const top of ['layers', 'vars']) {
    const group = file.keys.includes(top) ? file.get(top) : null;
    if (group instanceof Group) countDatasets(group, counts);
  }
  return counts;
}

export function readKerasArchive(path: string): KerasArchive {
  checkFileSize(path, 'archiveBytes');
  const bytes = readFileSync(path);
  let members: Record<string, Uint8Array>;
  try {
    // What a member unpacks to is bounded too (a zip bomb declares a small file and inflates to gigabytes).
    members = unzipSync(bytes, { filter: (f) => MEMBERS.has(f.name) && f.originalSize <= (f.name === 'model.weights.h5' ? LIMITS.archiveBytes.max : LIMITS.fileBytes.max) });
  } catch (e) {
    throw new AnalyzerError('BAD_MODEL', `'${path}' is not a readable .keras archive (a zip): ${e instanceof Error ? e.message : String(e)}`);
  }
  const config = members['config.json'];
  if (config === undefined) throw new AnalyzerError('BAD_MODEL', `'${path}' is a zip without config.json, so not a Keras 3 .keras archive`);
  const metadataBytes = members['metadata.json'];
  const metadata = metadataBytes === undefined ? undefined : parseJson(metadataBytes, `${path}: metadata.json`);
  const kerasVersion = isObject(metadata) ? stringField(metadata, 'keras_version') : undefined;
  const weightsBytes = members['model.weights.h5'];
  return {
    config: parseJson(config, `${path}: config.json`),
    ...(kerasVersion === undefined ? {} : { kerasVersion }),
    ...(weightsBytes === undefined ? {} : { weights: readWeightShapes(weightsBytes, path) }),
  };
}
