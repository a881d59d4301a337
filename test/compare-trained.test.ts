/**
 * Trained strategy comparisons end to end on tiny synthetic budgets: every (strategy, target) point trained once per
 * seed and journaled like a search (params strategy, target, seed; real Optuna reads them), compare.json with the
 * statistics of each point's seeds, resume after SIGKILL exactly once, the report recognising a comparison, and
 * `search --seeds`.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStudy, summarizeSample, trialView } from '@scalelab/search';
import type { ComparisonResult, StudySummary } from '@scalelab/search';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-compare-trained-'));
const SMALL = ['--dataset', 'synthetic', '--steps', '2', '--seeds', '2', '--targets', '2,4', '--strategies', 'depth,width', '--workers', '2', '--out', OUT];

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.serial('a trained comparison: each point × seed exactly once, compare.json with mean, std, CI and n per point', (t) => {
  const r = cli('compare', 'proxy-b0', '--name', 'cmp', ...SMALL, '--json');
  t.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as ComparisonResult;
  t.deepEqual(JSON.parse(readFileSync(join(OUT, 'cmp', 'compare.json'), 'utf8')), result);
  t.deepEqual(result.points.map((p) => `${p.strategy}@${p.target}`), ['depth@2', 'depth@4', 'width@2', 'width@4']);
  const trials = readStudy(join(OUT, 'cmp')).record.trials.map(trialView);
  t.is(trials.length, 8);
  const runs = new Set(trials.filter((x) => x.state === 'COMPLETE').map((x) => `${x.strategy}@${x.target}#${x.seed}`));
  t.is(runs.size, 8, 'every point at seeds 0 and 1, once');
  for (const p of result.points) {
    const mine = trials.filter((x) => x.strategy === p.strategy && x.target === p.target);
    const accuracies = mine.map((x) => x.accuracy ?? Number.NaN);
    // The statistics recomputed by hand: mean of two values, sample std |a − b| / √2.
    const [a = 0, b = 0] = accuracies;
    t.is(p.accuracy?.n, 2);
    t.true(Math.abs((p.accuracy?.mean ?? -1) - (a + b) / 2) < 1e-12);
    t.true(Math.abs((p.accuracy?.std ?? -1) - Math.abs(a - b) / Math.SQRT2) < 1e-12);
    // 95% CI with t(0.975, 1) = 12.706 (published table): mean ± 12.706 · std / √2.
    const half = (12.706 * Math.abs(a - b)) / Math.SQRT2 / Math.SQRT2;
    t.true(Math.abs((p.accuracy?.ci95?.[1] ?? 0) - ((a + b) / 2 + half)) < 1e-3 * Math.max(1, half));
    t.true(p.imagesPerSecond !== null && p.imagesPerSecond > 0);
    t.true(p.latencyMs.batch1 !== null && p.latencyMs.batch32 !== null);
    // Realized matching: every point within 3% of its target is not promised on a 32-px proxy; the ratio is reported.
    t.true(p.macsRatio > 1);
  }
  const fits = new Set(result.fits.map((f) => `${f.strategy}/${f.quantity}`));
  for (const f of ['depth/params', 'depth/activations', 'depth/latency', 'width/params', 'width/activations']) t.true(fits.has(f), f);
  t.is(result.fits.find((f) => f.strategy === 'depth' && f.quantity === 'params')?.theory, 1);
  t.is(result.fits.find((f) => f.strategy === 'width' && f.quantity === 'activations')?.theory, 0.5);
});

test.serial('real Optuna loads a comparison: strategy categorical, target float, seed int', (t) => {
  const script = `
import json, sys, warnings
warnings.simplefilter("ignore")
import optuna
from optuna.storages import JournalStorage, JournalFileStorage
optuna.logging.set_verbosity(optuna.logging.ERROR)
s = optuna.load_study(study_name="cmp", storage=JournalStorage(JournalFileStorage(sys.argv[1])))
print(json.dumps([{"params": t.params, "state": t.state.name, "value": t.value, "dist": {k: type(v).__name__ for k, v in t.distributions.items()}} for t in s.trials]))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, join(OUT, 'cmp', 'journal.log')], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { params: { strategy: string; target: number; seed: number }; state: string; value: number; dist: Record<string, string> }[];
  const ours = readStudy(join(OUT, 'cmp')).record.trials.map(trialView);
  t.is(seen.length, ours.length);
  seen.forEach((x, i) => {
    const o = ours[i];
    t.is(x.params.strategy, o?.strategy ?? '');
    t.is(x.params.target, o?.target ?? -1);
    t.is(x.params.seed, o?.seed ?? -1);
    t.is(x.value, o?.value ?? Number.NaN);
    t.deepEqual(x.dist, { strategy: 'CategoricalDistribution', target: 'FloatDistribution', seed: 'IntDistribution' });
  });
});

test.serial('SIGKILL mid-comparison, then compare --resume: each point × seed COMPLETE exactly once', async (t) => {
  const name = 'cmp-killed';
  const journal = join(OUT, name, 'journal.log');
  const child = spawn(process.execPath, [CLI, 'compare', 'proxy-b0', '--name', name, ...SMALL], { stdio: 'ignore' });
  const completes = (): number => (existsSync(journal) ? (readFileSync(journal, 'utf8').match(/"op_code":6,[^\n]*"state":1/g) ?? []).length : 0);
  const deadline = Date.now() + 300_000;
  while (completes() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.true(completes() < 8, 'killed before the end');
  const r = cli('compare', '--resume', join(OUT, name));
  t.is(r.code, 0, r.stderr);
  const trials = readStudy(join(OUT, name)).record.trials.map(trialView);
  const complete = trials.filter((x) => x.state === 'COMPLETE').map((x) => `${x.strategy}@${x.target}#${x.seed}`);
  t.is(complete.length, 8);
  t.is(new Set(complete).size, 8);
  t.false(trials.some((x) => x.state === 'RUNNING'));
});

test.serial('report recognises a comparison: its figures and Table-3-like tables (compare.md, .tex, .csv)', (t) => {
  const r = cli('report', join(OUT, 'cmp'));
  t.is(r.code, 0, r.stderr);
  for (const f of ['compare.md', 'compare.tex', 'compare.csv', 'fits.md', 'trials.csv', 'report.html']) t.true(existsSync(join(OUT, 'cmp', f)), f);
  const md = readFileSync(join(OUT, 'cmp', 'compare.md'), 'utf8').trim().split('\n');
  t.is(md.length, 2 + 4);
  t.regex(md[2] ?? '', /^\| depth \| 2× \| \d+\.\d\d \|/);
  const html = readFileSync(join(OUT, 'cmp', 'report.html'), 'utf8');
  t.true(html.includes('id="plot-compare-accuracy"') && html.includes('id="plot-compare-cost"') && html.includes('id="compare-table"'));
  t.regex(readFileSync(join(OUT, 'cmp', 'compare.tex'), 'utf8'), /\\toprule[\s\S]*Strategy & Target[\s\S]*\\bottomrule/);
});

test.serial('search --seeds 2: every grid point twice, the best by mean with its tied set, error bars in the report', (t) => {
  const r = cli('search', '--name', 'seeded', '--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.5', '--tolerance', '0.3', '--steps', '3', '--batch', '32', '--seeds', '2', '--workers', '2', '--out', OUT, '--json');
  t.is(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as StudySummary;
  const trials = readStudy(join(OUT, 'seeded')).record.trials.map(trialView);
  t.is(trials.length, 2 * summary.gridPoints);
  t.deepEqual([...new Set(trials.map((x) => x.seed))].sort(), [0, 1]);
  t.not(summary.bestByMean, null);
  const best = summary.pointSummaries.find((p) => p.gridId === summary.bestByMean?.gridId);
  const values = trials.filter((x) => x.gridId === best?.gridId).map((x) => x.value ?? Number.NaN);
  t.deepEqual(best?.value, summarizeSample(values));
  for (const p of summary.pointSummaries) t.true((p.value?.mean ?? -Infinity) <= (best?.value?.mean ?? Infinity), 'best by mean');
  const report = cli('report', join(OUT, 'seeded'));
  t.is(report.code, 0, report.stderr);
  const html = readFileSync(join(OUT, 'seeded', 'report.html'), 'utf8');
  t.true(html.includes('id="plot-seeds"') && html.includes('id="best-by-mean"'));
  t.regex(cli('search', '--name', 'bad', '--seeds', '2', '--halving', '2', '--out', OUT).stderr, /cannot be combined with several seeds/);
});

test.serial("compare --from takes a coefficient search's best α, β, γ as its compound strategy", (t) => {
  const summary = JSON.parse(readFileSync(join(OUT, 'seeded', 'summary.json'), 'utf8')) as StudySummary;
  const b = summary.best;
  t.not(b, null);
  const r = cli('compare', 'proxy-b0', '--from', join(OUT, 'seeded'), '--targets', '2', '--json');
  t.is(r.code, 0, r.stderr);
  const strategies = (JSON.parse(r.stdout) as { points: { strategy: string }[] }).points.map((p) => p.strategy);
  // Plain `compound` (the paper's 1.2, 1.1, 1.15) is replaced by the study's own coefficients.
  t.deepEqual(strategies, ['depth', 'width', 'resolution', `compound:${b?.alpha},${b?.beta},${b?.gamma}`, 'fast']);
  const notSearch = cli('compare', 'proxy-b0', '--from', join(OUT, 'cmp'));
  t.is(notSearch.code, 2);
  t.regex(notSearch.stderr, /is a comparison, not a coefficient search/);
});
