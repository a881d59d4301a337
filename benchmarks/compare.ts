/**
 * A cost-only strategy comparison at matched realized cost — 5 strategies × 8 targets on EfficientNet-B0 — timed in
 * the library (first call, JIT included, and warm) and through the CLI as a user runs it (process start included).
 * Target: under 2 s (issue 12, §7). Writes results/benchmarks/compare.json.
 *
 *   npm run bench:compare
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_STRATEGIES, parseStrategyList, zooModel } from '@scalelab/arch';
import { compareCost } from '@scalelab/analyzer';
import type { CostComparison } from '@scalelab/analyzer';

const TARGET_SECONDS = 2;
const BASELINE = 'efficientnet-b0';
const TARGETS = [1.5, 2, 3, 4, 6, 8, 12, 16];
const WARM_RUNS = 5;

const baseline = zooModel(BASELINE);
const strategies = parseStrategyList(DEFAULT_STRATEGIES);

function timed(): { seconds: number; comparison: CostComparison } {
  const start = performance.now();
  const comparison = compareCost(baseline, strategies, TARGETS, 'realized');
  return { seconds: (performance.now() - start) / 1000, comparison };
}

const cold = timed();
const warm = Array.from({ length: WARM_RUNS }, () => timed().seconds).sort((a, b) => a - b);

const cliStart = performance.now();
const cli = spawnSync(process.execPath, [join(process.cwd(), 'packages/cli/dist/main.js'), 'compare', BASELINE, '--targets', TARGETS.join(','), '--json'], { encoding: 'utf8' });
const cliSeconds = (performance.now() - cliStart) / 1000;
if (cli.status !== 0) throw new Error(`scalelab compare failed: ${cli.stderr}`);

const points = cold.comparison.points;
const result = {
  benchmark: 'compare',
  date: new Date().toISOString(),
  // The load average says how busy the (shared) machine was while measuring.
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, threads: 1, loadAverage1m: +(loadavg()[0] ?? 0).toFixed(2) },
  comparison: { baseline: BASELINE, strategies: DEFAULT_STRATEGIES, targets: TARGETS, match: 'realized', points: points.length },
  library: { firstCallSeconds: +cold.seconds.toFixed(3), warmMedianSeconds: +(warm[Math.floor(WARM_RUNS / 2)] ?? Number.NaN).toFixed(3), warmRuns: WARM_RUNS },
  cli: { command: `scalelab compare ${BASELINE} --targets ${TARGETS.join(',')} --json`, seconds: +cliSeconds.toFixed(3) },
  target: { seconds: TARGET_SECONDS, met: cold.seconds < TARGET_SECONDS && cliSeconds < TARGET_SECONDS },
  worstRelativeError: +Math.max(...points.map((p) => Math.abs(p.macsRatio / p.target - 1))).toFixed(4),
  points: points.map((p) => ({ strategy: p.strategy, target: p.target, s: +p.s.toFixed(4), resolution: p.resolution, macsRatio: +p.macsRatio.toFixed(4) })),
  fits: cold.comparison.fits.map((f) => ({ strategy: f.strategy, quantity: f.quantity, exponent: f.exponent === null ? null : +f.exponent.toFixed(3), theory: f.theory === null ? null : +f.theory.toFixed(3) })),
};
const dir = join(process.cwd(), 'results', 'benchmarks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'compare.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
