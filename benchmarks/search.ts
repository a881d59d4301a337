/**
 * Search throughput, memory and leaks, side by side in one run:
 *  1. the same MNIST study (proxy-b0, 6 grid points, 40 steps per trial) with 1 and with 2 workers — the
 *     wall-time ratio (target ≥ 1.8 on 2 cores), the trial values, which must be identical, and each process'
 *     peak RSS; the same study on synthetic data for its peak RSS (target: each additional worker ≤ 300 MB);
 *  2. the machine's own ceiling for the same work: one `scalelab train` of the costliest candidate alone, then two
 *     at once in separate processes — what 2 cores give two independent TF.js instances, with no search at all;
 *  3. a 54-trial study on one worker (synthetic 16-px data, 5 steps) — TF.js tensors alive and process RSS after
 *     each trial, which must stay flat;
 *  4. where a worker's memory goes: the trial worker in a piscina pool of 1 and 2 threads, as the runner uses it,
 *     training the grid's three largest candidates, with each worker loading its own dataset (the runner before datasets were shared; still so for synthetic and folder data) and
 *     with the dataset loaded once into shared memory and carried by every task (TrialTask.data) — peak RSS, and
 *     each worker's wasm heap, JS heap and array buffers.
 * Writes results/benchmarks/search.json.
 *
 *   npm run bench:search
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { scaleSpec, withResolution, zooModel } from '@scalelab/arch';
import { loadDataset, shareDataset } from '@scalelab/engine';
import { readStudy, trialView } from '@scalelab/search';
import type { TrialOutcome, TrialTask, TrialView } from '@scalelab/search';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-bench-search-'));
const MB = 2 ** 20;

/** Run `args` with node; its wall seconds and peak RSS (VmHWM of /proc/<pid>/status, polled every 100 ms). */
async function runMeasured(args: readonly string[]): Promise<{ seconds: number; peakRssBytes: number; status: number | null }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  let peakRssBytes = 0;
  const poll = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peakRssBytes = Math.max(peakRssBytes, Number(kb) * 1024);
    } catch {
      // the process is gone
    }
  }, 100);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(poll);
  return { seconds: (performance.now() - t0) / 1000, peakRssBytes, status };
}

async function search(name: string, args: readonly string[]): Promise<{ seconds: number; peakRssMb: number; trials: TrialView[] }> {
  const r = await runMeasured([CLI, 'search', '--name', name, '--out', OUT, ...args]);
  if (r.status !== 0) throw new Error(`search ${name} exited ${String(r.status)}`);
  return { seconds: r.seconds, peakRssMb: r.peakRssBytes / MB, trials: readStudy(join(OUT, name)).record.trials.map(trialView) };
}

const WALL_STUDY = ['--baseline', 'proxy-b0', '--dataset', 'mnist', '--step', '0.2', '--tolerance', '0.15', '--steps', '40', '--seed', '0'];
const one = await search('one-worker', [...WALL_STUDY, '--workers', '1']);
const two = await search('two-workers', [...WALL_STUDY, '--workers', '2']);
const SYNTHETIC_STUDY = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--step', '0.2', '--tolerance', '0.15', '--steps', '40', '--seed', '0'];
const oneSynthetic = await search('one-worker-synthetic', [...SYNTHETIC_STUDY, '--workers', '1']);
const twoSynthetic = await search('two-workers-synthetic', [...SYNTHETIC_STUDY, '--workers', '2']);
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

await search('leak-54', ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--tolerance', '0.05', '--steps', '5', '--batch', '32', '--workers', '1']);
const study = readStudy(join(OUT, 'leak-54')).record.trials;
const tensors = study.map((t) => Number(t.userAttrs.num_tensors));
const rssMb = study.map((t) => Number(t.userAttrs.rss_bytes) / 2 ** 20);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const early = mean(rssMb.slice(5, 15));
const late = mean(rssMb.slice(-10));

/**
 * The trial worker in a pool of `workers` threads, as the runner uses it: the grid's three largest candidates
 * (depth 1.4 at 38 px, depth 1.2, the baseline), 20 steps of 128, one task per candidate and thread.
 */
async function poolMemory(workers: number, dataset: 'mnist' | 'synthetic', shared: boolean): Promise<Record<string, number>> {
  const base = zooModel('proxy-b0');
  const specs = [withResolution(scaleSpec(base, { depth: 1.4, width: 1, resolution: 1 }), 38), scaleSpec(base, { depth: 1.2, width: 1, resolution: 1 }), base];
  const data = shared ? shareDataset(loadDataset(dataset, dataset === 'mnist' ? 28 : 32, { seed: 0 })) : undefined;
  const pool = new Piscina<TrialTask, TrialOutcome>({ filename: new URL('../../packages/search/dist/trial-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers });
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const tasks = specs.flatMap((spec) => Array.from({ length: workers }, (_, k): TrialTask => ({ spec, dataset, datasetSeed: 0, epochs: null, steps: 20, batchSize: 128, learningRate: null, augment: 'none', seed: k, backend: 'wasm', latency: false, ...(data === undefined ? {} : { data }) })));
  const outcomes: TrialOutcome[] = [];
  for (let i = 0; i < tasks.length; i += workers) outcomes.push(...(await Promise.all(tasks.slice(i, i + workers).map((t) => pool.run(t)))));
  clearInterval(sample);
  await pool.destroy();
  const max = (f: (o: TrialOutcome) => number): number => Math.round(Math.max(...outcomes.map(f)) / MB);
  return { peakRssMb: Math.round(peak / MB), workerWasmHeapMb: max((o) => o.wasmHeapBytes), workerJsHeapMb: max((o) => o.jsHeapBytes), workerArrayBuffersMb: max((o) => o.arrayBufferBytes) };
}
const pools: Record<string, Record<string, number>> = {};
for (const dataset of ['synthetic', 'mnist'] as const) {
  for (const shared of [false, true]) {
    for (const workers of [1, 2]) pools[`${dataset}, ${shared ? 'shared dataset' : 'own dataset'}, ${workers} worker${workers > 1 ? 's' : ''}`] = await poolMemory(workers, dataset, shared);
  }
}
const added = (dataset: string, mode: string): number => (pools[`${dataset}, ${mode}, 2 workers`]?.peakRssMb ?? Number.NaN) - (pools[`${dataset}, ${mode}, 1 worker`]?.peakRssMb ?? Number.NaN);

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
  memory: {
    target: 'each additional proxy-b0 worker adds at most 300 MB of peak RSS',
    cliSearch: {
      what: 'peak RSS of the whole `scalelab search` process (main thread and workers), the studies above',
      mnist: { oneWorkerMb: Math.round(one.peakRssMb), twoWorkersMb: Math.round(two.peakRssMb), addedByTheSecondMb: Math.round(two.peakRssMb - one.peakRssMb) },
      synthetic: { oneWorkerMb: Math.round(oneSynthetic.peakRssMb), twoWorkersMb: Math.round(twoSynthetic.peakRssMb), addedByTheSecondMb: Math.round(twoSynthetic.peakRssMb - oneSynthetic.peakRssMb) },
    },
    workerPool: {
      what: 'the trial worker in a piscina pool (the grid\'s three largest candidates, 20 steps of 128): peak RSS, and per worker its wasm heap, JS heap and array buffers after its trials',
      runs: pools,
      addedBySecondWorkerMb: {
        synthetic: { ownDataset: added('synthetic', 'own dataset'), sharedDataset: added('synthetic', 'shared dataset') },
        mnist: { ownDataset: added('mnist', 'own dataset'), sharedDataset: added('mnist', 'shared dataset') },
      },
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
process.stdout.write(`${JSON.stringify({ wallTime: result.wallTime, memory: result.memory, leaks: { ...result.leaks, rssMb: { ...result.leaks.rssMb, series: undefined } } }, null, 2)}\n`);
