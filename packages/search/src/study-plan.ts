/**
 * A study's plan: its config, baseline and dataset turned into the priced points it trains — from flags (a new
 * study) or from a journal (resume, a report, a worker picking up a job). Pure of storage: the same plan whichever
 * journal the study lives in.
 */
import { join } from 'node:path';
import { parseStrategy } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { analyzeSpec, compareCost } from '@scalelab/analyzer';
import type { CostComparison } from '@scalelab/analyzer';
// The data half of the engine, without TF.js: a coordinator or a worker's main thread never trains.
import { describeDataset, loadDataset, loadStoredDataset } from '@scalelab/engine/data';
import type { Dataset, DatasetSizes } from '@scalelab/engine/data';
import { resolveBaselineSpec, specFromJournal } from './baseline.js';
import { fitBaseline, priceCandidates } from './candidates.js';
import type { Candidate } from './candidates.js';
import { parseConfigInput, parseStoredConfig, resolveConfig } from './config.js';
import type { StudyConfig } from './config.js';
import { SearchError } from './errors.js';
import { compileObjective } from './objective.js';
import type { Objective } from './objective.js';
import { comparisonPoint, gridPoint } from './points.js';
import type { StudyPoint } from './points.js';
import { coefficientDistribution, gridCandidates } from './space.js';
import type { JournalLines } from './storage/journal-lines.js';
import { DIRECTION, OP, isFinished } from './storage/journal-ops.js';
import type { JsonValue, LoggedOp } from './storage/journal-ops.js';
import { replayStudy } from './storage/replay.js';
import type { StudyRecord } from './storage/replay.js';

/** What the data gives the baseline: its channels, classes and split sizes (read before anything is written). */
export type DatasetInfo = DatasetSizes;

export interface StudyPlan {
  readonly config: StudyConfig;
  readonly dir: string;
  readonly baselineSpec: NetworkSpec;
  readonly fittedBaseline: NetworkSpec;
  readonly baselineMacs: number;
  readonly baselineParams: number;
  readonly dataset: DatasetInfo;
  readonly objective: Objective;
  /** The coefficient grid's candidates, priced. */
  readonly candidates: readonly Candidate[];
  /** A strategy comparison's points priced at matched cost, with its fits (null for a coefficient search). */
  readonly comparison: CostComparison | null;
  /** What the runner trains, each `config.seeds` times. */
  readonly points: readonly StudyPoint[];
}

export function planStudy(config: StudyConfig, baselineSpec: NetworkSpec, dataset: DatasetInfo, dir: string): StudyPlan {
  const objective = compileObjective(config.objective.expression, config.objective.direction);
  const fittedBaseline = fitBaseline(baselineSpec, { channels: dataset.channels, classes: dataset.classes, resolution: config.resolution });
  const baseline = analyzeSpec(fittedBaseline);
  const common = { config, dir, baselineSpec, fittedBaseline, baselineMacs: baseline.macs, baselineParams: baseline.params.total, dataset, objective };
  if (config.comparison !== null) {
    const { strategies, targets, match } = config.comparison;
    const cost = compareCost(fittedBaseline, strategies.map((text) => ({ text, strategy: parseStrategy(text) })), targets, match);
    return { ...common, candidates: [], comparison: cost, points: cost.points.map((p, i) => comparisonPoint(p, i, fittedBaseline, strategies, targets)) };
  }
  const points = gridCandidates(config.space);
  const candidates = priceCandidates(fittedBaseline, points, config.space.phi);
  const distributions = { alpha: coefficientDistribution(config.space, 'alpha'), beta: coefficientDistribution(config.space, 'beta'), gamma: coefficientDistribution(config.space, 'gamma') };
  return { ...common, candidates, comparison: null, points: candidates.map((c) => gridPoint(c, config.space.phi, distributions)) };
}

/**
 * A study's plan from a config as a JSON config file or code gives it (`StudyConfigInput`: defaults filled in, every
 * rule and limit checked, the baseline resolved, the dataset loaded once for its channels and classes) — what
 * `Study.create` takes. The study's folder is `<out>/<name>` (default out: `results`).
 */
export function planFromConfig(input: unknown, options: { readonly out?: string } = {}): StudyPlan {
  const config = resolveConfig([parseConfigInput(input, 'config')]);
  const baselineSpec = resolveBaselineSpec(config.baseline);
  precheckStudy(config, baselineSpec);
  return planStudy(config, baselineSpec, datasetInfo(config, baselineSpec), studyDir(options.out ?? 'results', config.name));
}

/**
 * Everything about a study that is cheap to check, before its dataset is loaded: the space and its limits, the
 * objective, and every candidate's size (the baseline at its own channels and classes).
 */
export function precheckStudy(config: StudyConfig, baselineSpec: NetworkSpec): void {
  planStudy(config, baselineSpec, { name: config.dataset, channels: baselineSpec.input.channels, classes: baselineSpec.classes, trainCount: 0, testCount: 0 }, '');
}

/**
 * The last stored dataset (MNIST, CIFAR-10) loaded into shared memory, by name. A study's main thread may read its
 * dataset to learn its sizes (`datasetInfo`, CIFAR-10) and then hands it to the trial threads (`sharedStudyData`):
 * one load, not two, at every start. Kept for the life of the process (the trials need it for as long).
 */
let lastShared: { readonly name: string; readonly data: Dataset } | null = null;

function storedShared(name: string): Dataset | undefined {
  if (lastShared?.name !== name) {
    const stored = loadStoredDataset(name, { shared: true });
    if (stored === null) return undefined;
    lastShared = { name, data: stored };
  }
  return lastShared.data;
}

/**
 * The study's dataset's channels, classes and sizes (failing now if it is gone): from its files where they tell
 * (built-in MNIST, without reading a pixel: a coordinator whose workers train elsewhere never loads it), else by
 * loading it once.
 */
export function datasetInfo(config: StudyConfig, baselineSpec: NetworkSpec): DatasetInfo {
  const described = describeDataset(config.dataset);
  if (described !== null) return described;
  // Sizes do not depend on the resolution: a stored dataset is read as stored, others at the study's resolution.
  const data = storedShared(config.dataset) ?? loadDataset(config.dataset, config.resolution ?? baselineSpec.input.resolution, { seed: config.seed });
  return { name: config.dataset, channels: data.channels, classes: data.classes, trainCount: data.train.count, testCount: data.test.count };
}

/**
 * The study's dataset loaded once into shared memory for all its trial threads (MNIST, CIFAR-10: at their own size,
 * resized per batch — the same pixels as a copy per resolution). Undefined for datasets made at each candidate's
 * size (`synthetic`, `folder:`): each thread loads those itself.
 */
export function sharedStudyData(config: StudyConfig): Dataset | undefined {
  return storedShared(config.dataset);
}

export function studyDir(out: string, name: string): string {
  return join(out, name);
}

function datasetInfoFromJournal(value: JsonValue | undefined, where: string): DatasetInfo {
  const d = value as Partial<DatasetInfo> | undefined;
  const count = (n: unknown, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
  if (typeof d !== 'object' || d === null || typeof d.name !== 'string' || !count(d.channels, 4096) || !count(d.classes, 100_000) || !count(d.trainCount, 1e9) || !count(d.testCount, 1e9)) {
    throw new SearchError('BAD_JOURNAL', `${where}: the study's dataset_info is missing or invalid`);
  }
  return { name: d.name, channels: d.channels as number, classes: d.classes as number, trainCount: d.trainCount as number, testCount: d.testCount as number };
}

/** A study as its journal holds it, checked: its config, baseline and dataset pass the same checks as flags. */
export interface OpenedStudy {
  readonly dir: string;
  readonly record: StudyRecord;
  readonly config: StudyConfig;
  readonly baselineSpec: NetworkSpec;
  readonly dataset: DatasetInfo;
  /** What the journal's last bytes were (a torn line is not part of `record`). */
  readonly tail: JournalLines['tail']['kind'];
}

/** A journal's ops as a ScaleLab study, checked; `path` names the journal in messages (a file, or a Redis log). */
export function openedFrom(dir: string, lines: JournalLines, path: string): OpenedStudy {
  const ops: LoggedOp[] = lines.tail.kind === 'unterminated' ? [...lines.ops, lines.tail.op] : [...lines.ops];
  const record = replayStudy(ops, path);
  const attrs = record.userAttrs;
  if (attrs.scalelab_config === undefined || attrs.baseline_spec === undefined || attrs.dataset_info === undefined) {
    throw new SearchError('BAD_JOURNAL', `${path}: not a ScaleLab study (the study has no scalelab_config, baseline_spec and dataset_info attributes)`);
  }
  const config = parseStoredConfig(attrs.scalelab_config, `${path}: scalelab_config`);
  if (config.name !== record.name) throw new SearchError('BAD_JOURNAL', `${path}: the study is named '${record.name}' but its config says '${config.name}'`);
  const expected = config.objective.direction === 'maximize' ? DIRECTION.MAXIMIZE : DIRECTION.MINIMIZE;
  const created = ops.find((o) => o.op.op_code === OP.CREATE_STUDY)?.op;
  if (created?.op_code === OP.CREATE_STUDY && created.directions[0] !== expected) throw new SearchError('BAD_JOURNAL', `${path}: the study's direction does not match its config's objective`);
  return { dir, record, config, baselineSpec: specFromJournal(attrs.baseline_spec, path), dataset: datasetInfoFromJournal(attrs.dataset_info, path), tail: lines.tail.kind };
}

/**
 * The finished trials must belong to this study's grid: a finished trial for a point outside it, with other
 * coefficients than its grid id says, or a second finish of one point means the journal was damaged or written by
 * two writers — resuming it would build on wrong data.
 */
export function checkTrialsAgainstGrid(record: StudyRecord, plan: StudyPlan, path: string): void {
  const byId = new Map(plan.points.map((p) => [p.id, p]));
  const finishedBy = new Map<string, number>();
  for (const t of record.trials) {
    const gridId = t.userAttrs.grid_id;
    if (!isFinished(t.state) || t.state === 'FAIL' || typeof gridId !== 'string') continue;
    const point = byId.get(gridId);
    const where = `${path}:${t.line}`;
    if (point === undefined) throw new SearchError('BAD_JOURNAL', `${where}: trial ${t.id} finished ${t.state} for grid point '${gridId}', which is not in this study's grid`);
    for (const [name, param] of Object.entries(point.journalParams)) {
      const value = t.params[name];
      if (value !== undefined && value !== param.value) throw new SearchError('BAD_JOURNAL', `${where}: trial ${t.id} (grid point ${gridId}) has ${name} ${value}, but that point's ${name} is ${param.value}`);
    }
    const unit = `${gridId} seed ${t.params.seed ?? plan.config.seed}`;
    const earlier = finishedBy.get(unit);
    if (earlier !== undefined) throw new SearchError('BAD_JOURNAL', `${where}: grid point ${unit} finished twice (trials ${earlier} and ${t.id}); two writers?`);
    finishedBy.set(unit, t.id);
  }
}
