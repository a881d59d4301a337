/**
 * Everything a report shows, read from a study's journal (complete, still running, crashed, with failures):
 * the study's settings, every trial, the best, the family, and the per-stage cost of the best against the
 * baseline. Read-only: a report never writes to the journal.
 */
import { compoundMultipliers, parseStrategy, scaleSpec } from '@scalelab/arch';
import { analyzeSpec, compareCost } from '@scalelab/analyzer';
import { comparisonResult, fitBaseline, gridCandidates, readStudy, summarizeStudy, trialView } from '@scalelab/search';
import type { ComparisonResult, OpenedStudy, StudyConfig, StudySummary, TrialView } from '@scalelab/search';

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
  /** A strategy comparison's points at matched cost with their trained statistics (null for a coefficient search). */
  readonly comparison: ComparisonResult | null;
}

/** The report of a study's file journal in `dir`. */
export function loadReportData(dir: string): ReportData {
  return reportData(readStudy(dir));
}

/** The report of a study as read from any storage (`openStudy`). */
export function reportData(opened: OpenedStudy): ReportData {
  const { config, record } = opened;
  const fitted = fitBaseline(opened.baselineSpec, { channels: opened.dataset.channels, classes: opened.dataset.classes, resolution: config.resolution });
  const c = config.comparison;
  const cost = c === null ? null : compareCost(fitted, c.strategies.map((text) => ({ text, strategy: parseStrategy(text) })), c.targets, c.match);
  const gridPoints = cost === null ? gridCandidates(config.space).length : cost.points.length;
  const summary = summarizeStudy(record, config, gridPoints, fitted, opened.baselineSpec);
  const baseline = analyzeSpec(fitted);
  const stageCosts = (a: ReturnType<typeof analyzeSpec>): StageCost[] => a.byStage.map((s) => ({ stage: s.stage, macs: s.macs, params: s.params.total }));
  const best = summary.best === null || cost !== null ? null : analyzeSpec(scaleSpec(fitted, compoundMultipliers(summary.best, config.space.phi)));
  return {
    config,
    summary,
    trials: record.trials.map(trialView),
    stages: { baseline: stageCosts(baseline), best: best === null ? null : stageCosts(best) },
    baselineMacs: baseline.macs,
    baselineParams: baseline.params.total,
    datasetInfo: opened.dataset,
    generatedAt: new Date().toISOString(),
    comparison: cost === null ? null : comparisonResult(cost, summary),
  };
}
