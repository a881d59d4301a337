/**
 * A study's configuration: from flags or a JSON file (`--config`), validated with a schema (zod), resolved to
 * explicit values and saved with the study, so that a resume and a report see exactly what ran.
 */
import { availableParallelism } from 'node:os';
import * as z from 'zod';
import { LIMITS, parseStrategy } from '@scalelab/arch';
import { validateTargets } from '@scalelab/analyzer';
import type { LimitName } from '@scalelab/arch';
import { SearchError } from './errors.js';
import { DEFAULT_SPACE, validateSpace } from './space.js';
import type { SearchSpace } from './space.js';

export const BACKEND_CHOICES = ['tensorflow', 'wasm', 'cpu'] as const;

/** Study names become folder names: letters, digits, `.`, `_`, `-`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `1:2` or `{ "min": 1, "max": 2 }`. */
const range = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const m = /^\s*([^:]+):([^:]+)\s*$/.exec(value);
    const min = Number(m?.[1]);
    const max = Number(m?.[2]);
    if (m === null || !Number.isFinite(min) || !Number.isFinite(max)) {
      ctx.addIssue({ code: 'custom', message: `a range is MIN:MAX, got '${value}'` });
      return z.NEVER;
    }
    return { min, max };
  },
  z.strictObject({ min: z.number(), max: z.number() }),
);

const positiveInt = z.number().int().positive();
/** A whole number from 1 to a ScaleLab limit (named in the message). */
const boundedInt = (limit: LimitName): z.ZodNumber => positiveInt.max(LIMITS[limit].max, `over ScaleLab's limit of ${LIMITS[limit].max.toLocaleString('en-US')} ${LIMITS[limit].what}`);
const seed = z.number().int().min(0).max(2 ** 31 - 1);
const name = z.string().regex(NAME_PATTERN, 'a study name is 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit');
const description = z.string().max(10_000);
const modelName = z.string().min(1).max(4096);
const objectiveExpression = z.string().max(LIMITS.objectiveLength.max, `over ScaleLab's limit of ${LIMITS.objectiveLength.max.toLocaleString('en-US')} ${LIMITS.objectiveLength.what}`);
const direction = z.enum(['maximize', 'minimize']);
const halving = z.number().gt(1).max(100);
const learningRate = z.number().positive();
const augment = z.enum(['shift', 'none']);
const trialTimeout = z.number().positive().max(1e7);
const backend = z.enum(BACKEND_CHOICES);
const retries = z.number().int().min(0).max(LIMITS.retries.max, `over ScaleLab's limit of ${LIMITS.retries.max} ${LIMITS.retries.what}`);
const coefficientRange = z.strictObject({ min: z.number(), max: z.number() });
/** A strategy comparison: strategies as given (`fast:0.8`), cost targets, how s is matched to them. */
const comparison = z.strictObject({
  strategies: z.array(z.string().min(1).max(200)).min(1).max(LIMITS.strategies.max, `over ScaleLab's limit of ${LIMITS.strategies.max} ${LIMITS.strategies.what}`),
  targets: z.array(z.number()).min(1).max(LIMITS.costTargets.max, `over ScaleLab's limit of ${LIMITS.costTargets.max} ${LIMITS.costTargets.what}`),
  match: z.enum(['realized', 'nominal']),
});

/** What a config file (or the flags) may give; everything optional, unknown keys rejected. */
export const studyConfigInputSchema = z.strictObject({
  name: name.optional(),
  description: description.optional(),
  baseline: modelName.optional(),
  dataset: modelName.optional(),
  resolution: boundedInt('resolution').nullable().optional(),
  space: z
    .strictObject({
      alpha: range.optional(),
      beta: range.optional(),
      gamma: range.optional(),
      step: z.number().optional(),
      target: z.number().optional(),
      mode: z.enum(['tolerance', 'solve']).optional(),
      tolerance: z.number().optional(),
      phi: z.number().optional(),
    })
    .optional(),
  objective: z.strictObject({ expression: objectiveExpression.optional(), direction: direction.optional() }).optional(),
  budget: z
    .strictObject({
      epochs: boundedInt('epochs').optional(),
      steps: boundedInt('steps').optional(),
      batchSize: boundedInt('batch').optional(),
      halving: halving.nullable().optional(),
      learningRate: learningRate.nullable().optional(),
      augment: augment.optional(),
    })
    .optional(),
  seed: seed.optional(),
  seeds: boundedInt('seeds').optional(),
  workers: boundedInt('workers').optional(),
  retries: retries.optional(),
  trialTimeout: trialTimeout.nullable().optional(),
  backend: backend.nullable().optional(),
  familyMax: boundedInt('phiMax').optional(),
  comparison: comparison.nullable().optional(),
});

/**
 * A resolved config as a study keeps it (config.json, the journal's `scalelab_config`): every field explicit, the
 * same bounds as the input. A journal is untrusted input, so what it holds passes this and the space's limits
 * before anything is planned from it.
 */
export const studyConfigSchema = z.strictObject({
  name,
  description,
  baseline: modelName,
  dataset: modelName,
  resolution: boundedInt('resolution').nullable(),
  space: z.strictObject({ alpha: coefficientRange, beta: coefficientRange, gamma: coefficientRange, step: z.number(), target: z.number(), mode: z.enum(['tolerance', 'solve']), tolerance: z.number(), phi: z.number() }),
  objective: z.strictObject({ expression: objectiveExpression, direction }),
  budget: z.strictObject({ epochs: boundedInt('epochs').nullable(), steps: boundedInt('steps').nullable(), batchSize: boundedInt('batch'), halving: halving.nullable(), learningRate: learningRate.nullable(), augment }),
  seed,
  // Journals written before seeds existed trained one seed per point.
  seeds: boundedInt('seeds').default(1),
  workers: boundedInt('workers'),
  retries,
  trialTimeout: trialTimeout.nullable(),
  backend: backend.nullable(),
  familyMax: boundedInt('phiMax'),
  // Journals written before comparisons existed are coefficient searches.
  comparison: comparison.nullable().default(null),
});
export type StudyConfigInput = z.input<typeof studyConfigInputSchema>;

export interface Budget {
  /** Exactly one of epochs and steps is set. */
  readonly epochs: number | null;
  readonly steps: number | null;
  readonly batchSize: number;
  /** Successive halving's η (> 1), or null for one full-budget run per candidate. */
  readonly halving: number | null;
  /** Peak learning rate of every trial (null: the engine's default for its optimizer). */
  readonly learningRate: number | null;
  /**
   * Training augmentation of every trial. Default 'none', unlike `scalelab train`'s 'shift': random shifts only pay
   * off over 15+ epochs; in 3-epoch trials they ranked candidates by how fast they learn under augmentation
   * (proxy-b0 + MNIST: 49–95% across the demo's six candidates, against 90–95% without).
   */
  readonly augment: 'shift' | 'none';
}

/** The resolved configuration: every value explicit. */
export interface StudyConfig {
  readonly name: string;
  readonly description: string;
  readonly baseline: string;
  readonly dataset: string;
  /** Base resolution of the baseline before γ (null: the baseline's own). */
  readonly resolution: number | null;
  readonly space: SearchSpace;
  readonly objective: { readonly expression: string; readonly direction: 'maximize' | 'minimize' };
  readonly budget: Budget;
  readonly seed: number;
  /** Each point is trained this many times, with seeds seed, seed + 1, … (statistics need ≥ 2). */
  readonly seeds: number;
  readonly workers: number;
  readonly retries: number;
  /** Seconds; null: no limit. */
  readonly trialTimeout: number | null;
  readonly backend: (typeof BACKEND_CHOICES)[number] | null;
  /** The family φ = 1…familyMax priced after the grid. */
  readonly familyMax: number;
  /** A strategy comparison (`scalelab compare`) instead of the coefficient grid; its points replace the grid's. */
  readonly comparison: StudyComparison | null;
}

export interface StudyComparison {
  /** As given (`depth`, `fast:0.8`, `compound:1.2,1.1,1.15`), each parsed by arch's one strategy parser. */
  readonly strategies: readonly string[];
  /** Cost multipliers over the baseline's MACs. */
  readonly targets: readonly number[];
  readonly match: 'realized' | 'nominal';
}

/** A comparison's strategies and targets, checked by the same rules as `scalelab compare`'s flags. */
export function validateComparison(c: StudyComparison): void {
  for (const text of c.strategies) parseStrategy(text);
  validateTargets(c.targets);
}

/** Defaults for a search trial: 3 epochs (a proxy budget: the paper's step 1 ranks candidates, it does not converge them). */
export const DEFAULT_TRIAL_EPOCHS = 3;

function formatIssues(error: z.ZodError, source: string): string {
  return error.issues.map((i) => `${source}: ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`).join('; ');
}

/** Validate one input layer (a config file's JSON, or the flags). */
export function parseConfigInput(value: unknown, source: string): z.output<typeof studyConfigInputSchema> {
  const parsed = studyConfigInputSchema.safeParse(value);
  if (!parsed.success) throw new SearchError('BAD_CONFIG', formatIssues(parsed.error, source));
  return parsed.data;
}

type ParsedInput = z.output<typeof studyConfigInputSchema>;

/** A stored config (from config.json or a journal) checked as strictly as flags: schema, then the space's limits. */
export function parseStoredConfig(value: unknown, source: string): StudyConfig {
  const parsed = studyConfigSchema.safeParse(value);
  if (!parsed.success) throw new SearchError('BAD_CONFIG', formatIssues(parsed.error, source));
  const config = parsed.data;
  if (config.comparison !== null) validateComparison(config.comparison);
  if ((config.budget.epochs === null) === (config.budget.steps === null)) throw new SearchError('BAD_CONFIG', `${source}: budget: exactly one of epochs and steps must be set`);
  validateSpace(config.space);
  return config;
}

/** Later layers override earlier ones, field by field (nested space/objective/budget merged too). */
export function resolveConfig(layers: readonly ParsedInput[]): StudyConfig {
  const merged: ParsedInput = {};
  for (const layer of layers) {
    Object.assign(merged, { ...layer, space: { ...merged.space, ...layer.space }, objective: { ...merged.objective, ...layer.objective }, budget: { ...merged.budget, ...layer.budget } });
  }
  if (merged.name === undefined) throw new SearchError('BAD_CONFIG', 'a study needs a name (--name or "name" in the config file)');
  const b = merged.budget ?? {};
  // A budget given in one unit replaces the other: a file's epochs with --steps on the command line means steps.
  const lastBudget = [...layers].reverse().find((l) => l.budget?.epochs !== undefined || l.budget?.steps !== undefined)?.budget;
  if (lastBudget?.epochs !== undefined && lastBudget.steps !== undefined) throw new SearchError('BAD_CONFIG', 'give either epochs or steps as the trial budget, not both');
  const epochs = lastBudget?.steps !== undefined ? null : (lastBudget?.epochs ?? DEFAULT_TRIAL_EPOCHS);
  const steps = lastBudget?.steps ?? null;
  const s = merged.space ?? {};
  const space: SearchSpace = {
    alpha: s.alpha ?? DEFAULT_SPACE.alpha,
    beta: s.beta ?? DEFAULT_SPACE.beta,
    gamma: s.gamma ?? DEFAULT_SPACE.gamma,
    step: s.step ?? DEFAULT_SPACE.step,
    target: s.target ?? DEFAULT_SPACE.target,
    mode: s.mode ?? DEFAULT_SPACE.mode,
    tolerance: s.tolerance ?? DEFAULT_SPACE.tolerance,
    phi: s.phi ?? DEFAULT_SPACE.phi,
  };
  validateSpace(space);
  if (merged.comparison !== undefined && merged.comparison !== null) {
    validateComparison(merged.comparison);
    if (b.halving !== undefined && b.halving !== null) throw new SearchError('BAD_CONFIG', 'a comparison trains every point with the same budget; successive halving does not apply');
  }
  if ((merged.seeds ?? 1) > 1 && b.halving !== undefined && b.halving !== null) {
    throw new SearchError('BAD_CONFIG', 'successive halving ranks single runs; it cannot be combined with several seeds per point (give either --halving or --seeds)');
  }
  return {
    name: merged.name,
    description: merged.description ?? '',
    baseline: merged.baseline ?? 'proxy-b0',
    dataset: merged.dataset ?? 'mnist',
    resolution: merged.resolution ?? null,
    space,
    objective: { expression: merged.objective?.expression ?? 'accuracy', direction: merged.objective?.direction ?? 'maximize' },
    budget: { epochs, steps, batchSize: b.batchSize ?? 128, halving: b.halving ?? null, learningRate: b.learningRate ?? null, augment: b.augment ?? 'none' },
    seed: merged.seed ?? 0,
    seeds: merged.seeds ?? 1,
    workers: merged.workers ?? availableParallelism(),
    retries: merged.retries ?? 0,
    trialTimeout: merged.trialTimeout ?? null,
    backend: merged.backend ?? null,
    familyMax: merged.familyMax ?? 7,
    comparison: merged.comparison ?? null,
  };
}
