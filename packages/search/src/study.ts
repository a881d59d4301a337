/**
 * A study on disk: `<out>/<name>/` holds `config.json` (the resolved config), `journal.log` (the Optuna-format
 * event log, the source of truth) and, after the grid, `summary.json`. Everything is validated and priced before
 * the first byte is written, and an existing study is never overwritten.
 */
import { existsSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkSpec } from '@scalelab/arch';
import { analyzeSpec } from '@scalelab/analyzer';
import { fitBaseline, priceCandidates } from './candidates.js';
import type { Candidate } from './candidates.js';
import type { StudyConfig } from './config.js';
import { SearchError } from './errors.js';
import type { JsonValue } from './journal/format.js';
import { readJournal, replayStudy } from './journal/replay.js';
import type { StudyRecord } from './journal/replay.js';
import { JournalWriter } from './journal/writer.js';
import { compileObjective } from './objective.js';
import type { Objective } from './objective.js';
import { gridCandidates } from './space.js';

export const JOURNAL_FILE = 'journal.log';
export const CONFIG_FILE = 'config.json';
export const SUMMARY_FILE = 'summary.json';

/** What the data gives the baseline (read once in the main thread, before anything is written). */
export interface DatasetInfo {
  readonly name: string;
  readonly channels: number;
  readonly classes: number;
  readonly trainCount: number;
  readonly testCount: number;
}

export interface StudyPlan {
  readonly config: StudyConfig;
  readonly dir: string;
  readonly baselineSpec: NetworkSpec;
  readonly fittedBaseline: NetworkSpec;
  readonly baselineMacs: number;
  readonly baselineParams: number;
  readonly dataset: DatasetInfo;
  readonly objective: Objective;
  readonly candidates: readonly Candidate[];
}

export function planStudy(config: StudyConfig, baselineSpec: NetworkSpec, dataset: DatasetInfo, dir: string): StudyPlan {
  const objective = compileObjective(config.objective.expression, config.objective.direction);
  const points = gridCandidates(config.space);
  const fittedBaseline = fitBaseline(baselineSpec, { channels: dataset.channels, classes: dataset.classes, resolution: config.resolution });
  const candidates = priceCandidates(fittedBaseline, points, config.space.phi);
  const baseline = analyzeSpec(fittedBaseline);
  return { config, dir, baselineSpec, fittedBaseline, baselineMacs: baseline.macs, baselineParams: baseline.params.total, dataset, objective, candidates };
}

/** Write a file whole or not at all (temp file + rename). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function studyDir(out: string, name: string): string {
  return join(out, name);
}

/** Create `<dir>/` with its config and a journal holding the study; refuses an existing study. */
export function createStudy(plan: StudyPlan): JournalWriter {
  const journal = join(plan.dir, JOURNAL_FILE);
  if (existsSync(journal) || existsSync(join(plan.dir, CONFIG_FILE))) {
    throw new SearchError('STUDY_EXISTS', `study '${plan.config.name}' already exists in ${plan.dir} (continue it with --resume ${plan.dir}, or choose another --name)`);
  }
  mkdirSync(plan.dir, { recursive: true });
  writeFileAtomic(join(plan.dir, CONFIG_FILE), `${JSON.stringify({ ...plan.config, baselineSpec: plan.baselineSpec, datasetInfo: plan.dataset }, null, 2)}\n`);
  const writer = JournalWriter.create(journal);
  writer.createStudy(plan.config.name, plan.config.objective.direction);
  const attrs: Record<string, JsonValue> = {
    description: plan.config.description,
    baseline: plan.config.baseline,
    dataset: plan.config.dataset,
    objective: plan.config.objective.expression,
    scalelab_config: plan.config as unknown as JsonValue,
    baseline_spec: plan.baselineSpec as unknown as JsonValue,
    dataset_info: plan.dataset as unknown as JsonValue,
    grid_size: plan.candidates.length,
  };
  for (const [key, value] of Object.entries(attrs)) writer.setStudyUserAttr(key, value);
  return writer;
}

export interface OpenedStudy {
  readonly record: StudyRecord;
  readonly config: StudyConfig;
  readonly baselineSpec: NetworkSpec;
  readonly dataset: DatasetInfo;
  /** A torn last line (a crash mid-write) was cut off. */
  readonly cutTornTail: boolean;
}

/** Read a study back from its journal (for resume and report). */
export function openStudy(dir: string, options: { repairTornTail: boolean }): OpenedStudy {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(dir)) throw new SearchError('NO_STUDY', `no study at ${dir}`);
  const lines = readJournal(path);
  // Appending after a torn line would glue the next event onto it; cut it first (it held no whole event).
  if (lines.tornTail && options.repairTornTail) truncateSync(path, lines.wholeBytes);
  const record = replayStudy(lines.ops, path);
  const config = record.userAttrs.scalelab_config as unknown as StudyConfig | undefined;
  const baselineSpec = record.userAttrs.baseline_spec as unknown as NetworkSpec | undefined;
  const dataset = record.userAttrs.dataset_info as unknown as DatasetInfo | undefined;
  if (typeof config !== 'object' || config === null || typeof baselineSpec !== 'object' || baselineSpec === null || typeof dataset !== 'object' || dataset === null) {
    throw new SearchError('BAD_JOURNAL', `${path}: not a ScaleLab study (the study has no scalelab_config, baseline_spec and dataset_info attributes)`);
  }
  return { record, config, baselineSpec, dataset, cutTornTail: lines.tornTail };
}
