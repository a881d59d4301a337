/**
 * Search throughput and leaks, side by side in one run:
 *  1. the same MNIST study (proxy-b0, 6 grid points, 40 steps per trial) with 1 and with 2 workers — the
 *     wall-time ratio (target ≥ 1.8 on 2 cores), and the trial values, which must be identical;
 *  2. the machine's own ceiling for the same work: one `scalelab train` of the costliest candidate alone, then two
 *     at once in separate processes — what 2 cores give two independent TF.js instances, with no search at all;
 *  3. a 54-trial study on one worker (synthetic 16-px data, 5 steps) — TF.js tensors alive and process RSS after
 *     each trial, which must stay flat.
 * Writes results/benchmarks/search.json.
 *
 *   npm run bench:search
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStudy, trialView } from '@scalelab/search';
import type { TrialView } from '@scalelab/search';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-bench-search-'));

function search(name: string, args: readonly string[]): { seconds: number; trials: TrialView[] } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'search', '--name', name, '--out', OUT, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`search ${name} exited ${String(r.status)}`);
  return { seconds, trials: readStudy(join(OUT, name)).record.trials.map(trialView) };
}

const WALL_STUDY = ['--baseline', 'proxy-b0', '--dataset', 'mnist', '--step', '0.2', '--tolerance', '0.15', '--steps', '40', '--seed', '0'];
const one = search('one-worker', [...WALL_STUDY, '--workers', '1']);
const two = search('two-workers', [...WALL_STUDY, '--workers', '2']);
const values = (ts: readonly TrialView[]): Record<string, number | null> => Object.fromEntries(ts.map((t) => [t.gridId, t.value]).sort());
const sameValues = JSON.stringify(values(one.trials)) === JSON.stringify(values(two.trials));

/** Seconds of `scalelab train` (training only, as the process reports it) for `copies` processes at once. */
function trainSeconds(copies: number): number[] {
  const args = [CLI, 'train', 'proxy-b0', '--width', '1', '--depth', '1.4', '--resolution', '38', '--steps', '40', '--json'];
  const script = `const { spawn } = require('node:child_process');
let left = ${copies}; const out = [];
for (let i = 0; i < ${copies}; i++) { let s = ''; const c = spawn(process.execPath, ${JSON.stringify(args)}); c.stdout.on('data', (d) => (s += d)); c.on('close', () => { out.push(JSON.parse(s).trainSeconds); if (--left === 0) console.log(JSON.stringify(out)); }); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as number[];
}
const alone = trainSeconds(1)[0] ?? Number.NaN;
const pair = trainSeconds(2);
const ceiling = (2 * alone) / Math.max(...pair);

search('leak-54', ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--tolerance', '0.05', '--steps', '5', '--batch', '32', '--workers', '1']);
const study = readStudy(join(OUT, 'leak-54')).record.trials;
const tensors = study.map((t) => Number(t.userAttrs.num_tensors));
const rssMb = study.map((t) => Number(t.userAttrs.rss_bytes) / 2 ** 20);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const early = mean(rssMb.slice(5, 15));
const late = mean(rssMb.slice(-10));

const result = {
  benchmark: 'search',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  wallTime: {
    study: `proxy-b0 on mnist, ${one.trials.length} grid points (step 0.2, |α·β²·γ² − 2| ≤ 0.15), 40 steps of 128 per trial`,
    oneWorkerSeconds: one.seconds,
    twoWorkersSeconds: two.seconds,
    ratio: one.seconds / two.seconds,
    target: 1.8,
    met: one.seconds / two.seconds >= 1.8,
    sameTrialValues: sameValues,
    machineCeiling: {
      what: 'the costliest candidate (α 1.4, β 1, γ 1.2: depth 1.4, 38 px) trained for 40 steps by `scalelab train`, alone and as two processes at once',
      aloneTrainSeconds: alone,
      pairTrainSeconds: pair,
      ratio: ceiling,
      searchRatioOverCeiling: one.seconds / two.seconds / ceiling,
    },
  },
  leaks: {
    study: `proxy-b0 on synthetic 16-px data, ${study.length} trials of 5 steps on one worker`,
    trials: study.length,
    numTensorsAfterEachTrial: { min: Math.min(...tensors), max: Math.max(...tensors) },
    rssMb: { trials6to15: early, last10: late, growthPercent: (100 * (late - early)) / early, series: rssMb.map((x) => Math.round(x)) },
  },
};
const dir = join(process.cwd(), 'results/benchmarks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'search.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ wallTime: result.wallTime, leaks: { ...result.leaks, rssMb: { ...result.leaks.rssMb, series: undefined } } }, null, 2)}\n`);
