/**
 * Arch files: a small `key: value` header, then one timm stage string per line. `#` starts a comment.
 *
 *     name: my-net
 *     resolution: 224
 *     stem: 32 k3 s2
 *     head: 1280
 *     ds_r1_k3_s1_e1_c16_se0.25
 *     ir_r2_k3_s2_e6_c24_se0.25
 *
 * Keys (defaults are EfficientNet-B0's): name, resolution (224), channels (3), stem (`32 k3 s2`, optionally
 * `pool3 s2`), head (1280: a 1×1 conv; `bn`: BN → act alone, as DenseNet; or `none`), classes (1000), dropout
 * (0.2), activation (swish | relu | relu6), rounding (v1 | v2), width (1), depth (1), conv-bias (false),
 * normalization (none | adapted), fix-head-stem (false; true keeps stem, head and the first and last stages' repeats
 * unscaled, as EfficientNet-Lite).
 */
import { formatStage, parseStage } from './archstring.js';
import { ArchError } from './errors.js';
import type { Activation, ChannelRounding, InputNormalization, NetworkSpec, StageSpec, StemSpec } from './spec.js';

const ACTIVATIONS: readonly Activation[] = ['swish', 'relu', 'relu6'];
const ROUNDINGS: readonly ChannelRounding[] = ['v1', 'v2'];
const NORMALIZATIONS: readonly InputNormalization[] = ['none', 'adapted'];

type Header = {
  -readonly [K in Exclude<keyof NetworkSpec, 'stages' | 'input'>]: NetworkSpec[K];
} & { resolution: number; channels: number; normalization: InputNormalization };

/** Parse an arch file (header lines, then one timm-style stage string per line) into a spec; `source` names it in errors. */
export function parseArchFile(text: string, source = 'arch file'): NetworkSpec {
  const header: Header = {
    name: source,
    resolution: 224,
    channels: 3,
    normalization: 'none',
    width: 1,
    depth: 1,
    rounding: 'v1',
    divisor: 8,
    activation: 'swish',
    convBias: false,
    fixHeadStem: false,
    stem: { out: 32, kernel: 3, stride: 2 },
    head: { kind: 'conv', out: 1280 },
    classes: 1000,
    dropout: 0.2,
  };
  const stages: StageSpec[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const where = `${source}, line ${index + 1}`;
    const fail = (why: string): never => {
      throw new ArchError('BAD_ARCH_FILE', `${where}: ${why}`);
    };
    const colon = line.indexOf(':');
    if (colon < 0) {
      try {
        stages.push(parseStage(line));
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
      return;
    }
    if (stages.length > 0) fail(`header line '${line}' after the first stage line`);
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const number = (min: number, integer: boolean): number => {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
        fail(`'${key}' needs ${integer ? 'a whole number' : 'a number'} ≥ ${min}, got '${value}'`);
      }
      return n;
    };
    const oneOf = <T extends string>(allowed: readonly T[]): T => {
      if (!(allowed as readonly string[]).includes(value)) fail(`'${key}' must be one of ${allowed.join(', ')}, got '${value}'`);
      return value as T;
    };
    switch (key) {
      case 'name':
        if (value === '') fail(`'name' is empty`);
        header.name = value;
        break;
      case 'resolution':
        header.resolution = number(1, true);
        break;
      case 'channels':
        header.channels = number(1, true);
        break;
      case 'classes':
        header.classes = number(1, true);
        break;
      case 'dropout':
        header.dropout = number(0, false);
        if (header.dropout >= 1) fail(`'dropout' must be below 1, got '${value}'`);
        break;
      case 'width':
        header.width = number(Number.MIN_VALUE, false);
        break;
      case 'depth':
        header.depth = number(Number.MIN_VALUE, false);
        break;
      case 'activation':
        header.activation = oneOf(ACTIVATIONS);
        break;
      case 'rounding':
        header.rounding = oneOf(ROUNDINGS);
        break;
      case 'normalization':
        header.normalization = oneOf(NORMALIZATIONS);
        break;
      case 'conv-bias':
        header.convBias = oneOf(['true', 'false'] as const) === 'true';
        break;
      case 'fix-head-stem':
        header.fixHeadStem = oneOf(['true', 'false'] as const) === 'true';
        break;
      case 'head':
        header.head = value === 'none' ? null : value === 'bn' ? { kind: 'bn' } : { kind: 'conv', out: number(1, true) };
        break;
      case 'stem':
        header.stem = parseStem(value, fail);
        break;
      default:
        fail(`unknown header key '${key}'`);
    }
  });
  if (stages.length === 0) throw new ArchError('BAD_ARCH_FILE', `${source}: no stage lines (e.g. 'ir_r2_k3_s2_e6_c24_se0.25')`);
  const { resolution, channels, normalization, ...rest } = header;
  return { ...rest, input: { resolution, channels, normalization }, stages };
}

function parseStem(value: string, fail: (why: string) => never): StemSpec {
  const match = /^(\d+)(?:\s+k(\d+))?(?:\s+s(\d+))?(?:\s+pool(\d+)\s+s(\d+))?$/.exec(value);
  if (match === null) fail(`'stem' must look like '32 k3 s2' (optionally '… pool3 s2'), got '${value}'`);
  const [, out, kernel, stride, poolKernel, poolStride] = match;
  const positive = (s: string | undefined, fallback: number): number => {
    const n = s === undefined ? fallback : Number(s);
    if (n < 1) fail(`'stem' values must be at least 1, got '${value}'`);
    return n;
  };
  const stem = { out: positive(out, 32), kernel: positive(kernel, 3), stride: positive(stride, 2) };
  return poolKernel === undefined ? stem : { ...stem, pool: { kernel: positive(poolKernel, 3), stride: positive(poolStride, 2) } };
}

/** Print a spec as an arch file that `parseArchFile` reads back to the same spec. */
export function formatArchFile(spec: NetworkSpec): string {
  const stem = `${spec.stem.out} k${spec.stem.kernel} s${spec.stem.stride}` + (spec.stem.pool ? ` pool${spec.stem.pool.kernel} s${spec.stem.pool.stride}` : '');
  return [
    `name: ${spec.name}`,
    `resolution: ${spec.input.resolution}`,
    `channels: ${spec.input.channels}`,
    `normalization: ${spec.input.normalization}`,
    `width: ${spec.width}`,
    `depth: ${spec.depth}`,
    `rounding: ${spec.rounding}`,
    `activation: ${spec.activation}`,
    `conv-bias: ${spec.convBias}`,
    `stem: ${stem}`,
    `fix-head-stem: ${spec.fixHeadStem}`,
    `head: ${spec.head === null ? 'none' : spec.head.kind === 'bn' ? 'bn' : spec.head.out}`,
    `classes: ${spec.classes}`,
    `dropout: ${spec.dropout}`,
    ...spec.stages.map(formatStage),
    '',
  ].join('\n');
}
