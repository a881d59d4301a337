/** `scalelab analyze` and `scalelab scale` end to end, as a user runs them. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(...args: string[]): T {
  const r = run(...args);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface AnalysisJson {
  model: string;
  resolution: number;
  multipliers: { depth: number; width: number; resolution: number };
  params: { trainable: number; nonTrainable: number; total: number };
  macs: number;
  flops: number;
  activations: number;
  layers?: { name: string; kind: string; outputShape: number[]; params: { total: number }; macs: number; activations: number }[];
}

test('analyze --json prints the stable fields with Keras B0 params', (t) => {
  const a = json<AnalysisJson>('analyze', 'efficientnet-b0', '--json');
  t.is(a.model, 'efficientnet-b0');
  t.is(a.resolution, 224);
  t.deepEqual(a.multipliers, { depth: 1, width: 1, resolution: 1 });
  t.deepEqual(a.params, { trainable: 5_288_548, nonTrainable: 42_023, total: 5_330_571 });
  t.is(a.flops, 2 * a.macs);
  t.true(a.activations > 0);
  t.is(a.layers, undefined);
});

test('analyze --width/--depth/--resolution scale the model (B0 × B4 coefficients = Keras B4)', (t) => {
  const a = json<AnalysisJson>('analyze', 'efficientnet-b0', '--width', '1.4', '--depth', '1.8', '--resolution', '380', '--json');
  t.is(a.params.total, 19_466_823);
  t.is(a.resolution, 380);
  t.deepEqual(a.multipliers, { depth: 1.8, width: 1.4, resolution: 380 / 224 });
});

test('analyze --layers --json lists layers with name, kind, outputShape, params, macs, activations', (t) => {
  const a = json<AnalysisJson>('analyze', 'resnet50', '--layers', '--json', '--classes', '10');
  const last = a.layers?.at(-1);
  t.deepEqual(Object.keys(last ?? {}).filter((k) => ['name', 'kind', 'outputShape', 'params', 'macs', 'activations'].includes(k)).length, 6);
  t.is(last?.name, 'predictions');
  t.is(last?.params.total, 2048 * 10 + 10);
  t.is(a.layers?.reduce((n, l) => n + l.params.total, 0), a.params.total);
});

test('analyze prints a readable table by default, and Markdown / CSV on request', (t) => {
  const text = run('analyze', 'mobilenetv2');
  t.is(text.code, 0);
  t.regex(text.stdout, /params\s+3,538,984/);
  t.regex(text.stdout, /stage\s+params/);
  t.regex(run('analyze', 'mobilenetv2', '--md').stdout, /^\| stage \| params \|/);
  t.regex(run('analyze', 'mobilenetv2', '--csv', '--layers').stdout, /^name,kind,stage,output,params/);
});

test('analyze reads an arch file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-'));
  const file = join(dir, 'tiny.arch');
  writeFileSync(file, 'name: tiny\nresolution: 8\nstem: 8 k3 s2\nhead: 32\nclasses: 10\nds_r1_k3_s1_e1_c8_se0.25\nir_r1_k3_s2_e2_c16_se0.5\n');
  const a = json<AnalysisJson>('analyze', file, '--json');
  t.is(a.model, 'tiny');
  t.is(a.params.total, 2328); // priced by hand in packages/analyzer/src/spec-analysis.test.ts
});

interface ScaleJson extends AnalysisJson {
  coefficients: { alpha: number; beta: number; gamma: number; phi: number };
  nominalCost: number;
  realizedMacsRatio: number;
  baseline: { macs: number };
}

test('scale --phi prints the scaled analysis, multipliers, nominal cost and realized MACs ratio', (t) => {
  const s = json<ScaleJson>('scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--phi', '2', '--json');
  t.deepEqual(s.multipliers, { depth: 1.2 ** 2, width: 1.1 ** 2, resolution: 1.15 ** 2 });
  t.is(s.resolution, 296); // round(224 · 1.3225) = round(296.24)
  t.true(Math.abs(s.nominalCost - (1.2 * 1.21 * 1.3225) ** 2) < 1e-9);
  t.is(s.realizedMacsRatio, s.macs / s.baseline.macs);
  t.deepEqual(s.coefficients, { alpha: 1.2, beta: 1.1, gamma: 1.15, phi: 2 });
});

test('scale --family lists φ = 0…K beside the published B-models', (t) => {
  const f = json<{ family: { phi: number; resolution: number; published: { model: string; params: number } | null }[] }>(
    'scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--family', '--json',
  );
  t.deepEqual(f.family.map((r) => r.phi), [0, 1, 2, 3, 4, 5, 6, 7]);
  t.is(f.family[7]?.published?.model, 'efficientnet-b7');
  t.is(f.family[7]?.published?.params, 66_658_687);
  const text = run('scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--family', '--phi-max', '3');
  t.is(text.code, 0);
  t.regex(text.stdout, /efficientnet-b3/);
  t.notRegex(text.stdout, /efficientnet-b4/);
  const resnet = json<{ family: { published: unknown }[] }>('scale', 'resnet50', '--alpha', '1.1', '--beta', '1.1', '--gamma', '1.1', '--family', '--phi-max', '2', '--json');
  t.true(resnet.family.every((r) => r.published === null));
});

test('scale and analyze work on the newer zoo models: Lite0 scaled by Lite1\'s coefficients is Lite1; DenseNet and MobileNetV1 scale', (t) => {
  // The reference's Lite1 is Lite0 at depth 1.1 and 240 px (width 1.0); fix_head_stem keeps stem, head and the end stages.
  const lite1 = json<AnalysisJson>('analyze', 'efficientnet-lite1', '--json');
  const scaled = json<AnalysisJson>('analyze', 'efficientnet-lite0', '--depth', '1.1', '--resolution', '240', '--json');
  t.deepEqual(scaled.params, lite1.params);
  t.is(scaled.macs, lite1.macs);
  for (const model of ['densenet121', 'mobilenetv1', 'efficientnet-lite0']) {
    const s = json<ScaleJson>('scale', model, '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--phi', '1', '--json');
    t.is(s.resolution, 258, model); // round(224 · 1.15)
    t.true(s.macs > s.baseline.macs, model);
  }
  const family = json<{ family: { published: unknown }[] }>('scale', 'densenet169', '--alpha', '1.1', '--beta', '1.1', '--gamma', '1.1', '--family', '--phi-max', '1', '--json');
  t.is(family.family.length, 2);
});

const BAD_INPUT: readonly [string[], RegExp][] = [
  [['analyze', 'efficientnet-b9'], /unknown model 'efficientnet-b9'/],
  [['analyze', 'efficientnet-b0', '--width', '0'], /--width must be positive, got '0'/],
  [['analyze', 'efficientnet-b0', '--width', '-1.2'], /--width must be positive/],
  [['analyze', 'efficientnet-b0', '--depth', 'abc'], /--depth must be a number, got 'abc'/],
  [['analyze', 'efficientnet-b0', '--resolution', '0'], /--resolution must be positive/],
  [['analyze', 'efficientnet-b0', '--resolution', '22.5'], /--resolution must be a whole number/],
  [['analyze', 'efficientnet-b0', '--bogus'], /Unknown option '--bogus'/],
  [['analyze', 'efficientnet-b0', '--json', '--md'], /choose one output format/],
  [['analyze'], /missing <model>/],
  [['scale', 'efficientnet-b0', '--alpha', '0.9', '--beta', '1.1', '--gamma', '1.15', '--phi', '1'], /alpha must be at least 1/],
  [['scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15'], /--phi is required/],
  [['scale', 'efficientnet-b0', '--alpha', 'x', '--beta', '1.1', '--gamma', '1.15', '--phi', '1'], /--alpha must be a number, got 'x'/],
  [['scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--family', '--phi-max', '-1'], /--phi-max must be at least 0/],
  [['frobnicate'], /unknown command 'frobnicate'/],
];
for (const [args, why] of BAD_INPUT) {
  test(`bad input exits 2 with one message: ${args.join(' ')}`, (t) => {
    const r = run(...args);
    t.is(r.code, 2);
    t.regex(r.stderr, why);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.notRegex(r.stderr, /\n\s+at /);
    t.is(r.stdout, '');
  });
}

test('a malformed arch file exits 2 naming the file, line and token', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-'));
  const file = join(dir, 'bad.arch');
  writeFileSync(file, 'name: bad\nir_r1_k3_s2_e6_c24_se0.25\nir_r2_k9_s1_e6_zz\n');
  const r = run('analyze', file);
  t.is(r.code, 2);
  t.regex(r.stderr, /bad\.arch, line 3: malformed arch string 'ir_r2_k9_s1_e6_zz': unknown option 'zz'/);
});

test('a corrupt model.json exits 2 naming the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-'));
  const file = join(dir, 'model.json');
  writeFileSync(file, '{"modelTopology": {"class_name": ');
  const r = run('analyze', file);
  t.is(r.code, 2);
  t.regex(r.stderr, /model file '.*model\.json' is not valid JSON/);
});

test('--help works for the command and every verb', (t) => {
  for (const args of [['--help'], ['analyze', '--help'], ['scale', '--help']]) {
    const r = run(...args);
    t.is(r.code, 0);
    t.regex(r.stdout, /Usage: scalelab/);
  }
});

test('a negative φ is a number, not a flag', (t) => {
  const s = json<ScaleJson>('scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--phi', '-1', '--json');
  t.is(s.coefficients.phi, -1);
  t.is(s.resolution, 195); // round(224 / 1.15) = round(194.78)
});
