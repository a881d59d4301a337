/**
 * `search --save-best`: every trial's trained model is saved under `<study>/candidates/trial-<id>/` while the study
 * runs (a crash keeps them, and a resume adds to them); at the end the best trial's model becomes `<study>/best/`
 * (with `best.json` naming the trial) and the other candidates are removed. Only folders this module made are
 * touched: `best/` is replaced only when it holds a `best.json`, i.e. ScaleLab wrote it.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SearchError } from './errors.js';
import { readBoundedText, writeFileAtomic } from './files.js';
import type { StudySummary } from './summary.js';
import { trialModelDir } from './trial-lifecycle.js';

export const CANDIDATES_DIR = 'candidates';
export const BEST_DIR = 'best';
export const BEST_FILE = 'best.json';

/** Where a study keeps its trials' models while it runs (`TrialContext.saveModelsIn`). */
export function candidatesDir(studyDir: string): string {
  return join(studyDir, CANDIDATES_DIR);
}

export type KeptModel =
  | { readonly kept: true; readonly dir: string; readonly trialId: number; readonly gridId: string; readonly value: number | null }
  /** Why no model was kept (no completed trial, or the best was trained without --save-best). */
  | { readonly kept: false; readonly reason: string };

/** Refuse, before a study runs, a `best/` that --save-best did not write: it would be replaced at the end. */
export function checkBestModelDir(studyDir: string): void {
  const bestDir = join(studyDir, BEST_DIR);
  if (existsSync(bestDir) && !existsSync(join(bestDir, BEST_FILE))) throw new SearchError('FILE_SYSTEM', `${bestDir} exists and was not written by --save-best (no ${BEST_FILE}): move it away to keep the best model there`);
}

/** Keep the summary's best trial's model as `<studyDir>/best/`; the other candidates' models are removed. */
export function keepBestModel(studyDir: string, summary: StudySummary): KeptModel {
  const best = summary.best;
  const candidates = candidatesDir(studyDir);
  const bestDir = join(studyDir, BEST_DIR);
  if (best === null) return { kept: false, reason: 'the study has no completed trial' };
  const source = trialModelDir(candidates, best.id);
  if (!existsSync(join(source, 'model.json'))) {
    if (existsSync(join(bestDir, BEST_FILE)) && readKeptTrial(bestDir) === best.id) return { kept: true, dir: bestDir, trialId: best.id, gridId: best.gridId, value: best.value };
    return { kept: false, reason: `the best trial ${best.id} (${best.gridId}) was trained without --save-best, so its model was not saved` };
  }
  checkBestModelDir(studyDir);
  if (existsSync(bestDir)) rmSync(bestDir, { recursive: true });
  writeFileAtomic(join(source, BEST_FILE), `${JSON.stringify({ trialId: best.id, gridId: best.gridId, value: best.value, alpha: best.alpha, beta: best.beta, gamma: best.gamma, study: summary.study }, null, 2)}\n`);
  renameSync(source, bestDir);
  rmSync(candidates, { recursive: true, force: true });
  return { kept: true, dir: bestDir, trialId: best.id, gridId: best.gridId, value: best.value };
}

/** The trial id a `best/` folder's best.json names (null when it cannot be read). */
function readKeptTrial(bestDir: string): number | null {
  try {
    const kept: unknown = JSON.parse(readBoundedText(join(bestDir, BEST_FILE), 'best model record'));
    return typeof kept === 'object' && kept !== null && 'trialId' in kept && typeof kept.trialId === 'number' ? kept.trialId : null;
  } catch {
    return null;
  }
}
