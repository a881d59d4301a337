/**
 * Scaling strategies as data. A strategy turns a target cost multiplier s into continuous multipliers (d, w, r) with
 * d·w²·r² = s (FLOPs grow with depth, width² and resolution²: Tan & Le 2019, §3.3). Every strategy here is a power
 * law — d = s^e_d, w = s^e_w, r = s^e_r with e_d + 2·e_w + 2·e_r = 1 — which is how Dollár, Singh & Girshick 2021
 * ("Fast and Accurate Model Scaling", §4; pycls `scaler.py`) write them all; the kinds differ only in how they
 * choose the exponents.
 *
 * One string form (`depth`, `compound:1.2,1.1,1.15`, `fast:0.8`, `exp:0.2,0.2,0.2`) is parsed by `parseStrategy`
 * and printed by `formatStrategy`, and nowhere else. A new kind is one entry in `STRATEGY_RULES`; a new named preset
 * is one entry in `STRATEGY_PRESETS`.
 */
import { ArchError } from './errors.js';
import { checkLimit, limitExceeded } from './limits.js';
import type { CompoundCoefficients } from './scale.js';
import type { Multipliers } from './spec.js';

/** The strategies, by kind. `exp` exponents are named by the dimension they raise s to. */
export interface StrategyByKind {
  readonly depth: { readonly kind: 'depth' };
  readonly width: { readonly kind: 'width' };
  readonly resolution: { readonly kind: 'resolution' };
  readonly compound: { readonly kind: 'compound' } & CompoundCoefficients;
  readonly fast: { readonly kind: 'fast'; readonly a: number };
  readonly exp: { readonly kind: 'exp'; readonly depth: number; readonly width: number; readonly resolution: number };
}
export type StrategyKind = keyof StrategyByKind;
export type Strategy = StrategyByKind[StrategyKind];

/** d = s^depth, w = s^width, r = s^resolution; depth + 2·width + 2·resolution = 1. */
export interface ScalingExponents {
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
}

/** A strategy with the text it was given as (a comparison reports strategies as the user wrote them). */
export interface GivenStrategy {
  readonly text: string;
  readonly strategy: Strategy;
}

interface StrategyRule<S extends Strategy> {
  /** The arguments after `kind:`, as help and messages name them; empty for a kind that takes none. */
  readonly argumentNames: readonly string[];
  /** The arguments when the kind is written alone (`compound`, `fast`); null when they must be given (`exp`). */
  readonly defaults: readonly number[] | null;
  /** Builds the strategy from its arguments, rejecting what the source rules out. `text` is for messages. */
  readonly make: (args: readonly number[], text: string) => S;
  /** The arguments printed after `kind:`, in `make`'s order. */
  readonly args: (strategy: S) => readonly number[];
  readonly exponents: (strategy: S) => ScalingExponents;
  /** One line for help texts. */
  readonly summary: string;
}

type StrategyRules = { readonly [K in StrategyKind]: StrategyRule<StrategyByKind[K]> };

/** The EfficientNet paper's coefficients (Tan & Le 2019, §3.3: α = 1.2, β = 1.1, γ = 1.15). */
export const PAPER_COEFFICIENTS: CompoundCoefficients = { alpha: 1.2, beta: 1.1, gamma: 1.15 };

/** Dollár et al.'s recommended fast scaling, "dWr" (a = 0.8; pycls `d1_w8_g8_r1`). */
const FAST_DEFAULT = 0.8;

/** How far e_d + 2·e_w + 2·e_r may be from 1: decimal exponents such as 0.2, 0.2, 0.2 sum to 1 + 2⁻⁵². */
const EXPONENT_SUM_TOLERANCE = 1e-9;

function bad(text: string, why: string): ArchError {
  return new ArchError('BAD_STRATEGY', `strategy '${text}': ${why}`);
}

/** A kind without arguments: s goes into fixed dimensions. */
function withoutArguments<S extends Strategy>(strategy: S, exponents: ScalingExponents, summary: string): StrategyRule<S> {
  return { argumentNames: [], defaults: [], make: () => strategy, args: () => [], exponents: () => exponents, summary };
}

export const STRATEGY_RULES: StrategyRules = {
  depth: withoutArguments({ kind: 'depth' }, { depth: 1, width: 0, resolution: 0 }, 'd = s (more blocks per stage)'),
  width: withoutArguments({ kind: 'width' }, { depth: 0, width: 0.5, resolution: 0 }, 'w = √s (more channels)'),
  resolution: withoutArguments({ kind: 'resolution' }, { depth: 0, width: 0, resolution: 0.5 }, 'r = √s (more pixels)'),
  compound: {
    argumentNames: ['α', 'β', 'γ'],
    defaults: [PAPER_COEFFICIENTS.alpha, PAPER_COEFFICIENTS.beta, PAPER_COEFFICIENTS.gamma],
    make: ([alpha = Number.NaN, beta = Number.NaN, gamma = Number.NaN], text) => {
      for (const [name, value] of [['α', alpha], ['β', beta], ['γ', gamma]] as const) {
        if (!(value >= 1)) throw bad(text, `${name} must be at least 1 (the paper's constraint α, β, γ ≥ 1), got ${value}`);
        const over = limitExceeded('coefficient', value, name);
        if (over !== null) throw bad(text, over);
      }
      // φ = ln s / ln c is undefined when c = α·β²·γ² = 1.
      if (!(alpha * beta ** 2 * gamma ** 2 > 1)) throw bad(text, 'α·β²·γ² must be above 1 (φ = ln s / ln(α·β²·γ²))');
      return { kind: 'compound', alpha, beta, gamma };
    },
    args: (c) => [c.alpha, c.beta, c.gamma],
    // Tan & Le: d = α^φ, w = β^φ, r = γ^φ with φ = ln s / ln c, so d = s^(ln α / ln c), and so on.
    exponents: (c) => {
      const lnC = Math.log(c.alpha * c.beta ** 2 * c.gamma ** 2);
      return { depth: Math.log(c.alpha) / lnC, width: Math.log(c.beta) / lnC, resolution: Math.log(c.gamma) / lnC };
    },
    summary: `EfficientNet: d = α^φ, w = β^φ, r = γ^φ, φ = ln s / ln(α·β²·γ²) (default ${PAPER_COEFFICIENTS.alpha},${PAPER_COEFFICIENTS.beta},${PAPER_COEFFICIENTS.gamma})`,
  },
  fast: {
    argumentNames: ['a'],
    defaults: [FAST_DEFAULT],
    make: ([a = Number.NaN], text) => {
      // Dollár et al. §4: a ∈ [0, 1] spans depth-and-resolution (a = 0) to width only (a = 1).
      if (!(a >= 0 && a <= 1)) throw bad(text, `a must be between 0 and 1 (Dollár et al. 2021), got ${a}`);
      return { kind: 'fast', a };
    },
    args: (f) => [f.a],
    // Dollár et al. §4 (pycls scaling_factors): d = s^((1−a)/2), w = s^(a/2), r = s^((1−a)/4).
    exponents: (f) => ({ depth: (1 - f.a) / 2, width: f.a / 2, resolution: (1 - f.a) / 4 }),
    summary: `Dollár et al. 2021: d = s^((1−a)/2), w = s^(a/2), r = s^((1−a)/4) (default a = ${FAST_DEFAULT})`,
  },
  exp: {
    argumentNames: ['e_d', 'e_w', 'e_r'],
    defaults: null,
    make: ([depth = Number.NaN, width = Number.NaN, resolution = Number.NaN], text) => {
      for (const [name, value] of [['e_d', depth], ['e_w', width], ['e_r', resolution]] as const) {
        // Negative exponents would shrink a dimension as s grows; cost would then no longer rise with s, which the
        // matched-cost search relies on (as compound's α, β, γ ≥ 1 and fast's a ∈ [0, 1] keep every e ≥ 0).
        if (!(value >= 0)) throw bad(text, `${name} must be at least 0 (scaling up never shrinks a dimension), got ${value}`);
      }
      const sum = depth + 2 * width + 2 * resolution;
      if (!(Math.abs(sum - 1) <= EXPONENT_SUM_TOLERANCE)) throw bad(text, `e_d + 2·e_w + 2·e_r must be 1 (so that d·w²·r² = s), got ${sum}`);
      return { kind: 'exp', depth, width, resolution };
    },
    args: (e) => [e.depth, e.width, e.resolution],
    exponents: (e) => ({ depth: e.depth, width: e.width, resolution: e.resolution }),
    summary: 'any exponents ≥ 0: d = s^e_d, w = s^e_w, r = s^e_r with e_d + 2·e_w + 2·e_r = 1',
  },
};

/** Named strategies that are a kind with fixed arguments. */
export const STRATEGY_PRESETS: Readonly<Record<string, { readonly strategy: Strategy; readonly summary: string }>> = {
  // pycls "dwr": the three dimensions weighted equally — fast scaling at a = 1/3.
  dwr: { strategy: { kind: 'fast', a: 1 / 3 }, summary: 'fast:1/3, pycls "dwr": d = s^(1/3), w = r = s^(1/6)' },
};

/** The comparison `scalelab compare` runs when no strategies are named (issue 12). */
export const DEFAULT_STRATEGIES = 'depth,width,resolution,compound,fast';

function isStrategyKind(name: string): name is StrategyKind {
  return Object.hasOwn(STRATEGY_RULES, name);
}

/** Applies a rule of the table to a strategy of its kind (`kind` is `strategy.kind`; passing it pairs them). */
function ruleCall<K extends StrategyKind, R>(kind: K, strategy: StrategyByKind[K], use: (rule: StrategyRule<StrategyByKind[K]>, strategy: StrategyByKind[K]) => R): R {
  return use(STRATEGY_RULES[kind], strategy);
}

/** Each written form (`depth`, `compound[:α,β,γ]`, `exp:e_d,e_w,e_r`, `dwr`, …) with its one-line summary. */
export function strategyForms(): { readonly form: string; readonly summary: string }[] {
  const kinds = Object.entries(STRATEGY_RULES).map(([kind, rule]) => {
    const args = rule.argumentNames.join(',');
    const form = args === '' ? kind : rule.defaults === null ? `${kind}:${args}` : `${kind}[:${args}]`;
    return { form, summary: rule.summary };
  });
  return [...kinds, ...Object.entries(STRATEGY_PRESETS).map(([form, preset]) => ({ form, summary: preset.summary }))];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseArguments(text: string, raw: string): number[] {
  return raw.split(',').map((token) => {
    const trimmed = token.trim();
    if (!NUMBER.test(trimmed)) throw bad(text, `'${trimmed}' is not a number`);
    return Number(trimmed);
  });
}

/** Parses one strategy: `kind`, `kind:arg,arg,…` or a preset name. */
export function parseStrategy(text: string): Strategy {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const preset = Object.hasOwn(STRATEGY_PRESETS, name) ? STRATEGY_PRESETS[name] : undefined;
  if (preset !== undefined) {
    if (colon >= 0) throw bad(trimmed, `'${name}' takes no arguments`);
    return preset.strategy;
  }
  if (!isStrategyKind(name)) {
    throw new ArchError('BAD_STRATEGY', `unknown strategy '${trimmed}' (strategies: ${strategyForms().map((f) => f.form).join(', ')})`);
  }
  const rule = STRATEGY_RULES[name];
  let args: readonly number[];
  if (colon < 0) {
    if (rule.defaults === null) throw bad(trimmed, `'${name}' needs its arguments: ${name}:${rule.argumentNames.join(',')}`);
    args = rule.defaults;
  } else {
    if (rule.argumentNames.length === 0) throw bad(trimmed, `'${name}' takes no arguments`);
    args = parseArguments(trimmed, trimmed.slice(colon + 1));
    if (args.length !== rule.argumentNames.length) throw bad(trimmed, `'${name}' takes ${rule.argumentNames.length} argument(s), ${rule.argumentNames.join(', ')}; got ${args.length}`);
  }
  return rule.make(args, trimmed);
}

/** The one printed form: `kind`, or `kind:arg,…` (numbers as JavaScript prints them, so parsing gives them back). */
export function formatStrategy(strategy: Strategy): string {
  const args = ruleCall(strategy.kind, strategy, (rule, s) => rule.args(s));
  return args.length === 0 ? strategy.kind : `${strategy.kind}:${args.map(String).join(',')}`;
}

export function strategyExponents(strategy: Strategy): ScalingExponents {
  return ruleCall(strategy.kind, strategy, (rule, s) => rule.exponents(s));
}

/** The continuous multipliers for cost multiplier s: d = s^e_d, w = s^e_w, r = s^e_r (so d·w²·r² = s). */
export function strategyMultipliers(strategy: Strategy, s: number): Multipliers {
  if (!(Number.isFinite(s) && s > 0)) throw new ArchError('BAD_MULTIPLIER', `the cost multiplier s must be a positive number, got ${String(s)}`);
  const e = strategyExponents(strategy);
  return { depth: s ** e.depth, width: s ** e.width, resolution: s ** e.resolution };
}

/** Compound scaling with a study's best coefficients (`--from`): checked as `compound:α,β,γ` is. */
export function compoundStrategy(coefficients: CompoundCoefficients): StrategyByKind['compound'] {
  const { alpha, beta, gamma } = coefficients;
  return STRATEGY_RULES.compound.make([alpha, beta, gamma], `compound:${alpha},${beta},${gamma}`);
}

/**
 * A comma-separated list of strategies: `depth,compound:1.2,1.1,1.15,fast`. A name starts a strategy and the numbers
 * after it are its arguments, so compound's commas need no quoting. Bounded by ScaleLab's strategy limit; a
 * strategy listed twice (also as another spelling: `fast` and `fast:0.8`) is refused.
 */
export function parseStrategyList(text: string): GivenStrategy[] {
  const tokens = text.split(',').map((t) => t.trim());
  const groups: string[][] = [];
  for (const token of tokens) {
    if (token === '') throw new ArchError('BAD_STRATEGY', `strategy list '${text}' has an empty entry`);
    const last = groups.at(-1);
    if (/^[A-Za-z]/.test(token) || last === undefined) groups.push([token]);
    else last.push(token);
  }
  checkLimit('strategies', groups.length, 'the number of strategies');
  const seen = new Map<string, string>();
  return groups.map((group) => {
    const given = group.join(',');
    const strategy = parseStrategy(given);
    const canonical = formatStrategy(strategy);
    const earlier = seen.get(canonical);
    if (earlier !== undefined) throw new ArchError('BAD_STRATEGY', `strategy '${given}' is listed twice (as '${earlier}' too)`);
    seen.set(canonical, given);
    return { text: given, strategy };
  });
}

/** The list form `parseStrategyList` reads. */
export function formatStrategyList(strategies: readonly Strategy[]): string {
  return strategies.map(formatStrategy).join(',');
}
