/**
 * Exact analyses per second of compound-scaled EfficientNet-B0 candidates (target ≥ 20,000/s on one core), side by
 * side with building the same candidates in TF.js and calling `countParams()`. Writes
 * results/benchmarks/analyzer.json with both rates and their ratio.
 *
 *   npm run bench:analyzer
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { compoundMultipliers, scaleSpec, zooModel } from '@scalelab/arch';
import type { NetworkSpec } from '@scalelab/arch';
import { analyzeSpec } from '@scalelab/analyzer';
import { buildModel, tf } from '@scalelab/engine';

const TARGET_PER_SECOND = 20_000;

/** The grid of the EfficientNet paper's search (α 1–2, β 1–1.5, γ 1–1.5, step 0.05), φ = 1. */
function candidates(): NetworkSpec[] {
  const b0 = zooModel('efficientnet-b0');
  const steps = (lo: number, hi: number): number[] => Array.from({ length: Math.round((hi - lo) / 0.05) + 1 }, (_, i) => (Math.round(lo * 100) + 5 * i) / 100);
  const specs: NetworkSpec[] = [];
  for (const alpha of steps(1, 2)) for (const beta of steps(1, 1.5)) for (const gamma of steps(1, 1.5)) specs.push(scaleSpec(b0, compoundMultipliers({ alpha, beta, gamma }, 1)));
  return specs;
}

/** Runs `step(i)` until `seconds` have passed (at least `minIterations`), returns iterations per second. */
function rate(seconds: number, minIterations: number, step: (i: number) => void): { perSecond: number; iterations: number; seconds: number } {
  const start = performance.now();
  let i = 0;
  while (i < minIterations || performance.now() - start < seconds * 1000) step(i++);
  const elapsed = (performance.now() - start) / 1000;
  return { perSecond: i / elapsed, iterations: i, seconds: elapsed };
}

const specs = candidates();
let sink = 0;
// Warm-up so both sides are measured with optimized code.
for (let i = 0; i < 2000; i++) sink += analyzeSpec(specs[i % specs.length] as NetworkSpec).macs;

const analyzer = rate(3, 1000, (i) => {
  sink += analyzeSpec(specs[i % specs.length] as NetworkSpec).params.total;
});
const analyzerWithLayers = rate(2, 200, (i) => {
  sink += analyzeSpec(specs[i % specs.length] as NetworkSpec, { layers: true }).params.total;
});
const tfjs = rate(5, 10, (i) => {
  // Zero-filled weights: the cheapest way TF.js can count a model's params.
  const model = buildModel(specs[(i * 97) % specs.length] as NetworkSpec, { initialize: false });
  sink += model.countParams();
  model.dispose();
});

const result = {
  benchmark: 'analyzer',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, threads: 1 },
  candidates: { baseline: 'efficientnet-b0', grid: 'alpha 1:2, beta 1:1.5, gamma 1:1.5, step 0.05, phi 1', count: specs.length },
  analyzer: { analysesPerSecond: Math.round(analyzer.perSecond), iterations: analyzer.iterations, seconds: +analyzer.seconds.toFixed(2) },
  analyzerWithLayers: { analysesPerSecond: Math.round(analyzerWithLayers.perSecond), iterations: analyzerWithLayers.iterations },
  tfjsBuildAndCountParams: { modelsPerSecond: +tfjs.perSecond.toFixed(2), iterations: tfjs.iterations, backend: tf.getBackend() },
  ratio: +(analyzer.perSecond / tfjs.perSecond).toFixed(1),
  target: { analysesPerSecond: TARGET_PER_SECOND, met: analyzer.perSecond >= TARGET_PER_SECOND },
  checksum: sink,
};
const dir = join(process.cwd(), 'results', 'benchmarks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'analyzer.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
