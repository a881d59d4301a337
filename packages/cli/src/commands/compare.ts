import { DEFAULT_STRATEGIES, LIMITS, checkLimit, parseStrategyList, strategyForms } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { COST_MATCHES, DEFAULT_COST_MATCH, DEFAULT_TARGETS, compareCost, validateTargets } from '@scalelab/analyzer';
import type { CostComparison, CostMatch } from '@scalelab/analyzer';
import { numberFlag, oneModel, parseFlags, stringFlag } from '../args.js';
import type { Parsed } from '../args.js';
import { UsageError } from '../errors.js';
import { csvTable, giga, humanCount, markdownTable, textTable } from '../format.js';
import type { Table } from '../format.js';
import { resolveModel } from '../model-source.js';
import { OUTPUT_FLAGS, outputFormat } from '../output.js';
import type { OutputFormat } from '../output.js';
import { cleanText } from '../terminal.js';

export const COMPARE_HELP = `Usage: scalelab compare <baseline> [--strategies LIST] [--targets LIST] [--match realized|nominal] [options]

Compare ways of spending more compute: each strategy scales the baseline to each cost target (× its MACs), with
channels, repeats and resolution rounded as the reference code does, and is priced exactly. With --match realized
(the default) the cost multiplier s is searched so that the realized MACs ratio, after rounding, is the closest to
the target; --match nominal takes s = target, as the papers do. Prints every point and the scaling exponents of
params and activations (least-squares slope of ln quantity on ln MACs ratio, with two or more targets) beside the
theory of Dollár, Singh & Girshick 2021. Without --dataset the comparison is cost-only: exact, instant, nothing is
written (--dry-run prints the same).

Strategies (d·w²·r² = s):
${strategyForms().map((f) => `  ${f.form.padEnd(18)} ${f.summary}`).join('\n')}

Options:
  --strategies LIST   comma-separated (default ${DEFAULT_STRATEGIES}; at most ${LIMITS.strategies.max});
                      compound's commas need no quoting
  --targets LIST      cost targets, × the baseline's MACs (default ${DEFAULT_TARGETS.join(',')}; at most ${LIMITS.costTargets.max}, each ≤ ${LIMITS.costTarget.max})
  --match M           realized (default) | nominal
  --json              {baseline, match, baselineCost, points: [{strategy, target, s, sInterval, multipliers,
                      resolution, params, macs, activations, macsRatio}], fits: [{strategy, quantity, exponent,
                      theory, points}]}
  --csv | --md        the points as CSV or Markdown
  --dry-run           print the comparison and exit (a cost-only comparison never writes anything)
  -h, --help          this help
Trained comparisons (not yet available; accepted and checked): --dataset D, --epochs E | --steps N, --seeds K,
  --workers W, --name N, --description T, --out DIR, --resume DIR; --from DIR (compound from a study's best).

Examples:
  scalelab compare efficientnet-b0
  scalelab compare efficientnet-b0 --match nominal --targets 4 --dry-run        # EfficientNet's Table 7 setting
  scalelab compare resnet50 --strategies depth,compound:1.2,1.1,1.15,fast,dwr --targets 2,4,8 --json`;

const FLAGS = {
  strategies: { type: 'string' },
  targets: { type: 'string' },
  match: { type: 'string' },
  from: { type: 'string' },
  dataset: { type: 'string' },
  epochs: { type: 'string' },
  steps: { type: 'string' },
  seeds: { type: 'string' },
  workers: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'dry-run': { type: 'boolean' },
  ...OUTPUT_FLAGS,
} as const;

/** Flags that only a trained comparison uses. */
const TRAINING_FLAGS = ['epochs', 'steps', 'seeds', 'workers', 'name', 'description', 'out'] as const;

function parseTargets(raw: string | undefined): readonly number[] {
  if (raw === undefined) return DEFAULT_TARGETS;
  const parts = raw.split(',').map((part) => part.trim());
  checkLimit('costTargets', parts.length, 'the number of cost targets');
  const targets = parts.map((part) => {
    const n = part === '' ? Number.NaN : Number(part);
    if (!Number.isFinite(n)) throw new UsageError(`--targets takes numbers separated by commas, got '${cleanText(part, 40)}'`);
    return n;
  });
  validateTargets(targets);
  return targets;
}

function parseMatch(raw: string | undefined): CostMatch {
  if (raw === undefined) return DEFAULT_COST_MATCH;
  const match = COST_MATCHES.find((m) => m === raw);
  if (match === undefined) throw new UsageError(`--match takes ${COST_MATCHES.join(' or ')}, got '${cleanText(raw, 40)}'`);
  return match;
}

/** The trained comparison's flags, checked with the same rules (and limits) as a search study's. */
async function checkTrainingFlags(p: Parsed): Promise<void> {
  const epochs = numberFlag(p, 'epochs', { integer: true, positive: true });
  const steps = numberFlag(p, 'steps', { integer: true, positive: true });
  if (epochs !== undefined && steps !== undefined) throw new UsageError('give either --epochs or --steps, not both');
  const seeds = numberFlag(p, 'seeds', { integer: true, positive: true });
  if (seeds !== undefined) checkLimit('seeds', seeds, '--seeds');
  const given = Object.fromEntries(
    Object.entries({
      name: stringFlag(p, 'name'),
      description: stringFlag(p, 'description'),
      dataset: stringFlag(p, 'dataset'),
      workers: numberFlag(p, 'workers', { integer: true, positive: true }),
      budget: epochs === undefined && steps === undefined ? undefined : { epochs, steps },
    }).filter(([, v]) => v !== undefined),
  );
  // Loaded only when there is something to check: a cost-only comparison does not pay for the config schema.
  if (Object.keys(given).length > 0) (await import('@scalelab/search/validation')).parseConfigInput(given, 'flags');
}

export async function compareCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, FLAGS, 'compare');
  if (p.values.help === true) return COMPARE_HELP;
  const format = outputFormat(p);
  // Everything is checked before any work: the baseline, the strategies, the targets, the match, the other flags.
  const source = resolveModel(oneModel(p, 'compare'));
  if (source.kind !== 'spec') throw new UsageError('compare needs a zoo model or an arch file as its baseline, not a model file');
  const strategies = parseStrategyList(stringFlag(p, 'strategies') ?? DEFAULT_STRATEGIES);
  const targets = parseTargets(stringFlag(p, 'targets'));
  const match = parseMatch(stringFlag(p, 'match'));
  await checkTrainingFlags(p);
  if (p.values.dataset !== undefined || p.values.resume !== undefined) {
    throw new UsageError('trained comparisons: not yet available (--dataset, --resume); without them the comparison is cost-only');
  }
  const trainingOnly = TRAINING_FLAGS.filter((flag) => p.values[flag] !== undefined).map((flag) => `--${flag}`);
  if (trainingOnly.length > 0) {
    throw new UsageError(`${trainingOnly.join(', ')} ${trainingOnly.length === 1 ? 'is' : 'are'} for trained comparisons (with --dataset); without --dataset the comparison is cost-only`);
  }
  if (p.values.from !== undefined) throw new UsageError("--from: not yet available (a study's best coefficients); give them as compound:α,β,γ");
  return comparisonOutput(compareCost(source.spec, strategies, targets, match), source.spec, format);
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);

function pointsTable(c: CostComparison): Table {
  return {
    columns: ['strategy', 'target', 's', 'depth', 'width', 'resolution', 'px', 'params', 'MACs', 'activations', 'MACs ratio'],
    numeric: [false, true, true, true, true, true, true, true, true, true, true],
    rows: c.points.map((p) => [
      cleanText(p.strategy, 60),
      p.target,
      fixed(p.s, 4),
      fixed(p.multipliers.depth, 3),
      fixed(p.multipliers.width, 3),
      fixed(p.multipliers.resolution, 3),
      p.resolution,
      humanCount(p.params),
      giga(p.macs),
      humanCount(p.activations),
      fixed(p.macsRatio, 3),
    ]),
  };
}

function fitsTable(c: CostComparison): Table {
  return {
    columns: ['strategy', 'quantity', 'fitted exponent', 'theory'],
    numeric: [false, false, true, true],
    rows: c.fits.map((f) => [cleanText(f.strategy, 60), f.quantity, f.exponent === null ? '—' : fixed(f.exponent, 3), f.theory === null ? '—' : fixed(f.theory, 3)]),
  };
}

function comparisonOutput(c: CostComparison, baseline: NetworkSpec, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(c, null, 2);
    case 'csv':
      return csvTable(pointsTable(c));
    case 'md':
      return markdownTable(pointsTable(c));
    case 'text': {
      const b = c.baselineCost;
      const how = c.match === 'realized' ? 's searched so that the realized MACs ratio is closest to each target' : 's = target (nominal; realized MACs differ after rounding)';
      const fits =
        c.fits.length === 0
          ? ['(scaling exponents need two or more targets)']
          : ['Scaling exponents: slope of ln quantity on ln MACs ratio, beside theory (Dollár et al. 2021: params ∝ d·w², activations ∝ d·w·r²)', '', textTable(fitsTable(c))];
      return [
        `Cost-only comparison of ${cleanText(baseline.name, 100)} (${giga(b.macs)} MACs, ${humanCount(b.params)} params, ${humanCount(b.activations)} activations at ${b.resolution} px); ${how}`,
        '',
        textTable(pointsTable(c)),
        '',
        ...fits,
      ].join('\n');
    }
  }
}
