#!/usr/bin/env node
/** `scalelab`: one command over arch, analyzer and engine. Bad input → one line on stderr, exit code 2. */
import { ScaleLabError } from '@scalelab/arch';
import { ANALYZE_HELP, analyzeCommand } from './commands/analyze.js';
import { COMPARE_HELP, compareCommand } from './commands/compare.js';
import { REPORT_HELP, reportCommand } from './commands/report.js';
import { SCALE_HELP, scaleCommand } from './commands/scale.js';
import { SEARCH_HELP, searchCommand } from './commands/search.js';
import { TRAIN_HELP, trainCommand } from './commands/train.js';
import { WORKER_HELP, workerCommand } from './commands/worker.js';
import { describeFailure } from './failure.js';

const VERBS: Readonly<Record<string, { run: (argv: readonly string[]) => Promise<string>; summary: string; help: string }>> = {
  analyze: { run: analyzeCommand, summary: 'exact params, MACs and activations of a model', help: ANALYZE_HELP },
  scale: { run: scaleCommand, summary: 'compound-scale a model (one φ or the family φ = 0…K)', help: SCALE_HELP },
  train: { run: trainCommand, summary: 'train a model on a dataset with TF.js (wasm, cpu or tfjs-node)', help: TRAIN_HELP },
  search: { run: searchCommand, summary: 'grid-search α, β, γ under α·β²·γ² ≈ c, trials in worker threads, resumable', help: SEARCH_HELP },
  compare: { run: compareCommand, summary: 'compare scaling strategies (depth, width, resolution, compound, fast, …) at matched cost', help: COMPARE_HELP },
  worker: { run: workerCommand, summary: 'train the trials of studies kept in Redis (any machine, as many as you like)', help: WORKER_HELP },
  report: { run: reportCommand, summary: 'an HTML report (plotly, offline) and paper tables from a study journal', help: REPORT_HELP },
};

const HELP = `Usage: scalelab <command> [options]

ScaleLab: compound model scaling (EfficientNet) and architecture grid search.

Commands:
${Object.entries(VERBS).map(([verb, v]) => `  ${verb.padEnd(9)} ${v.summary}`).join('\n')}

Run 'scalelab <command> --help' for a command's options.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(`${HELP}\n`);
    return verb === undefined ? 2 : 0;
  }
  const command = VERBS[verb];
  if (command === undefined) {
    process.stderr.write(`scalelab: unknown command '${verb}' (commands: ${Object.keys(VERBS).join(', ')}; see 'scalelab --help')\n`);
    return 2;
  }
  try {
    process.stdout.write(`${await command.run(rest)}\n`);
    return 0;
  } catch (e) {
    const failure = describeFailure(e);
    if (failure === null) {
      process.stderr.write(`scalelab ${verb}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 1;
    }
    process.stderr.write(`scalelab ${verb}: ${failure.message}\n`);
    return failure.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
