/**
 * Running a study in the terminal, for `search` and `compare`: a progress line (runs finished, running, ETA, the best
 * so far), one line per finished trial, SIGINT/SIGTERM leaving a consistent journal and the resume command, and the
 * summary written at the end. The library does the work; this only prints.
 */
import type { Study, StudySummary } from '@scalelab/search';
import { clock, progressLine } from './progress.js';
import { cleanText } from './terminal.js';

/** Interrupted by a signal: every finished trial is in the journal (each line is flushed); the lock is let go. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export interface TerminalRunOptions {
  /** Threads training here (0: none, for a study in Redis that `scalelab worker`s train; absent: the config's). */
  readonly localWorkers?: number | undefined;
  /** Keep every trial's model under this folder (`--save-best`: the study's candidates/; the caller keeps the best). */
  readonly saveModelsIn?: string | undefined;
}

export async function runStudyInTerminal(study: Study, verb: 'search' | 'compare', progress: ReturnType<typeof progressLine>, options: TerminalRunOptions, header: readonly string[]): Promise<StudySummary> {
  const { plan } = study;
  const { config } = plan;
  const journalPath = study.journal;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES): void => {
    progress.done();
    process.stderr.write(`\n${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: every finished trial is in ${cleanText(journalPath, 300)}; continue with 'scalelab ${verb} --resume ${cleanText(plan.dir, 300)}'\n`);
    // process.exit runs the 'exit' handlers: the study's lock is let go.
    process.exit(SIGNAL_EXIT_CODES[signal]);
  };
  const handlers = { SIGINT: (): void => onSignal('SIGINT'), SIGTERM: (): void => onSignal('SIGTERM') };
  process.once('SIGINT', handlers.SIGINT);
  process.once('SIGTERM', handlers.SIGTERM);
  const unit = config.seeds > 1 ? 'runs' : 'points';
  try {
    for (const line of header) process.stderr.write(`${line}\n`);
    let last = { finished: 0, points: plan.points.length * config.seeds, etaSeconds: Number.NaN, best: null as { gridId: string; value: number } | null, running: 0 };
    const bar = (): string => {
      const width = 20;
      const filled = Math.round((width * last.finished) / Math.max(1, last.points));
      const best = last.best === null ? '' : `  best ${last.best.value.toFixed(4)} (${cleanText(last.best.gridId, 60)})`;
      return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${last.finished}/${last.points} ${unit}  ${last.running} running  ETA ${clock(last.etaSeconds)}${best}`;
    };
    await study.run({
      ...(options.localWorkers === undefined ? {} : { localWorkers: options.localWorkers }),
      ...(options.saveModelsIn === undefined ? {} : { saveModelsIn: options.saveModelsIn }),
      onEvent: (e) => {
        switch (e.type) {
          case 'note':
            progress.log(cleanText(e.message, 500));
            break;
          case 'begin':
            progress.log(`${e.workers} worker(s)`);
            if (e.finished > 0 || e.interrupted > 0) progress.log(`resuming: ${e.finished}/${e.points} ${unit} already finished, ${e.interrupted} interrupted trial(s) closed as FAIL and rerun`);
            break;
          case 'progress':
            last = { finished: e.finished, points: e.points, etaSeconds: e.etaSeconds, best: e.best, running: e.running };
            progress.update(bar());
            break;
          case 'trial-end':
            progress.log(`trial ${e.trialId} ${cleanText(e.gridId, 60)}${config.budget.halving !== null ? ` rung ${e.rung}` : ''}: ${e.ok ? `${(e.value ?? Number.NaN).toFixed(4)}` : `FAIL${e.retry ? ' (will retry)' : ''}: ${cleanText(e.error ?? '', 300)}`} (${e.seconds.toFixed(1)} s)  [${last.finished}/${last.points}]`);
            break;
          default:
            break;
        }
      },
    });
    progress.done();
    return await study.summarize();
  } finally {
    process.removeListener('SIGINT', handlers.SIGINT);
    process.removeListener('SIGTERM', handlers.SIGTERM);
    progress.done();
    await study.close();
  }
}
