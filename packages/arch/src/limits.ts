/**
 * ScaleLab's limits, in one table: every size a user, a config file, an arch file or a journal can ask for is
 * bounded, and checked before any work, so a typo (`--phi 1000`, `--step 0.0001`) is one line and exit 2 instead of
 * minutes of work and gigabytes of memory. Each limit is far above what any published network or study needs.
 */
import { ArchError } from './errors.js';
import { roundRepeats } from './round.js';
import type { NetworkSpec } from './spec.js';

export interface Limit {
  readonly max: number;
  /** What is counted, as a message names it: "blocks per network". */
  readonly what: string;
  /** Why this bound (for the README's table). */
  readonly why: string;
}

export const LIMITS = {
  resolution: { max: 4096, what: 'pixels of input resolution', why: 'EfficientNet-B7 uses 600 px, EfficientDet-D7 1536 px' },
  blocks: { max: 1000, what: 'blocks per network (repeats after depth scaling)', why: 'EfficientNet-B7 has 55 blocks, ResNet-152 50, DenseNet-201 98' },
  layers: { max: 20_000, what: 'layers per model', why: 'EfficientNet-B7 has 813 Keras layers' },
  channels: { max: 65_536, what: 'channels in one layer (after width scaling)', why: 'EfficientNet-B7 peaks at 3,840' },
  classes: { max: 100_000, what: 'classes', why: 'ImageNet-21k has 21,841' },
  params: { max: 1e12, what: 'parameters', why: 'counts stay exact integers (< 2^53) with room to spare' },
  macs: { max: 1e15, what: 'multiply-accumulates', why: 'counts stay exact integers (< 2^53)' },
  activations: { max: 1e15, what: 'activations', why: 'counts stay exact integers (< 2^53)' },
  phi: { max: 20, what: '|φ|, the compound coefficient', why: 'EfficientNet-B7 is φ ≈ 7' },
  phiMax: { max: 20, what: 'φ-max, the last member of a family', why: 'EfficientNet-B7 is φ ≈ 7' },
  coefficient: { max: 10, what: 'for α, β or γ', why: 'the paper searches 1–2' },
  target: { max: 100, what: 'for the cost target c of α·β²·γ² ≈ c', why: 'the paper uses c = 2' },
  strategies: { max: 32, what: 'strategies in one comparison', why: 'the default comparison has 5; EfficientNet\'s Table 3 compares 4 per baseline' },
  costTargets: { max: 64, what: 'cost targets in one comparison', why: 'EfficientNet B1–B7 is 7 sizes' },
  costTarget: { max: 100, what: "for a comparison's cost target (× the baseline's MACs)", why: 'EfficientNet-B7 costs ~98× B0 (37.7G vs 0.386G MACs)' },
  latticePoints: { max: 1_000_000, what: 'lattice points before the constraint filters them', why: 'step 0.01 over the default ranges gives 262,701' },
  gridPoints: { max: 20_000, what: 'feasible grid points (trials to train)', why: 'each point is a training run; reports are measured at 10,000 trials' },
  objectiveLength: { max: 1000, what: 'characters in an objective', why: 'the MnasNet reward is 35' },
  objectiveNesting: { max: 32, what: 'levels of nesting in an objective', why: 'parsing is recursive' },
  objectiveTokens: { max: 300, what: 'tokens (names, numbers, operators, brackets) in an objective', why: 'the MnasNet reward has 10' },
  workers: { max: 256, what: 'workers', why: 'one TF.js per thread; capped further at the cores and memory of the machine' },
  epochs: { max: 100_000, what: 'epochs per run', why: 'sanity' },
  steps: { max: 100_000_000, what: 'steps per run', why: 'sanity' },
  batch: { max: 65_536, what: 'images per batch', why: 'the wasm heap is 4 GB; train estimates the real bound' },
  retries: { max: 100, what: 'retries of a failed trial', why: 'sanity' },
  seeds: { max: 1000, what: 'seeds per point', why: 'sanity' },
  fileBytes: { max: 64 * 2 ** 20, what: 'bytes in a config, arch or model.json file', why: 'a graph model.json of a large network is a few MB' },
  archiveBytes: { max: 2 ** 31, what: 'bytes in a .keras archive (or its weights file unpacked)', why: 'EfficientNet-B7 in Keras 3 is ~260 MB' },
  journalBytes: { max: 2 ** 30, what: 'bytes in a journal', why: 'a 10,000-trial study writes ~100 MB' },
  journalLineBytes: { max: 4 * 2 ** 20, what: 'bytes in one journal line', why: 'the largest line (the baseline spec) is a few KB' },
  journalOps: { max: 10_000_000, what: 'operations in one journal', why: 'a 10,000-trial study writes ~300,000' },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The message for `value` over the limit, or null when it is within it (NaN is never within). */
export function limitExceeded(name: LimitName, value: number, subject: string): string | null {
  const limit = LIMITS[name];
  if (Number.isFinite(value) ? Math.abs(value) <= limit.max : false) return null;
  const shown = !Number.isFinite(value) ? String(value) : Math.abs(value) >= 1e15 ? value.toPrecision(4) : value.toLocaleString('en-US', { maximumSignificantDigits: 6 });
  return `${subject} is ${shown}, over ScaleLab's limit of ${limit.max.toLocaleString('en-US')} ${limit.what}`;
}

/** Throws ArchError LIMIT_EXCEEDED naming the limit when `value` is over it. */
export function checkLimit(name: LimitName, value: number, subject: string): void {
  const message = limitExceeded(name, value, subject);
  if (message !== null) throw new ArchError('LIMIT_EXCEEDED', message);
}

/**
 * What can be checked of a spec before it is expanded: resolution, blocks after depth scaling, classes. (Channels
 * are checked on the expanded network, which is cheap once blocks are bounded.)
 */
export function checkSpecLimits(spec: NetworkSpec): void {
  checkLimit('resolution', spec.input.resolution, `${spec.name}: the input resolution`);
  checkLimit('classes', spec.classes, `${spec.name}: the number of classes`);
  let blocks = 0;
  for (const stage of spec.stages) blocks += roundRepeats(stage.repeats, spec.depth);
  checkLimit('blocks', blocks, `${spec.name} at depth ×${spec.depth.toPrecision(4)}: the number of blocks`);
}
