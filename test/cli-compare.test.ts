/** `scalelab compare` (cost-only) end to end, as a user runs it. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');

function run(args: readonly string[], cwd = process.cwd()): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'compare', ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ComparisonJson {
  baseline: string;
  match: string;
  points: { strategy: string; target: number; s: number; multipliers: { depth: number; width: number; resolution: number }; resolution: number; params: number; macs: number; activations: number; macsRatio: number }[];
  fits: { strategy: string; quantity: string; exponent: number | null; theory: number | null }[];
}

function json(args: readonly string[]): ComparisonJson {
  const r = run([...args, '--json']);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ComparisonJson;
}

const near = (a: number | null | undefined, b: number, tolerance = 1e-12): boolean => a !== null && a !== undefined && Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

test("--match nominal --targets 4 --dry-run is EfficientNet's Table 7 setting: d = 4, w = 2, r = 2 and compound at 4×", (t) => {
  const c = json(['efficientnet-b0', '--match', 'nominal', '--targets', '4', '--dry-run']);
  t.is(c.baseline, 'efficientnet-b0');
  t.is(c.match, 'nominal');
  t.deepEqual(c.points.map((p) => p.strategy), ['depth', 'width', 'resolution', 'compound', 'fast']);
  t.deepEqual(c.points[0]?.multipliers, { depth: 4, width: 1, resolution: 1 });
  t.deepEqual(c.points[1]?.multipliers, { depth: 1, width: 2, resolution: 1 });
  t.deepEqual(c.points[2]?.multipliers, { depth: 1, width: 1, resolution: 2 });
  t.is(c.points[2]?.resolution, 448);
  const phi = Math.log(4) / Math.log(1.2 * 1.1 ** 2 * 1.15 ** 2);
  const compound = c.points[3]?.multipliers;
  t.true(near(compound?.depth, 1.2 ** phi) && near(compound?.width, 1.1 ** phi) && near(compound?.resolution, 1.15 ** phi));
  t.is(c.points[3]?.resolution, Math.round(224 * 1.15 ** phi)); // 301
  for (const p of c.points) {
    t.is(p.s, 4);
    t.deepEqual(Object.keys(p).filter((k) => ['strategy', 'target', 's', 'multipliers', 'resolution', 'params', 'macs', 'activations', 'macsRatio'].includes(k)).length, 9);
  }
  t.deepEqual(c.fits, []);
});

test('by default five strategies at realized 2× and 4×, each within 3%, with fits beside theory', (t) => {
  const c = json(['efficientnet-b0']);
  t.is(c.match, 'realized');
  t.deepEqual(c.points.map((p) => `${p.strategy}@${p.target}`), ['depth@2', 'depth@4', 'width@2', 'width@4', 'resolution@2', 'resolution@4', 'compound@2', 'compound@4', 'fast@2', 'fast@4']);
  for (const p of c.points) t.true(Math.abs(p.macsRatio / p.target - 1) <= 0.03, `${p.strategy}@${p.target}: ${p.macsRatio}`);
  const theory = Object.fromEntries(c.fits.map((f) => [`${f.strategy} ${f.quantity}`, f.theory]));
  // Dollár et al. 2021: params ∝ s^(e_d + 2e_w), activations ∝ s^(e_d + e_w + 2e_r); fast:0.8 → (1+a)/2, 1 − a/2.
  t.like(theory, { 'depth params': 1, 'depth activations': 1, 'width params': 1, 'width activations': 0.5, 'resolution params': 0, 'resolution activations': 1 });
  t.true(near(theory['fast params'], 0.9) && near(theory['fast activations'], 0.6));
});

test('the text output is a points table and an exponents table; --md and --csv give the points', (t) => {
  const text = run(['proxy-b0', '--strategies', 'width,dwr', '--targets', '2,3']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^Cost-only comparison of proxy-b0 /);
  t.regex(text.stdout, /strategy\s+target\s+s\s+depth\s+width\s+resolution\s+px\s+params\s+MACs\s+activations\s+MACs ratio/);
  t.regex(text.stdout, /dwr\s+3\s/);
  t.regex(text.stdout, /strategy\s+quantity\s+fitted exponent\s+theory/);
  t.regex(run(['proxy-b0', '--md']).stdout, /^\| strategy \| target \| s \|/);
  t.regex(run(['proxy-b0', '--csv']).stdout, /^strategy,target,s,depth,width,resolution,px,params,MACs,activations,MACs ratio\n/);
});

const BAD: readonly [string[], RegExp][] = [
  [['efficientnet-b0', '--strategies', 'depth,foo'], /unknown strategy 'foo'/],
  [['efficientnet-b0', '--strategies', 'exp:0.4,0.4,0.4'], /e_d \+ 2·e_w \+ 2·e_r must be 1/],
  [['efficientnet-b0', '--strategies', 'compound:0.9,1.1,1.15'], /α must be at least 1/],
  [['efficientnet-b0', '--targets', '2,0'], /cost target must be a positive number/],
  [['efficientnet-b0', '--targets', '-2'], /cost target must be a positive number/],
  [['efficientnet-b0', '--targets', 'two'], /--targets takes numbers/],
  [['no-such-net'], /unknown model 'no-such-net'/],
  [['efficientnet-b0', '--match', 'exact'], /--match takes realized or nominal/],
  [['efficientnet-b0', '--dataset', 'imagenet'], /^scalelab compare: unknown dataset 'imagenet'/],
  [['efficientnet-b0', '--resume', 'results/x'], /--resume continues a comparison as configured: give no baseline/],
  [['--resume', 'no-such-dir/x'], /no study at no-such-dir\/x/],
  [['efficientnet-b0', '--dataset', 'mnist', '--seeds', '0'], /--seeds must be positive/],
  [['efficientnet-b0', '--dataset', 'mnist', '--epochs', '1', '--steps', '5'], /either --epochs or --steps/],
  [['efficientnet-b0', '--seeds', '2'], /--seeds is for trained comparisons/],
  [['efficientnet-b0', '--from', 'no-such-dir/x'], /no study at no-such-dir\/x/],
];
for (const [args, why] of BAD) {
  test(`bad input: compare ${args.join(' ')} → one line, exit 2, nothing written`, (t) => {
    const out = mkdtempSync(join(tmpdir(), 'scalelab-compare-'));
    // A trained comparison would write <out>/<name>; run in that folder too, so a stray file would show.
    const extra = args.includes('--dataset') ? ['--name', 'x', '--out', out] : [];
    const r = run([...args, ...extra], out);
    t.is(r.code, 2, r.stderr);
    t.is(r.stdout, '');
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.regex(r.stderr, why);
    t.deepEqual(readdirSync(out), []);
  });
}
