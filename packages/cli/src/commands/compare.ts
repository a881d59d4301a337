import { join } from 'node:path';
import { DEFAULT_STRATEGIES, LIMITS, checkLimit, compoundStrategy, formatStrategy, parseStrategyList, strategyForms } from '@scalelab/arch';
import type { GivenStrategy, NetworkSpec } from '@scalelab/arch';
import { COST_MATCHES, DEFAULT_COST_MATCH, DEFAULT_TARGETS, compareCost, validateTargets } from '@scalelab/analyzer';
import type { CostComparison, CostMatch } from '@scalelab/analyzer';
import { numberFlag, oneModel, parseFlags, stringFlag } from '../args.js';
import type { Parsed } from '../args.js';
import { readConfigFile } from '../config-file.js';
import { UsageError } from '../errors.js';
import { csvTable, giga, humanCount, markdownTable, textTable } from '../format.js';
import type { Table } from '../format.js';
import { resolveModel } from '../model-source.js';
import { OUTPUT_FLAGS, outputFormat } from '../output.js';
import { progressLine } from '../progress.js';
import { localWorkersFlag, storageFlag } from '../storage.js';
import { runStudyInTerminal } from '../study-run.js';
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
Trained comparisons (with --dataset): every point is trained --seeds K times with the same budget, as trials in
worker threads journaled like a search (Optuna format; params strategy, target, seed; resumable, exactly once).
Writes <out>/<name>/journal.log, summary.json and compare.json (accuracy mean, sample std, Student-t 95% CI and n
per point; training images/s; inference latency at batch 1 and 32; the exponents of params, activations, latency
and accuracy against realized MACs; the points statistically tied with the best). 'scalelab report <out>/<name>'
draws it.
  --config F          a JSON study config with a "comparison" section (studies/mnist-compare.json); flags override
  --dataset D         mnist | synthetic | folder:<path> | cifar10:<path>
  --epochs E | --steps N   per-trial budget (default 3 epochs)
  --seeds K           runs per point (default 1; 2 or more for error bars and the tie test)
  --workers W         worker threads (default: the number of cores)
  --name N            the study's folder under --out (required)
  --description T     free text kept with the study
  --out DIR           where studies live (default results)
  --resume DIR        continue a comparison after a crash or Ctrl-C (only --workers may change; a Redis study is
                      found through DIR/config.json, or give --storage)
  --storage URL       redis://HOST:PORT[/DB]: the journal in Redis (Optuna's JournalRedisStorage layout), the trials
                      as jobs that 'scalelab worker' processes train; --workers 0 trains none here
  --from DIR          compound scaling with a coefficient search's best α, β, γ (replaces plain 'compound')

Examples:
  scalelab compare efficientnet-b0
  scalelab compare efficientnet-b0 --match nominal --targets 4 --dry-run        # EfficientNet's Table 7 setting
  scalelab compare resnet50 --strategies depth,compound:1.2,1.1,1.15,fast,dwr --targets 2,4,8 --json
  scalelab compare proxy-b0 --dataset mnist --seeds 2 --name mnist-strategies        # trained, 2 seeds per point
  scalelab compare --resume results/mnist-strategies`;

const FLAGS = {
  config: { type: 'string' },
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
  storage: { type: 'string' },
  'dry-run': { type: 'boolean' },
  ...OUTPUT_FLAGS,
} as const;

/** Flags that only a trained comparison uses. */
const TRAINING_FLAGS = ['epochs', 'steps', 'seeds', 'workers', 'name', 'description', 'out', 'storage'] as const;
/** What --resume may be given with. */
const RESUME_FLAGS = new Set(['resume', 'workers', 'storage', 'json', 'help']);

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

/**
 * `--from <out>/<name>`: compound scaling with a finished coefficient search's best α, β, γ — in place of plain
 * `compound` in the list, or added to it.
 */
async function withStudyCompound(strategies: readonly GivenStrategy[], from: string): Promise<GivenStrategy[]> {
  const search = await import('@scalelab/search');
  const opened = await search.openStudy(from);
  if (opened.config.comparison !== null) throw new UsageError(`--from ${cleanText(from, 200)} is a comparison, not a coefficient search`);
  const best = search.bestTrial(opened.record.trials.map(search.trialView), opened.record.direction);
  if (best === null) throw new UsageError(`--from ${cleanText(from, 200)}: the study has no completed trial, so no best coefficients`);
  const strategy = compoundStrategy({ alpha: best.alpha, beta: best.beta, gamma: best.gamma });
  const given = { text: formatStrategy(strategy), strategy };
  const plain = strategies.findIndex((s) => s.text === 'compound');
  return plain < 0 ? [...strategies, given] : strategies.map((s, i) => (i === plain ? given : s));
}

/** The trained comparison's config: the same schema, rules and limits as a search study's. */
function trainedConfig(p: Parsed, validation: typeof import('@scalelab/search/validation'), fileLayer: readonly ReturnType<typeof validation.parseConfigInput>[], baseline: string, strategies: readonly GivenStrategy[], targets: readonly number[], match: CostMatch): import('@scalelab/search').StudyConfig {
  const epochs = numberFlag(p, 'epochs', { integer: true, positive: true });
  const steps = numberFlag(p, 'steps', { integer: true, positive: true });
  if (epochs !== undefined && steps !== undefined) throw new UsageError('give either --epochs or --steps, not both');
  const name = stringFlag(p, 'name') ?? fileLayer[0]?.name;
  if (name === undefined && p.values['dry-run'] !== true) throw new UsageError('a trained comparison needs --name (its folder under --out)');
  const input = Object.fromEntries(
    Object.entries({
      name: name ?? 'dry-run',
      description: stringFlag(p, 'description'),
      baseline,
      dataset: stringFlag(p, 'dataset'),
      seeds: numberFlag(p, 'seeds', { integer: true, positive: true }),
      workers: localWorkersFlag(p) === 0 ? undefined : localWorkersFlag(p),
      budget: epochs === undefined && steps === undefined ? undefined : Object.fromEntries(Object.entries({ epochs, steps }).filter(([, v]) => v !== undefined)),
      comparison: { strategies: strategies.map((s) => s.text), targets: [...targets], match },
    }).filter(([, v]) => v !== undefined),
  );
  return validation.resolveConfig([...fileLayer, validation.parseConfigInput(input, 'flags')]);
}

export async function compareCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, FLAGS, 'compare');
  if (p.values.help === true) return COMPARE_HELP;
  const format = outputFormat(p);
  const resumeDir = stringFlag(p, 'resume');
  if (resumeDir !== undefined) {
    if (p.positionals.length > 0) throw new UsageError('--resume continues a comparison as configured: give no baseline');
    const extra = Object.keys(p.values).filter((k) => p.values[k] !== undefined && !RESUME_FLAGS.has(k));
    if (extra.length > 0) throw new UsageError(`--resume continues a comparison as configured; only --workers may change (got --${extra.join(', --')})`);
    const workers = localWorkersFlag(p);
    const storage = await storageFlag(p);
    return trainedOutput(await runTrained(async (search, onNote) => search.Study.resume(resumeDir, { onNote, ...(workers === undefined || workers === 0 ? {} : { workers }), ...(storage === undefined ? {} : { storage }) }), workers), format);
  }
  // Everything is checked before any work: the config file, the baseline, the strategies, the targets, the match.
  const configPath = stringFlag(p, 'config');
  const validation = configPath === undefined ? null : await import('@scalelab/search/validation');
  const fileLayer = configPath === undefined || validation === null ? [] : [validation.parseConfigInput(readConfigFile(configPath, validation), configPath)];
  const file = fileLayer[0];
  const baselineName = p.positionals.length === 0 && file?.baseline !== undefined ? file.baseline : oneModel(p, 'compare');
  const source = resolveModel(baselineName);
  if (source.kind !== 'spec') throw new UsageError('compare needs a zoo model or an arch file as its baseline, not a model file');
  const from = stringFlag(p, 'from');
  const listed = parseStrategyList(stringFlag(p, 'strategies') ?? file?.comparison?.strategies.join(',') ?? DEFAULT_STRATEGIES);
  const strategies = from === undefined ? listed : await withStudyCompound(listed, from);
  const targets = parseTargets(stringFlag(p, 'targets') ?? file?.comparison?.targets.join(','));
  const match = parseMatch(stringFlag(p, 'match') ?? file?.comparison?.match);
  if (p.values.dataset === undefined && file?.dataset === undefined) {
    const trainingOnly = TRAINING_FLAGS.filter((flag) => p.values[flag] !== undefined).map((flag) => `--${flag}`);
    if (trainingOnly.length > 0) {
      throw new UsageError(`${trainingOnly.join(', ')} ${trainingOnly.length === 1 ? 'is' : 'are'} for trained comparisons (with --dataset); without --dataset the comparison is cost-only`);
    }
    return comparisonOutput(compareCost(source.spec, strategies, targets, match), source.spec, format);
  }
  const config = trainedConfig(p, validation ?? (await import('@scalelab/search/validation')), fileLayer, baselineName, strategies, targets, match);
  if (p.values['dry-run'] === true) return comparisonOutput(compareCost(source.spec, strategies, targets, match), source.spec, format);
  const workers = localWorkersFlag(p);
  const storage = await storageFlag(p);
  return trainedOutput(
    await runTrained(async (search, onNote) => {
      search.precheckStudy(config, source.spec);
      const plan = search.planStudy(config, source.spec, search.datasetInfo(config, source.spec), search.studyDir(stringFlag(p, 'out') ?? 'results', config.name));
      return search.Study.create(plan, { onNote, ...(storage === undefined ? {} : { storage }) });
    }, workers),
    format,
  );
}

/** Open (create or resume) the comparison's study and run it with progress in the terminal. */
async function runTrained(open: (search: typeof import('@scalelab/search'), onNote: (m: string) => void) => Promise<import('@scalelab/search').Study>, localWorkers: number | undefined): Promise<{ result: import('@scalelab/search').ComparisonResult; dir: string }> {
  const search = await import('@scalelab/search');
  const progress = progressLine();
  const study = await open(search, (message) => progress.log(cleanText(message, 500)));
  const { plan } = study;
  if (plan.comparison === null) {
    await study.close();
    throw new UsageError(`${cleanText(plan.dir, 200)} is a coefficient search, not a comparison: continue it with 'scalelab search --resume'`);
  }
  if (localWorkers === 0 && study.storage.kind === 'file') {
    await study.close();
    throw new UsageError("--workers 0 trains nowhere: this study's journal is a file, which only local threads train");
  }
  const comparison = plan.comparison;
  const { config } = plan;
  const summary = await runStudyInTerminal(study, 'compare', progress, { localWorkers }, [
    cleanText(`comparison ${config.name}: ${plan.points.length} points (${config.comparison?.strategies.join(', ') ?? ''} × targets ${config.comparison?.targets.join(', ') ?? ''}, ${comparison.match} cost)${config.seeds > 1 ? ` × ${config.seeds} seeds` : ''} of ${config.baseline} on ${config.dataset}, ${config.budget.steps !== null ? `${config.budget.steps} steps` : `${config.budget.epochs} epoch(s)`} per trial → ${plan.dir}`, 1000),
  ]);
  return { result: search.comparisonResult(comparison, summary), dir: plan.dir };
}

function trainedOutput(r: { result: import('@scalelab/search').ComparisonResult; dir: string }, format: OutputFormat): string {
  const { result } = r;
  const table: Table = {
    columns: ['strategy', 'target', 'MACs ratio', 'MACs', 'params', 'px', 'accuracy', '95% CI', 'n', 'images/s', 'ms (b=1)', 'ms/img (b=32)'],
    numeric: [false, true, true, true, true, true, true, false, true, true, true, true],
    rows: result.points.map((p) => [
      cleanText(p.strategy, 60),
      p.target,
      fixed(p.macsRatio, 3),
      macsText(p.macs),
      humanCount(p.params),
      p.resolution,
      p.accuracy === null ? '–' : `${(100 * p.accuracy.mean).toFixed(2)}%${p.accuracy.std === null ? '' : ` ± ${(100 * p.accuracy.std).toFixed(2)}`}`,
      p.accuracy?.ci95 === null || p.accuracy === null ? '–' : `${(100 * p.accuracy.ci95[0]).toFixed(2)}–${(100 * p.accuracy.ci95[1]).toFixed(2)}%`,
      p.accuracy?.n ?? 0,
      p.imagesPerSecond === null ? '–' : p.imagesPerSecond.toFixed(0),
      p.latencyMs.batch1 === null ? '–' : p.latencyMs.batch1.toFixed(2),
      p.latencyMs.batch32 === null ? '–' : p.latencyMs.batch32.toFixed(2),
    ]),
  };
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2);
    case 'csv':
      return csvTable(table);
    case 'md':
      return markdownTable(table);
    case 'text': {
      const tied = result.tiedWithBest;
      const verdict = tied === null
        ? []
        : [
            '',
            `best by mean accuracy: ${cleanText(tied.gridId, 80)}; statistically tied with ${tied.tiedWith.length} other point(s) (Welch's t-test, p ≥ 0.05)${tied.tiedWith.length > 0 ? `: ${tied.tiedWith.map((id) => cleanText(id, 60)).join(', ')}` : ''}${tied.untestable.length > 0 ? `; ${tied.untestable.length} untestable (fewer than 2 seeds)` : ''}`,
          ];
      const fits = result.fits.filter((f) => f.quantity === 'accuracy' || f.quantity === 'latency');
      return [
        textTable(table),
        ...verdict,
        ...(fits.length === 0 ? [] : ['', 'Trained scaling exponents (slope of ln quantity on ln MACs ratio):', textTable({ columns: ['strategy', 'quantity', 'exponent'], numeric: [false, false, true], rows: fits.map((f) => [cleanText(f.strategy, 60), f.quantity, f.exponent === null ? '—' : fixed(f.exponent, 3)]) })]),
        '',
        `wrote ${join(r.dir, 'journal.log')}, ${join(r.dir, 'summary.json')}, ${join(r.dir, 'compare.json')}`,
      ].join('\n');
    }
  }
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);
/** Giga-MACs for ImageNet-sized networks, M/K for proxies (0.001G says nothing). */
const macsText = (n: number): string => (n >= 1e8 ? giga(n) : humanCount(n));

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
      macsText(p.macs),
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
        `Cost-only comparison of ${cleanText(baseline.name, 100)} (${macsText(b.macs)} MACs, ${humanCount(b.params)} params, ${humanCount(b.activations)} activations at ${b.resolution} px); ${how}`,
        '',
        textTable(pointsTable(c)),
        '',
        ...fits,
      ].join('\n');
    }
  }
}
