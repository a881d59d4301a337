/** `scalelab train` end to end on small budgets (the full MNIST acceptance run is in the closing note). */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface TrainJson {
  backend: string;
  accuracy: number;
  loss: number;
  epochs: number;
  steps: number;
  trainSeconds: number;
  imagesPerSecond: number;
  params: number;
  macs: number;
  history: { epoch: number; testAccuracy: number }[];
  latency?: { batch1Ms: number; batchMsPerImage: number; batchSize: number };
}

test('train --json prints the stable fields, records the backend, and is reproducible with a seed', (t) => {
  const args = ['train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '6', '--batch', '16', '--backend', 'wasm', '--seed', '3', '--json'];
  const a = run(...args);
  t.is(a.code, 0, a.stderr);
  const r = JSON.parse(a.stdout) as TrainJson;
  for (const key of ['backend', 'accuracy', 'loss', 'epochs', 'steps', 'trainSeconds', 'imagesPerSecond', 'params', 'macs', 'history']) t.true(key in r, key);
  t.is(r.backend, 'wasm');
  t.is(r.steps, 6);
  t.is(r.history.length, 1);
  const b = JSON.parse(run(...args).stdout) as TrainJson;
  t.is(b.accuracy, r.accuracy);
  t.is(b.loss, r.loss);
});

test('the recipe flags reach the trainer and --json records them; --help states the trainer\'s own defaults', async (t) => {
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '2', '--batch', '8', '--resolution', '16', '--label-smoothing', '0.2', '--weight-decay', '0', '--augment', 'none', '--ema', '0.9', '--json');
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { labelSmoothing: number; weightDecay: number; augment: string; ema: number };
  t.deepEqual([json.labelSmoothing, json.weightDecay, json.augment, json.ema], [0.2, 0, 'none', 0.9]);
  const { TRAINING_DEFAULTS } = await import('@scalelab/engine');
  const help = run('train', '--help').stdout;
  const stated = (flag: string): string | undefined => new RegExp(`--${flag} .*\\(default ([^):]+)`).exec(help)?.[1];
  t.is(Number(stated('epochs')), TRAINING_DEFAULTS.epochs);
  t.is(Number(stated('batch')), TRAINING_DEFAULTS.batchSize);
  t.is(Number(stated('label-smoothing')), TRAINING_DEFAULTS.labelSmoothing);
  t.is(Number(stated('weight-decay')), TRAINING_DEFAULTS.weightDecay);
  t.is(Number(stated('ema')), TRAINING_DEFAULTS.ema);
  t.is(stated('augment'), TRAINING_DEFAULTS.augment);
});

test('train --latency adds median latency at batch 1 and at batch 32', (t) => {
  const r = JSON.parse(run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '1', '--latency', '--json').stdout) as TrainJson;
  t.true((r.latency?.batch1Ms ?? 0) > 0);
  t.is(r.latency?.batchSize, 32);
});

test('train on the cpu backend works and says so', (t) => {
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '1', '--batch', '8', '--resolution', '16', '--backend', 'cpu', '--json');
  t.is(r.code, 0, r.stderr);
  t.is((JSON.parse(r.stdout) as TrainJson).backend, 'cpu');
});

const BAD: readonly [string[], RegExp][] = [
  [['train', 'proxy-b0', '--dataset', 'imagenet'], /unknown dataset 'imagenet'/],
  [['train', 'proxy-b0', '--dataset', 'folder:/no/such/folder'], /dataset folder '\/no\/such\/folder' does not exist/],
  [['train', 'proxy-b0', '--dataset', 'cifar10:/no/such/cifar'], /CIFAR-10 folder '\/no\/such\/cifar' does not exist/],
  [['train', 'proxy-b0', '--epochs', '0'], /--epochs must be positive/],
  [['train', 'proxy-b0', '--epochs', '1', '--steps', '2'], /either --epochs or --steps/],
  [['train', 'proxy-b0', '--backend', 'gpu'], /--backend must be one of tensorflow, wasm, cpu, got 'gpu'/],
  [['train', 'proxy-b0', '--classes', '5'], /--classes 5 does not match dataset 'mnist', which has 10 classes/],
  [['train', 'no-such-model'], /unknown model 'no-such-model'/],
  [['train', 'proxy-b0', '--label-smoothing', '1'], /--label-smoothing must be below 1, got 1/],
  [['train', 'proxy-b0', '--weight-decay', '-1'], /--weight-decay must be at least 0, got '-1'/],
  [['train', 'proxy-b0', '--ema', '1'], /--ema must be below 1, got 1/],
  [['train', 'proxy-b0', '--augment', 'flip'], /--augment must be shift or none, got 'flip'/],
];
for (const [args, why] of BAD) {
  test(`bad input exits 2 with one message: ${args.slice(1).join(' ')}`, (t) => {
    const r = run(...args);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, why);
    t.notRegex(r.stderr, /\n\s+at /);
  });
}

test('--backend tensorflow is used where @tensorflow/tfjs-node installed, and a clear error where it did not', (t) => {
  let installed = true;
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
  } catch {
    installed = false;
  }
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '1', '--backend', 'tensorflow', '--json');
  if (installed) {
    t.is(r.code, 0, r.stderr);
    t.is((JSON.parse(r.stdout) as TrainJson).backend, 'tensorflow');
  } else {
    t.is(r.code, 2);
    t.regex(r.stderr, /backend 'tensorflow' is not available here/);
  }
});

test('a diverging run exits 1 with one line saying so, not a stack trace', (t) => {
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '30', '--batch', '16', '--optimizer', 'sgd', '--lr', '1e12');
  t.is(r.code, 1);
  t.regex(r.stderr, /training diverged: the loss became (NaN|Infinity|-Infinity) at step \d+/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test('train refuses, before loading any data, a model that cannot fit the wasm heap: one line naming the batch that would fit, exit 2', (t) => {
  // A dataset folder that does not exist: refusing first is what keeps its "does not exist" from showing.
  const r = run('train', 'efficientnet-b0', '--resolution', '224', '--batch', '64', '--dataset', 'folder:/nonexistent/scalelab-data', '--backend', 'wasm');
  t.is(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0] ?? '', /efficientnet-b0 at 224 px needs about [\d.]+ GB of wasm heap to train at batch 64 .*: batch \d+ would fit$/);
});

test('train --save DIR writes model.json + weights.bin that tf.loadLayersModel reads and `analyze DIR/model.json` prices as the spec', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'scalelab-cli-save-')), 'proxy');
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '2', '--batch', '16', '--backend', 'wasm', '--save', dir, '--json');
  t.is(r.code, 0, r.stderr);
  t.is((JSON.parse(r.stdout) as { saved: string }).saved, join(dir, 'model.json'));
  // The analysis of the saved topology against the spec's (synthetic data: 1 channel, 10 classes, as proxy-b0's).
  const fromFile = JSON.parse(run('analyze', join(dir, 'model.json'), '--json').stdout) as { params: { total: number }; macs: number };
  const fromSpec = JSON.parse(run('analyze', 'proxy-b0', '--json').stdout) as { params: { total: number }; macs: number };
  t.is(fromFile.params.total, fromSpec.params.total);
  t.is(fromFile.macs, fromSpec.macs);
  const { tf, modelFiles, useBackend } = await import('@scalelab/engine');
  await useBackend('cpu');
  const model = await tf.loadLayersModel(modelFiles(join(dir, 'model.json')));
  const p = model.predict(tf.zeros([2, 32, 32, 1])) as import('@scalelab/engine').tf.Tensor;
  t.deepEqual(p.shape, [2, 10]);
  const rows = p.sum(1).dataSync();
  t.true(Math.abs((rows[0] ?? 0) - 1) < 1e-5, 'softmax rows sum to 1');
});

test('train --save into a path that is a file: one line, exit 2', (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'scalelab-cli-save-')), 'a-file');
  writeFileSync(file, 'x');
  const r = run('train', 'proxy-b0', '--dataset', 'synthetic', '--steps', '1', '--batch', '8', '--resolution', '16', '--save', file);
  t.is(r.code, 2, r.stderr);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
});
