/**
 * timm's block-string grammar (`timm/models/_efficientnet_builder.py`), one string per stage:
 * `{type}_r{repeats}_k{kernel}_s{stride}_e{expansion}_c{channels}[_se{ratio}][_n{act}][_noskip|_skip]`.
 *
 * Types: `cn` conv, `ds` depthwise-separable, `ir` inverted residual (MBConv), `er` edge residual (Fused-MBConv),
 * plus two of ours for ResNets: `bt` bottleneck (`e` = inner width / out) and `bb` basic block.
 * Activations: `nre` ReLU, `nr6` ReLU6, `nsw` swish. As in timm, `cn` has no residual unless `skip` is given;
 * the others have one unless `noskip` is given.
 */
import { ArchError } from './errors.js';
import type { Activation, BlockSpec, StageSpec } from './spec.js';

const TYPE_TO_KIND = {
  cn: 'conv',
  ds: 'ds',
  ir: 'mbconv',
  er: 'fused',
  bt: 'bottleneck',
  bb: 'basic',
} as const;
type BlockType = keyof typeof TYPE_TO_KIND;

const KIND_TO_TYPE: Record<BlockSpec['kind'], BlockType> = {
  conv: 'cn',
  ds: 'ds',
  mbconv: 'ir',
  fused: 'er',
  bottleneck: 'bt',
  basic: 'bb',
};

const ACTIVATION_CODES: Record<string, Activation> = { re: 'relu', r6: 'relu6', sw: 'swish' };
const ACTIVATION_TO_CODE: Record<Activation, string> = { relu: 're', relu6: 'r6', swish: 'sw' };

interface Options {
  r?: number;
  k?: number;
  s?: number;
  e?: number;
  c?: number;
  se?: number;
  activation?: Activation;
  skip?: boolean;
}

function fail(text: string, why: string): never {
  throw new ArchError('BAD_ARCH_STRING', `malformed arch string '${text}': ${why}`);
}

function positiveNumber(text: string, token: string, value: string, integer: boolean): number {
  if (!/^\d+(\.\d+)?$/.test(value)) fail(text, `'${token}' needs a number, got '${value}'`);
  const n = Number(value);
  if (integer && !Number.isInteger(n)) fail(text, `'${token}' needs a whole number, got '${value}'`);
  return n;
}

function parseOptions(text: string, tokens: readonly string[]): Options {
  const options: Options = {};
  const seen = new Set<string>();
  const once = (key: string, token: string): void => {
    if (seen.has(key)) fail(text, `'${token}' repeats option '${key}'`);
    seen.add(key);
  };
  for (const token of tokens) {
    if (token === 'noskip' || token === 'skip') {
      once('skip', token);
      options.skip = token === 'skip';
    } else if (token.startsWith('se')) {
      once('se', token);
      options.se = positiveNumber(text, token, token.slice(2), false);
      if (options.se > 1) fail(text, `SE ratio must be in [0, 1], got ${options.se}`);
    } else if (token.startsWith('n')) {
      once('n', token);
      const act = ACTIVATION_CODES[token.slice(1)];
      if (act === undefined) fail(text, `unknown activation '${token}' (expected nre, nr6 or nsw)`);
      options.activation = act;
    } else {
      const key = token[0];
      const value = token.slice(1);
      switch (key) {
        case 'r':
        case 'k':
        case 'c':
          once(key, token);
          options[key] = positiveNumber(text, token, value, true);
          if (options[key] === 0) fail(text, `'${token}' must be at least 1`);
          break;
        case 's':
          once(key, token);
          if (value.length !== 1) fail(text, `'${token}': only one stride digit is supported (no separate h/w strides)`);
          options.s = positiveNumber(text, token, value, true);
          if (options.s === 0) fail(text, `'${token}' must be at least 1`);
          break;
        case 'e':
          once(key, token);
          options.e = positiveNumber(text, token, value, false);
          if (options.e === 0) fail(text, `'${token}' must be positive`);
          break;
        default:
          fail(text, `unknown option '${token}'`);
      }
    }
  }
  return options;
}

function required<K extends keyof Options>(text: string, options: Options, key: K, token: string): NonNullable<Options[K]> {
  const value = options[key];
  if (value === undefined) fail(text, `missing '${token}'`);
  return value as NonNullable<Options[K]>;
}

/** Parse one stage string such as `ir_r2_k3_s2_e6_c24_se0.25` into a repeated block. */
export function parseStage(text: string): StageSpec {
  const tokens = text.trim().split('_');
  const type = tokens[0] ?? '';
  if (!(type in TYPE_TO_KIND)) fail(text, `unknown block type '${type}' (expected one of ${Object.keys(TYPE_TO_KIND).join(', ')})`);
  const kind = TYPE_TO_KIND[type as BlockType];
  const o = parseOptions(text, tokens.slice(1));
  const repeats = o.r ?? 1;
  const kernel = required(text, o, 'k', 'k<kernel>');
  const stride = o.s ?? 1;
  const out = required(text, o, 'c', 'c<channels>');
  const act = o.activation === undefined ? {} : { activation: o.activation };
  const noSe = (what: string): void => {
    if (o.se !== undefined && o.se > 0) fail(text, `${what} blocks take no SE ratio`);
  };
  const onlyUnitExpansion = (what: string): void => {
    if (o.e !== undefined && o.e !== 1) fail(text, `${what} blocks take no expansion (e1 or none), got e${o.e}`);
  };
  const noSkipOption = (what: string): void => {
    if (o.skip !== undefined) fail(text, `${what} blocks always have a shortcut; 'skip'/'noskip' do not apply`);
  };
  let block: BlockSpec;
  switch (kind) {
    case 'conv':
      onlyUnitExpansion('cn');
      noSe('cn');
      block = { kind, kernel, stride, out, skip: o.skip === true, ...act };
      break;
    case 'ds':
      onlyUnitExpansion('ds');
      block = { kind, kernel, stride, out, se: o.se ?? 0, skip: o.skip !== false, ...act };
      break;
    case 'mbconv':
    case 'fused':
      block = { kind, kernel, stride, expand: required(text, o, 'e', 'e<expansion>'), out, se: o.se ?? 0, skip: o.skip !== false, ...act };
      break;
    case 'bottleneck':
      noSe('bt');
      noSkipOption('bt');
      block = { kind, kernel, stride, bottleneck: required(text, o, 'e', 'e<inner width / out>'), out, ...act };
      break;
    case 'basic':
      noSe('bb');
      noSkipOption('bb');
      onlyUnitExpansion('bb');
      block = { kind, kernel, stride, out, ...act };
      break;
  }
  return { repeats, block };
}

/** Print a stage in the canonical form `parseStage` reads back to the same spec. */
export function formatStage(stage: StageSpec): string {
  const b = stage.block;
  const parts: string[] = [KIND_TO_TYPE[b.kind], `r${stage.repeats}`, `k${b.kernel}`, `s${b.stride}`];
  switch (b.kind) {
    case 'conv':
    case 'ds':
    case 'basic':
      parts.push('e1');
      break;
    case 'mbconv':
    case 'fused':
      parts.push(`e${b.expand}`);
      break;
    case 'bottleneck':
      parts.push(`e${b.bottleneck}`);
      break;
  }
  parts.push(`c${b.out}`);
  if ((b.kind === 'ds' || b.kind === 'mbconv' || b.kind === 'fused') && b.se > 0) parts.push(`se${b.se}`);
  if (b.activation !== undefined) parts.push(`n${ACTIVATION_TO_CODE[b.activation]}`);
  if (b.kind === 'conv' && b.skip) parts.push('skip');
  if ((b.kind === 'ds' || b.kind === 'mbconv' || b.kind === 'fused') && !b.skip) parts.push('noskip');
  return parts.join('_');
}
