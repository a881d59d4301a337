import { join } from 'node:path';
import { numberFlag, parseFlags, stringFlag } from '../args.js';
import type { Parsed } from '../args.js';
import { readConfigFile } from '../config-file.js';
import { UsageError } from '../errors.js';
import { humanCount, textTable } from '../format.js';
import { progressLine } from '../progress.js';
import { localWorkersFlag, storageFlag } from '../storage.js';
import { runStudyInTerminal } from '../study-run.js';
import { cleanText } from '../terminal.js';

export const SEARCH_HELP = `Usage: scalelab search [options]
       scalelab search --resume <dir> [--workers W] [--save-best] [--storage redis://HOST:PORT[/DB]]

Grid-search the compound-scaling coefficients α (depth), β (width), γ (resolution) under α·β²·γ² ≈ c
(EfficientNet step 1), training every feasible candidate at φ, then scale the best into the family φ = 1…K.
Writes <out>/<name>/config.json, journal.log (Optuna JournalStorage format) and summary.json.

Study:
  --config F          a JSON config file (same fields as config.json); flags override it
  --name N            study name (required unless in --config): the folder <out>/<N>
  --description TEXT  free text kept with the study
  --baseline M        zoo model or arch file (default proxy-b0)
  --dataset D         mnist (default) | synthetic | folder:<path> | cifar10:<path>
  --resolution R      base resolution before γ (default: the baseline's)
Space:
  --alpha MIN:MAX     depth coefficient range (default 1:2)
  --beta MIN:MAX      width coefficient range (default 1:1.5)
  --gamma MIN:MAX     resolution coefficient range (default 1:1.5)
  --step S            lattice step (default 0.05)
  --target C          α·β²·γ² target (default 2)
  --tolerance T       keep |α·β²·γ² − C| ≤ T (default 0.1, boundary included)
  --solve gamma       instead: γ = √(C/(α·β²)), kept when within the γ range
  --phi P             φ at which candidates train (default 1)
Objective and budget:
  --objective EXPR    mathjs over accuracy, loss, macs, params, activations, latency (default accuracy),
                      e.g. 'accuracy * (macs / 400e6) ^ -0.07'
  --minimize          minimize the objective (default: maximize)
  --epochs E | --steps N   per-trial budget (default 3 epochs)
  --batch B           batch size (default 128)
  --lr L              peak learning rate (default: the engine's, 0.05 momentum SGD)
  --augment A         shift | none (default none: shifts pay off only over 15+ epochs)
  --halving η         successive halving: the best 1/η of each rung go on with η× the budget
Execution:
  --workers W         worker threads, one TF.js each (default: the number of cores); with --storage, the
                      threads this process trains with beside 'scalelab worker's (0: none)
  --storage URL       keep the study in Redis (redis://HOST:PORT[/DB], Optuna's JournalRedisStorage layout,
                      prefix scalelab:<name>) and train its trials as jobs that 'scalelab worker' processes
                      on any machine take; config.json records the URL (not with --halving)
  --retries K         reruns of a failed trial (default 0)
  --trial-timeout SEC a trial running longer is recorded as FAIL
  --backend B         tensorflow | wasm | cpu (default: the best that loads)
  --seed S            seed of every random choice (default 0); same seed, same trial results
  --seeds K           train every grid point K times (seeds S, S+1, …): mean ± 95% CI per point, the best by
                      mean and the points statistically tied with it (default 1)
  --phi-max K         the family φ = 1…K in the summary (default 7)
  --save-best         keep the best trial's trained TF.js model in <out>/<name>/best/ (model.json + weights,
                      best.json naming the trial); while the study runs every trial's model waits in
                      <out>/<name>/candidates/ (file journal only; allowed with --resume)
  --out DIR           where studies live (default results)
  --resume DIR        continue a study: finished trials are kept, interrupted ones rerun
  --dry-run           list the priced candidates (nominal vs realized cost) and exit; nothing is written
  --json              the summary as JSON on stdout (progress stays on stderr)
  -h, --help          this help

Examples:
  scalelab search --name mnist-grid --step 0.1 --tolerance 0.05 --steps 150 --workers 2
  scalelab search --name mnist-keep --steps 150 --save-best   # then: scalelab analyze results/mnist-keep/best/
  scalelab search --resume results/mnist-grid`;

const FLAGS = {
  config: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  baseline: { type: 'string' },
  dataset: { type: 'string' },
  resolution: { type: 'string' },
  alpha: { type: 'string' },
  beta: { type: 'string' },
  gamma: { type: 'string' },
  step: { type: 'string' },
  target: { type: 'string' },
  tolerance: { type: 'string' },
  solve: { type: 'string' },
  phi: { type: 'string' },
  objective: { type: 'string' },
  minimize: { type: 'boolean' },
  epochs: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  augment: { type: 'string' },
  halving: { type: 'string' },
  workers: { type: 'string' },
  retries: { type: 'string' },
  'trial-timeout': { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  'phi-max': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  storage: { type: 'string' },
  json: { type: 'boolean' },
  'save-best': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

/** The flags as one config layer (only what was given). */
function flagLayer(p: Parsed): Record<string, unknown> {
  const defined = <T extends Record<string, unknown>>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  if (p.values.tolerance !== undefined && p.values.solve !== undefined) throw new UsageError('give either --tolerance or --solve gamma, not both');
  const solve = stringFlag(p, 'solve');
  if (solve !== undefined && solve !== 'gamma') throw new UsageError(`--solve takes 'gamma' (γ solved from α and β), got '${solve}'`);
  const epochs = numberFlag(p, 'epochs', { integer: true, positive: true });
  const steps = numberFlag(p, 'steps', { integer: true, positive: true });
  if (epochs !== undefined && steps !== undefined) throw new UsageError('give either --epochs or --steps, not both');
  return defined({
    name: stringFlag(p, 'name'),
    description: stringFlag(p, 'description'),
    baseline: stringFlag(p, 'baseline'),
    dataset: stringFlag(p, 'dataset'),
    resolution: numberFlag(p, 'resolution', { integer: true, positive: true }),
    space: defined({
      alpha: stringFlag(p, 'alpha'),
      beta: stringFlag(p, 'beta'),
      gamma: stringFlag(p, 'gamma'),
      step: numberFlag(p, 'step'),
      target: numberFlag(p, 'target'),
      tolerance: numberFlag(p, 'tolerance'),
      mode: solve !== undefined ? 'solve' : p.values.tolerance !== undefined ? 'tolerance' : undefined,
      phi: numberFlag(p, 'phi'),
    }),
    objective: defined({ expression: stringFlag(p, 'objective'), direction: p.values.minimize === true ? 'minimize' : undefined }),
    budget: defined({ epochs, steps, batchSize: numberFlag(p, 'batch', { integer: true, positive: true }), halving: numberFlag(p, 'halving'), learningRate: numberFlag(p, 'lr', { positive: true }), augment: p.values.augment }),
    seed: numberFlag(p, 'seed', { integer: true, min: 0 }),
    seeds: numberFlag(p, 'seeds', { integer: true, positive: true }),
    workers: localWorkersFlag(p) === 0 ? undefined : localWorkersFlag(p),
    retries: numberFlag(p, 'retries', { integer: true, min: 0 }),
    trialTimeout: numberFlag(p, 'trial-timeout', { positive: true }),
    backend: stringFlag(p, 'backend'),
    familyMax: numberFlag(p, 'phi-max', { integer: true, positive: true }),
  });
}

/** --save-best with a study in Redis (by flag, or resumed through config.json). */
const SAVE_BEST_FILE_ONLY = '--save-best keeps models for studies in a journal file only: a study in Redis is trained on other machines (drop --save-best or --storage)';

const RESUME_FLAGS = new Set(['resume', 'workers', 'storage', 'save-best', 'json', 'help']);


export async function searchCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, FLAGS, 'search');
  if (p.values.help === true) return SEARCH_HELP;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${cleanText(p.positionals[0] ?? '')}' (search takes flags only; see 'scalelab search --help')`);
  const resumeDir = stringFlag(p, 'resume');
  // A wrong or unreachable Redis is refused first, loading nothing but its client (within 5 s on a loaded machine).
  const workersHere = localWorkersFlag(p);
  if (p.values['save-best'] === true && p.values.storage !== undefined) throw new UsageError(SAVE_BEST_FILE_ONLY);
  const storage = await storageFlag(p);
  // Flags and the config file are checked before TF.js and mathjs load: bad input is refused at once.
  const validation = await import('@scalelab/search/validation');
  let given: import('@scalelab/search').StudyConfig | null = null;
  if (resumeDir === undefined) {
    const configPath = stringFlag(p, 'config');
    const fileLayer = configPath === undefined ? [] : [validation.parseConfigInput(readConfigFile(configPath, validation), configPath)];
    // A dry run writes nothing, so it needs no name.
    const unnamed = p.values['dry-run'] === true ? [validation.parseConfigInput({ name: 'dry-run' }, 'flags')] : [];
    given = validation.resolveConfig([...unnamed, ...fileLayer, validation.parseConfigInput(flagLayer(p), 'flags')]);
    validation.checkObjectiveSize(given.objective.expression);
    validation.gridCandidates(given.space);
    if (storage !== undefined && given.budget.halving !== null) throw new UsageError('--halving runs with the file journal only: each rung needs every candidate\'s result before the next starts, which the Redis queue does not distribute (drop --halving or --storage)');
  }
  const search = await import('@scalelab/search');
  const progress = progressLine();
  const onNote = (message: string): void => progress.log(cleanText(message, 500));

  let study: import('@scalelab/search').Study;
  if (given === null) {
    const extra = Object.keys(p.values).filter((k) => p.values[k] !== undefined && !RESUME_FLAGS.has(k));
    if (extra.length > 0) throw new UsageError(`--resume continues a study as configured; only --workers may change, and --storage may say where its journal is (got --${extra.join(', --')})`);
    study = await search.Study.resume(resumeDir ?? '', { onNote, ...(workersHere === undefined || workersHere === 0 ? {} : { workers: workersHere }), ...(storage === undefined ? {} : { storage }) });
  } else {
    const config = given;
    const baselineSpec = search.resolveBaselineSpec(config.baseline);
    search.precheckStudy(config, baselineSpec);
    if (config.backend !== null) await (await import('@scalelab/engine')).useBackend(config.backend);
    const plan = search.planStudy(config, baselineSpec, search.datasetInfo(config, baselineSpec), search.studyDir(stringFlag(p, 'out') ?? 'results', config.name));
    if (p.values['dry-run'] === true) return candidateTable(plan, Number.POSITIVE_INFINITY, p.values.json === true);
    study = await search.Study.create(plan, { onNote, ...(storage === undefined ? {} : { storage }) });
  }

  if (workersHere === 0 && study.storage.kind === 'file') {
    await study.close();
    throw new UsageError("--workers 0 trains nowhere: this study's journal is a file, which only local threads train");
  }
  const { plan } = study;
  const { config } = plan;
  const saveBest = p.values['save-best'] === true;
  if (saveBest && study.storage.kind !== 'file') {
    await study.close();
    throw new UsageError(SAVE_BEST_FILE_ONLY);
  }
  if (saveBest) {
    try {
      search.checkBestModelDir(plan.dir);
    } catch (e) {
      await study.close();
      throw e;
    }
  }
  const summary = await runStudyInTerminal(study, 'search', progress, { localWorkers: workersHere, saveModelsIn: saveBest ? search.candidatesDir(plan.dir) : undefined }, [
    candidateTable(plan, 12, false),
    cleanText(`study ${config.name}: ${plan.candidates.length} grid points (${config.space.mode === 'solve' ? `γ solved, α·β²·γ² = ${config.space.target}` : `|α·β²·γ² − ${config.space.target}| ≤ ${config.space.tolerance}`}, step ${config.space.step})${config.seeds > 1 ? ` × ${config.seeds} seeds` : ''} of ${config.baseline} on ${config.dataset}, ${config.budget.steps !== null ? `${config.budget.steps} steps` : `${config.budget.epochs} epoch(s)`} per trial${config.budget.halving !== null ? `, halving η = ${config.budget.halving}` : ''} → ${plan.dir}`, 1000),
  ]);
  const kept = saveBest ? search.keepBestModel(plan.dir, summary) : null;
  if (p.values.json === true) return JSON.stringify(kept === null ? summary : { ...summary, bestModel: kept.kept ? join(kept.dir, 'model.json') : null }, null, 2);
  return [summaryText(summary, plan.dir, study.journal), ...(kept === null ? [] : [kept.kept ? `best model (trial ${kept.trialId}): ${cleanText(join(kept.dir, 'model.json'), 300)}` : `no best model kept: ${cleanText(kept.reason, 300)}`])].join('\n');
}

/** The grid priced before anything runs: nominal (α·β²·γ²)^φ beside the realized MACs ratio. */
function candidateTable(plan: import('@scalelab/search').StudyPlan, limit: number, json: boolean): string {
  const rows = plan.candidates.map((c) => ({ gridId: c.id, alpha: c.alpha, beta: c.beta, gamma: c.gamma, nominalCost: c.nominalCostAtPhi, macsRatio: c.macsRatio, resolution: c.resolution, params: c.params, macs: c.macs, activations: c.activations }));
  if (json) return JSON.stringify({ baseline: { params: plan.baselineParams, macs: plan.baselineMacs }, candidates: rows }, null, 2);
  const shown = rows.slice(0, limit);
  return [
    `${rows.length} candidates priced against the baseline (${humanCount(plan.baselineParams)} params, ${humanCount(plan.baselineMacs)} MACs at ${plan.fittedBaseline.input.resolution} px):`,
    textTable({
      columns: ['grid id', 'α·β²·γ²', 'MACs ratio', 'res', 'params', 'MACs'],
      rows: shown.map((r) => [r.gridId, r.nominalCost.toFixed(3), r.macsRatio.toFixed(3), r.resolution, humanCount(r.params), humanCount(r.macs)]),
      numeric: [false, true, true, true, true, true],
    }),
    ...(rows.length > shown.length ? [`… and ${rows.length - shown.length} more (--dry-run lists all)`] : []),
  ].join('\n');
}

function summaryText(s: import('@scalelab/search').StudySummary, dir: string, journal: string): string {
  const lines = [
    `study ${cleanText(s.study)}: ${s.points.complete} complete, ${s.points.failed} failed, ${s.points.pruned} pruned, ${s.points.pending} pending of ${s.gridPoints} grid points (${s.trials} trials)`,
  ];
  const b = s.best;
  if (b === null) {
    lines.push('no completed trial: no best coefficients');
  } else {
    lines.push(
      `best: α ${b.alpha}  β ${b.beta}  γ ${b.gamma}  (${cleanText(b.gridId)})  ${cleanText(s.objective)} = ${(b.value ?? Number.NaN).toFixed(4)}  accuracy ${b.accuracy === null ? '–' : `${(100 * b.accuracy).toFixed(2)}%`}`,
      `      nominal cost α·β²·γ² = ${(b.nominalCost ?? Number.NaN).toFixed(3)}, realized MACs ratio ${(b.macsRatio ?? Number.NaN).toFixed(3)}, ${humanCount(b.params ?? 0)} params, ${humanCount(b.macs ?? 0)} MACs`,
      '',
      `family φ = 1…${s.family.length} from the best coefficients:`,
      textTable({
        columns: ['φ', 'depth', 'width', 'res', 'nominal', 'realized', 'params', 'MACs', ...(s.family.some((f) => f.published !== null) ? ['published', 'pub params', 'pub MACs'] : [])],
        rows: s.family.map((f) => [
          f.phi, f.depth.toFixed(3), f.width.toFixed(3), f.resolution, f.nominalCost.toFixed(2), f.realizedMacsRatio.toFixed(2), humanCount(f.params), humanCount(f.macs),
          ...(f.published === null ? [] : [f.published.model, humanCount(f.published.params), humanCount(f.published.macs)]),
        ]),
        numeric: [true, true, true, true, true, true, true, true, false, true, true],
      }),
    );
  }
  lines.push('', `wrote ${cleanText(journal, 300)}, ${join(dir, 'summary.json')}`);
  return lines.join('\n');
}
