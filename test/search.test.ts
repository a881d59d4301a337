/**
 * `scalelab search` end to end on tiny synthetic studies: every grid point exactly once, determinism, failure
 * isolation and retries, successive halving, SIGKILL + resume, bad input, and real Optuna reading the journals.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStudy, trialView } from '@scalelab/search';
import type { StudySummary, TrialView } from '@scalelab/search';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-search-'));
/** Six grid points (β = γ = 1 … 1.5, α = 1 … 2 in quarters, |cost − 2| ≤ 0.3), 12-step trials on 16-px synthetic data. */
const SMALL = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.25', '--tolerance', '0.3', '--steps', '12', '--batch', '32', '--seed', '7', '--out', OUT];

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'search', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function trials(name: string): TrialView[] {
  return readStudy(join(OUT, name)).record.trials.map(trialView);
}

function completeValues(ts: readonly TrialView[]): Record<string, number | null> {
  return Object.fromEntries(ts.filter((t) => t.state === 'COMPLETE').map((t) => [t.gridId, t.value]).sort());
}

/** Each grid point's number of COMPLETE trials. */
function completions(ts: readonly TrialView[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of ts) if (t.state === 'COMPLETE') m.set(t.gridId, (m.get(t.gridId) ?? 0) + 1);
  return m;
}

const GRID = ['a1.00-b1.00-g1.50', 'a1.00-b1.50-g1.00', 'a1.25-b1.00-g1.25', 'a1.25-b1.25-g1.00', 'a1.75-b1.00-g1.00', 'a2.00-b1.00-g1.00'];

test.serial('a study runs every grid point exactly once with 2 workers and writes the journal and summary', (t) => {
  const r = run('--name', 'plain', '--workers', '2', '--json', ...SMALL);
  t.is(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as StudySummary;
  const ts = trials('plain');
  // The six points computed by hand: α·β²·γ² ∈ {2.25, 2.25, 1.953, 1.953, 1.75, 2}.
  t.deepEqual([...completions(ts).keys()].sort(), GRID);
  t.true([...completions(ts).values()].every((n) => n === 1));
  t.is(ts.length, 6);
  t.deepEqual(summary.points, { complete: 6, failed: 0, pruned: 0, pending: 0 });
  t.is(summary.counts.COMPLETE, 6);
  const best = ts.reduce((a, b) => ((b.value ?? -1) > (a.value ?? -1) ? b : a));
  t.is(summary.best?.gridId, best.gridId);
  t.is(summary.family.length, 7);
  t.deepEqual(JSON.parse(readFileSync(join(OUT, 'plain', 'summary.json'), 'utf8')), summary);
  const config = JSON.parse(readFileSync(join(OUT, 'plain', 'config.json'), 'utf8')) as { name: string; space: { step: number }; budget: { steps: number } };
  t.is(config.name, 'plain');
  t.is(config.space.step, 0.25);
  t.is(config.budget.steps, 12);
  for (const x of ts) {
    t.is(x.curve.length, 1); // 12 steps < one epoch of synthetic data: one evaluation
    t.true(x.macs !== null && x.params !== null && x.activations !== null && x.macsRatio !== null && x.backend !== null);
    t.true(Math.abs((x.nominalCost ?? 0) - x.alpha * x.beta ** 2 * x.gamma ** 2) < 1e-12);
  }
});

test.serial('the same seed gives the same trial results (1 worker vs 2)', (t) => {
  const r = run('--name', 'again', '--workers', '1', ...SMALL);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(completeValues(trials('again')), completeValues(trials('plain')));
});

test.serial('SIGKILL mid-study, then --resume: completed trials kept, interrupted ones FAIL and rerun, each point COMPLETE once, same values', async (t) => {
  const name = 'killed';
  const journal = join(OUT, name, 'journal.log');
  const child = spawn(process.execPath, [CLI, 'search', '--name', name, '--workers', '1', ...SMALL], { stdio: 'ignore' });
  const completeLines = (): number => (existsSync(journal) ? (readFileSync(journal, 'utf8').match(/"op_code":6,[^\n]*"state":1/g) ?? []).length : 0);
  const deadline = Date.now() + 120_000;
  while (completeLines() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = trials(name);
  t.true(before.filter((x) => x.state === 'COMPLETE').length >= 2);
  t.true(before.filter((x) => x.state === 'COMPLETE').length < 6, 'killed before the end');
  // A crash mid-write leaves a torn line: resume must ignore it, not fail.
  appendFileSync(journal, '{"op_code":8,"worker_id":"scalelab-0f1e-42","trial_id":3,"user_');
  const r = run('--resume', join(OUT, name), '--workers', '2');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /torn last line/);
  const after = trials(name);
  t.true([...completions(after).values()].every((n) => n === 1));
  t.deepEqual([...completions(after).keys()].sort(), GRID);
  // Trials completed before the kill are untouched.
  for (const x of before.filter((b) => b.state === 'COMPLETE')) t.is(after[x.id]?.value, x.value);
  const interrupted = after.filter((x) => x.interrupted);
  t.is(interrupted.length, before.filter((x) => x.state === 'RUNNING').length);
  for (const x of interrupted) {
    t.is(x.state, 'FAIL');
    t.regex(x.error ?? '', /^interrupted: /);
  }
  t.deepEqual(completeValues(after), completeValues(trials('plain')));
  const summary = JSON.parse(readFileSync(join(OUT, name, 'summary.json'), 'utf8')) as StudySummary;
  t.deepEqual(summary.points, { complete: 6, failed: 0, pruned: 0, pending: 0 });
});

test.serial('a trial whose objective is not finite is a FAIL with its error; --retries reruns it; the study goes on', (t) => {
  const macs = Object.fromEntries(trials('plain').map((x) => [x.gridId, x.macs ?? 0]));
  const sorted = Object.values(macs).sort((a, b) => a - b);
  // log(macs − T) is NaN for the candidates below T: those fail, the others complete.
  const threshold = ((sorted[1] ?? 0) + (sorted[2] ?? 0)) / 2;
  const r = run('--name', 'fails', '--workers', '2', '--retries', '1', '--objective', `accuracy + log(macs - ${threshold})`, ...SMALL);
  t.is(r.code, 0, r.stderr);
  const ts = trials('fails');
  const failing = Object.keys(macs).filter((id) => (macs[id] ?? 0) < threshold);
  t.is(failing.length, 2);
  for (const id of GRID) {
    const mine = ts.filter((x) => x.gridId === id);
    if (failing.includes(id)) {
      t.deepEqual(mine.map((x) => x.state), ['FAIL', 'FAIL'], id); // first try + one retry
      t.regex(mine[0]?.error ?? '', /not a finite number/);
    } else {
      t.deepEqual(mine.map((x) => x.state), ['COMPLETE'], id);
    }
  }
  const summary = JSON.parse(readFileSync(join(OUT, 'fails', 'summary.json'), 'utf8')) as StudySummary;
  t.deepEqual(summary.points, { complete: 4, failed: 2, pruned: 0, pending: 0 });
});

test.serial('a trial that throws (training diverges) is a FAIL with the engine\'s message', (t) => {
  const r = run('--name', 'diverges', '--workers', '1', '--lr', '1000000', ...SMALL, '--alpha', '1:1', '--beta', '1:1');
  t.is(r.code, 0, r.stderr);
  const ts = trials('diverges');
  t.deepEqual(ts.map((x) => x.state), ['FAIL']);
  t.regex(ts[0]?.error ?? '', /training diverged/);
});

test.serial('a trial over --trial-timeout is a FAIL naming the timeout', (t) => {
  const r = run('--name', 'slow', '--workers', '2', '--trial-timeout', '0.05', ...SMALL.map((a) => (a === '12' ? '400' : a)), '--alpha', '1:1', '--beta', '1:1');
  t.is(r.code, 0, r.stderr);
  const ts = trials('slow');
  t.is(ts.length, 1); // α = β = 1 leaves γ = 1.5 (cost 2.25) alone
  t.is(ts[0]?.state, 'FAIL');
  t.regex(ts[0]?.error ?? '', /trial timeout of 0\.05 s/);
});

test.serial('successive halving: everyone at the base budget, the best 1/η go on with η× more, the rest PRUNED', (t) => {
  const r = run('--name', 'halving', '--workers', '2', '--halving', '2', ...SMALL.map((a) => (a === '12' ? '4' : a)));
  t.is(r.code, 0, r.stderr);
  const ts = trials('halving');
  // 6 candidates → rung 0 (4 steps) keeps ⌈6/2⌉ = 3 → rung 1 (8 steps) keeps ⌈3/2⌉ = 2 → 2 ≤ η: rung 2 (16 steps) completes them.
  t.is(ts.filter((x) => x.state === 'COMPLETE').length, 2);
  t.is(ts.filter((x) => x.state === 'PRUNED').length, 4);
  for (const x of ts.filter((y) => y.state === 'COMPLETE')) t.deepEqual(x.runs.map((run) => run.steps), [4, 8, 16]);
  const rung0 = ts.map((x) => ({ id: x.gridId, v: x.runs[0]?.value ?? Number.NaN, promoted: x.runs.length > 1 }));
  const worstPromoted = Math.min(...rung0.filter((x) => x.promoted).map((x) => x.v));
  const bestStopped = Math.max(...rung0.filter((x) => !x.promoted).map((x) => x.v));
  t.true(worstPromoted >= bestStopped);
  t.is(rung0.filter((x) => x.promoted).length, 3);
});

test.serial('--dry-run lists every candidate priced (nominal α·β²·γ² beside the realized MACs ratio) and writes nothing', (t) => {
  const r = run('--dry-run', '--json', ...SMALL);
  t.is(r.code, 0, r.stderr);
  const listed = JSON.parse(r.stdout) as { baseline: { macs: number }; candidates: { gridId: string; nominalCost: number; macsRatio: number; macs: number }[] };
  t.deepEqual(listed.candidates.map((c) => c.gridId).sort(), GRID);
  // Hand: a1.00-b1.00-g1.50 → 1 · 1² · 1.5² = 2.25; a1.25-b1.00-g1.25 → 1.25 · 1.5625 = 1.953125.
  t.is(listed.candidates.find((c) => c.gridId === 'a1.00-b1.00-g1.50')?.nominalCost, 2.25);
  t.is(listed.candidates.find((c) => c.gridId === 'a1.25-b1.00-g1.25')?.nominalCost, 1.953125);
  for (const c of listed.candidates) t.is(c.macsRatio, c.macs / listed.baseline.macs);
  t.false(existsSync(join(OUT, 'dry-run')));
});

test.serial('--save-best keeps the best trial\'s trained model in <study>/best/: TF.js counts the spec\'s params and the weights give the journaled accuracy', async (t) => {
  const r = run('--name', 'keep', '--workers', '2', '--save-best', '--json', ...SMALL);
  t.is(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as StudySummary & { bestModel: string | null };
  const dir = join(OUT, 'keep');
  const best = summary.best;
  if (best === null) return t.fail('no best trial');
  t.is(summary.bestModel, join(dir, 'best', 'model.json'));
  t.false(existsSync(join(dir, 'candidates')), 'the other trials\' models are removed');
  const kept = JSON.parse(readFileSync(join(dir, 'best', 'best.json'), 'utf8')) as { trialId: number; gridId: string };
  t.is(kept.trialId, best.id);
  t.is(kept.gridId, best.gridId);
  const { evaluate, loadDataset, modelFiles, tf, useBackend } = await import('@scalelab/engine');
  await useBackend('wasm');
  const model = await tf.loadLayersModel(modelFiles(join(dir, 'best', 'model.json')));
  // Independent of the analyzer: TF.js counts the loaded model; the trial's params come from the analyzer.
  t.is(model.countParams(), best.params ?? Number.NaN);
  // The weights are that trial's: its test set (synthetic, the study's seed 7, at the candidate's resolution) at the
  // training batch gives the accuracy the journal holds.
  const resolution = (model.inputs[0]?.shape[1] ?? 0) as number;
  const data = loadDataset('synthetic', resolution, { seed: 7 });
  t.is(evaluate(model, data.test, resolution, data.channels, data.classes, 32).accuracy, best.accuracy ?? Number.NaN);
  // A best/ that --save-best did not write is refused before anything runs.
  renameSync(join(dir, 'best', 'best.json'), join(dir, 'best.json.moved'));
  const refused = run('--resume', dir, '--save-best');
  t.is(refused.code, 2, refused.stderr);
  t.regex(refused.stderr, /best.*not written by --save-best/);
  t.true(existsSync(join(dir, 'best', 'model.json')));
  return undefined;
});

test.serial('bad input exits 2 with one line and writes nothing', (t) => {
  const cases: [string[], RegExp][] = [
    [['--name', 'x1', '--target', '12'], /no feasible point/],
    [['--name', 'x2', '--alpha', '1.5:1.2'], /min > max/],
    [['--name', 'x3', '--beta', '0.8:1.2'], /at least 1/],
    [['--name', 'x4', '--step', '0'], /step must be a positive number/],
    [['--name', 'x5', '--baseline', 'efficientnet-b9'], /unknown model 'efficientnet-b9'/],
    [['--name', 'x6', '--dataset', 'imagenet'], /dataset/],
    [['--name', 'x7', '--objective', 'acc'], /unknown variable/],
    [['--name', 'x8', '--solve', 'alpha'], /--solve takes 'gamma'/],
    [['--name', 'x9', '--config', join(OUT, 'nope.json')], /cannot read config file/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args, '--out', OUT);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(existsSync(join(OUT, args[1] ?? '')), `nothing written for ${args.join(' ')}`);
  }
});

test.serial('an existing study without --resume, a missing study and a corrupt journal exit 2 and leave files as they were', (t) => {
  const journal = join(OUT, 'plain', 'journal.log');
  const bytes = readFileSync(journal);
  const again = run('--name', 'plain', ...SMALL);
  t.is(again.code, 2);
  t.regex(again.stderr, /already exists.*--resume/);
  t.deepEqual(readFileSync(journal), bytes);
  const missing = run('--resume', join(OUT, 'no-such-study'));
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no study at/);
  const dir = join(OUT, 'corrupt');
  spawnSync('cp', ['-r', join(OUT, 'plain'), dir]);
  const lines = readFileSync(join(dir, 'journal.log'), 'utf8').split('\n');
  lines[3] = '{garbage';
  writeFileSync(join(dir, 'journal.log'), lines.join('\n'));
  const corrupt = run('--resume', dir);
  t.is(corrupt.code, 2);
  t.regex(corrupt.stderr, /journal\.log:4: not a JSON line/);
  t.is(readFileSync(join(dir, 'journal.log'), 'utf8'), lines.join('\n'));
  const flags = run('--resume', join(OUT, 'plain'), '--step', '0.1');
  t.is(flags.code, 2);
  t.regex(flags.stderr, /only --workers may change/);
});

test.serial('real Optuna 3.1 loads our journals: every trial with its params, state, value and intermediate values', (t) => {
  const python = '/usr/bin/python3';
  const script = `
import json, sys, warnings
warnings.simplefilter("ignore")
import optuna
from optuna.storages import JournalStorage, JournalFileStorage
optuna.logging.set_verbosity(optuna.logging.ERROR)
out = {}
for path, name in zip(sys.argv[1::2], sys.argv[2::2]):
    s = optuna.load_study(study_name=name, storage=JournalStorage(JournalFileStorage(path)))
    out[name] = {"direction": s.direction.name, "trials": [{"number": t.number, "state": t.state.name, "params": t.params, "value": t.value,
        "intermediate": {str(k): v for k, v in t.intermediate_values.items()}, "grid_id": t.user_attrs.get("grid_id"), "macs": t.user_attrs.get("macs")} for t in s.trials]}
print(json.dumps(out))
`;
  const names = ['plain', 'killed', 'fails', 'halving'];
  const r = spawnSync(python, ['-c', script, ...names.flatMap((n) => [join(OUT, n, 'journal.log'), n])], { encoding: 'utf8' });
  t.is(r.status, 0, `${python} with optuna (Debian python3-optuna, installed by .ci/run): ${r.stderr}`);
  const seen = JSON.parse(r.stdout) as Record<string, { direction: string; trials: { number: number; state: string; params: Record<string, number>; value: number | null; intermediate: Record<string, number>; grid_id: string; macs: number }[] }>;
  for (const name of names) {
    const ours = trials(name);
    const theirs = seen[name];
    t.is(theirs?.direction, 'MAXIMIZE');
    t.is(theirs?.trials.length, ours.length, name);
    theirs?.trials.forEach((x, i) => {
      const o = ours[i] as TrialView;
      t.is(x.number, o.id);
      t.is(x.state, o.state, `${name} #${i}`);
      t.deepEqual(x.params, { alpha: o.alpha, beta: o.beta, gamma: o.gamma });
      t.is(x.value, o.value);
      t.is(x.grid_id, o.gridId);
      t.is(x.macs, o.macs ?? Number.NaN);
      t.deepEqual(x.intermediate, Object.fromEntries(o.curve.map((c) => [String(c.epoch), c.accuracy])));
    });
  }
  t.true(seen.fails?.trials.some((x) => x.state === 'FAIL'));
  t.true(seen.halving?.trials.some((x) => x.state === 'PRUNED'));
  t.true(seen.killed?.trials.some((x) => x.state === 'FAIL'));
});
