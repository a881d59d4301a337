/**
 * Everything a report shows, read from a study's journal (complete, still running, crashed, with failures):
 * the study's settings, every trial, the best, the family, and the per-stage cost of the best against the
 * baseline. Read-only: a report never writes to the journal.
 */
import { compoundMultipliers, scaleSpec } from '@scalelab/arch';
import { analyzeSpec } from '@scalelab/analyzer';
import { fitBaseline, gridCandidates, readStudy, summarizeStudy, trialView } from '@scalelab/search';
import type { OpenedStudy, StudyConfig, StudySummary, TrialView } from '@scalelab/search';

export interface StageCost {
  readonly stage: string;
  readonly macs: number;
  readonly params: number;
}

export interface ReportData {
  readonly config: StudyConfig;
  readonly summary: StudySummary;
  readonly trials: readonly TrialView[];
  /** Per-stage MACs and params of the baseline and of the best candidate (null without a completed trial). */
  readonly stages: { readonly baseline: readonly StageCost[]; readonly best: readonly StageCost[] | null };
  readonly baselineMacs: number;
  readonly baselineParams: number;
  readonly datasetInfo: { readonly name: string; readonly channels: number; readonly classes: number; readonly trainCount: number; readonly testCount: number };
  readonly generatedAt: string;
}

/** The report of a study's file journal in `dir`. */
export function loadReportData(dir: string): ReportData {
  return reportData(readStudy(dir));
}

/** The report of a study as read from any storage (`openStudy`). */
export function reportData(opened: OpenedStudy): ReportData {
  const { config, record } = opened;
  const fitted = fitBaseline(opened.baselineSpec, { channels: opened.dataset.channels, classes: opened.dataset.classes, resolution: config.resolution });
  const gridPoints = gridCandidates(config.space).length;
  const summary = summarizeStudy(record, config, gridPoints, fitted, opened.baselineSpec);
  const baseline = analyzeSpec(fitted);
  const stageCosts = (a: ReturnType<typeof analyzeSpec>): StageCost[] => a.byStage.map((s) => ({ stage: s.stage, macs: s.macs, params: s.params.total }));
  const best = summary.best === null ? null : analyzeSpec(scaleSpec(fitted, compoundMultipliers(summary.best, config.space.phi)));
  return {
    config,
    summary,
    trials: record.trials.map(trialView),
    stages: { baseline: stageCosts(baseline), best: best === null ? null : stageCosts(best) },
    baselineMacs: baseline.macs,
    baselineParams: baseline.params.total,
    datasetInfo: opened.dataset,
    generatedAt: new Date().toISOString(),
  };
}
