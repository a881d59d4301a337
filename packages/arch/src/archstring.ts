/**
 * timm's block-string grammar (`timm/models/_efficientnet_builder.py`), one string per stage:
 * `{type}_r{repeats}_k{kernel}_s{stride}_e{expansion}_c{channels}[_se{ratio}][_n{act}][_noskip|_skip]`.
 *
 * Types: `cn` conv, `ds` depthwise-separable, `dsa` the same with an activation after the pointwise conv and no
 * residual (timm's MobileNetV1 type), `ir` inverted residual (MBConv), `er` edge residual (Fused-MBConv), plus ours:
 * `bt` ResNet bottleneck (`e` = inner width / out), `bb` ResNet basic block and `dn` DenseNet layer (`c` = growth
 * rate, `e` = bottleneck width / growth; stride > 1 puts a transition in front).
 * Activations: `nre` ReLU, `nr6` ReLU6, `nsw` swish. As in timm, `cn` has no residual unless `skip` is given;
 * the others have one unless `noskip` is given.
 */
import { ArchError } from './errors.js';
import type { Activation, BlockKind, BlockSpec, StageSpec } from './spec.js';

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

/** What a stage string said, checked per block type by `PARSERS`. */
interface Parsed {
  readonly text: string;
  readonly o: Options;
  readonly kernel: number;
  readonly stride: number;
  readonly out: number;
  readonly act: { readonly activation?: Activation };
}

function noSe(p: Parsed, type: string): void {
  if (p.o.se !== undefined && p.o.se > 0) fail(p.text, `${type} blocks take no SE ratio`);
}
function onlyUnitExpansion(p: Parsed, type: string): void {
  if (p.o.e !== undefined && p.o.e !== 1) fail(p.text, `${type} blocks take no expansion (e1 or none), got e${p.o.e}`);
}
function noSkipOption(p: Parsed, type: string, why: string): void {
  if (p.o.skip !== undefined) fail(p.text, `${type} blocks ${why}; 'skip'/'noskip' do not apply`);
}

/** One parser per timm type code. */
const PARSERS = {
  cn: (p: Parsed): BlockSpec => {
    onlyUnitExpansion(p, 'cn');
    noSe(p, 'cn');
    return { kind: 'conv', kernel: p.kernel, stride: p.stride, out: p.out, skip: p.o.skip === true, ...p.act };
  },
  ds: (p: Parsed): BlockSpec => {
    onlyUnitExpansion(p, 'ds');
    return { kind: 'ds', kernel: p.kernel, stride: p.stride, out: p.out, se: p.o.se ?? 0, skip: p.o.skip !== false, pointwiseActivation: false, ...p.act };
  },
  // timm: `noskip = block_type == 'dsa' or …` — MobileNetV1's blocks have no residual.
  dsa: (p: Parsed): BlockSpec => {
    onlyUnitExpansion(p, 'dsa');
    noSkipOption(p, 'dsa', 'never have a shortcut');
    return { kind: 'ds', kernel: p.kernel, stride: p.stride, out: p.out, se: p.o.se ?? 0, skip: false, pointwiseActivation: true, ...p.act };
  },
  ir: (p: Parsed): BlockSpec => ({ kind: 'mbconv', kernel: p.kernel, stride: p.stride, expand: required(p.text, p.o, 'e', 'e<expansion>'), out: p.out, se: p.o.se ?? 0, skip: p.o.skip !== false, ...p.act }),
  er: (p: Parsed): BlockSpec => ({ kind: 'fused', kernel: p.kernel, stride: p.stride, expand: required(p.text, p.o, 'e', 'e<expansion>'), out: p.out, se: p.o.se ?? 0, skip: p.o.skip !== false, ...p.act }),
  bt: (p: Parsed): BlockSpec => {
    noSe(p, 'bt');
    noSkipOption(p, 'bt', 'always have a shortcut');
    return { kind: 'bottleneck', kernel: p.kernel, stride: p.stride, bottleneck: required(p.text, p.o, 'e', 'e<inner width / out>'), out: p.out, ...p.act };
  },
  bb: (p: Parsed): BlockSpec => {
    noSe(p, 'bb');
    noSkipOption(p, 'bb', 'always have a shortcut');
    onlyUnitExpansion(p, 'bb');
    return { kind: 'basic', kernel: p.kernel, stride: p.stride, out: p.out, ...p.act };
  },
  dn: (p: Parsed): BlockSpec => {
    noSe(p, 'dn');
    noSkipOption(p, 'dn', 'concatenate their input');
    return { kind: 'dense', kernel: p.kernel, stride: p.stride, bottleneck: required(p.text, p.o, 'e', 'e<bottleneck width / growth>'), growth: p.out, ...p.act };
  },
} as const;
type BlockType = keyof typeof PARSERS;

/** Parse one stage string such as `ir_r2_k3_s2_e6_c24_se0.25` into a repeated block. */
export function parseStage(text: string): StageSpec {
  const tokens = text.trim().split('_');
  const type = tokens[0] ?? '';
  if (!(type in PARSERS)) fail(text, `unknown block type '${type}' (expected one of ${Object.keys(PARSERS).join(', ')})`);
  const o = parseOptions(text, tokens.slice(1));
  const parsed: Parsed = {
    text,
    o,
    kernel: required(text, o, 'k', 'k<kernel>'),
    stride: o.s ?? 1,
    out: required(text, o, 'c', 'c<channels>'),
    act: o.activation === undefined ? {} : { activation: o.activation },
  };
  return { repeats: o.r ?? 1, block: PARSERS[type as BlockType](parsed) };
}

/** The tokens a block prints besides r, k, s and the activation. */
interface StageTokens {
  readonly type: BlockType;
  readonly e: number;
  readonly c: number;
  readonly se?: number;
  readonly skip?: 'skip' | 'noskip';
}

type SpecOfKind<K extends BlockKind> = Extract<BlockSpec, { readonly kind: K }>;

/** One printer per block kind: a new kind does not compile until it can be written back as a string. */
const PRINTERS: { readonly [K in BlockKind]: (b: SpecOfKind<K>) => StageTokens } = {
  conv: (b) => ({ type: 'cn', e: 1, c: b.out, ...(b.skip ? { skip: 'skip' } : {}) }),
  ds: (b) =>
    b.pointwiseActivation ? { type: 'dsa', e: 1, c: b.out, se: b.se } : { type: 'ds', e: 1, c: b.out, se: b.se, ...(b.skip ? {} : { skip: 'noskip' }) },
  mbconv: (b) => ({ type: 'ir', e: b.expand, c: b.out, se: b.se, ...(b.skip ? {} : { skip: 'noskip' }) }),
  fused: (b) => ({ type: 'er', e: b.expand, c: b.out, se: b.se, ...(b.skip ? {} : { skip: 'noskip' }) }),
  bottleneck: (b) => ({ type: 'bt', e: b.bottleneck, c: b.out }),
  basic: (b) => ({ type: 'bb', e: 1, c: b.out }),
  dense: (b) => ({ type: 'dn', e: b.bottleneck, c: b.growth }),
};

function printTokens<K extends BlockKind>(kind: K, block: SpecOfKind<K>): StageTokens {
  return PRINTERS[kind](block);
}

/** Print a stage in the canonical form `parseStage` reads back to the same spec. */
export function formatStage(stage: StageSpec): string {
  const b = stage.block;
  const t = printTokens(b.kind, b);
  const parts: string[] = [t.type, `r${stage.repeats}`, `k${b.kernel}`, `s${b.stride}`, `e${t.e}`, `c${t.c}`];
  if (t.se !== undefined && t.se > 0) parts.push(`se${t.se}`);
  if (b.activation !== undefined) parts.push(`n${ACTIVATION_TO_CODE[b.activation]}`);
  if (t.skip !== undefined) parts.push(t.skip);
  return parts.join('_');
}
