import test from 'ava';
import { ArchError } from './errors.js';
import { expandNetwork } from './expand.js';
import { compoundMultipliers, nominalCost, scaleSpec, withClasses, withResolution } from './scale.js';
import { zooModel } from './zoo/index.js';

const PAPER = { alpha: 1.2, beta: 1.1, gamma: 1.15 };

test('compound multipliers are d = α^φ, w = β^φ, r = γ^φ', (t) => {
  const m = compoundMultipliers(PAPER, 2);
  t.is(m.depth, 1.2 * 1.2);
  t.is(m.width, 1.1 * 1.1);
  t.is(m.resolution, 1.15 * 1.15);
});

test('φ may be any real number, including fractions and negatives', (t) => {
  t.is(compoundMultipliers(PAPER, 0.5).depth, Math.sqrt(1.2));
  t.is(compoundMultipliers(PAPER, -1).width, 1 / 1.1);
  t.deepEqual(compoundMultipliers(PAPER, 0), { depth: 1, width: 1, resolution: 1 });
});

test('nominal cost is α·β²·γ² per unit of φ (paper: 1.2 · 1.1² · 1.15² ≈ 1.92)', (t) => {
  t.true(Math.abs(nominalCost(PAPER) - 1.2 * 1.21 * 1.3225) < 1e-12);
  t.true(Math.abs(nominalCost(PAPER, 3) - (1.2 * 1.21 * 1.3225) ** 3) < 1e-9);
});

test('α, β or γ below 1 is rejected (the paper constrains them to ≥ 1)', (t) => {
  for (const bad of [{ ...PAPER, alpha: 0.9 }, { ...PAPER, beta: 0.5 }, { ...PAPER, gamma: 0.99 }]) {
    const e = t.throws(() => compoundMultipliers(bad, 1), { instanceOf: ArchError });
    t.is(e?.code, 'BAD_COEFFICIENT');
    t.regex(e?.message ?? '', /at least 1/);
  }
  t.throws(() => compoundMultipliers({ ...PAPER, alpha: Number.NaN }, 1), { instanceOf: ArchError });
  t.throws(() => compoundMultipliers(PAPER, Number.POSITIVE_INFINITY), { instanceOf: ArchError });
});

test('scaling B0 by the published B4 coefficients gives the B4 network (stem 48, head 1792, 32 blocks, 380 px)', (t) => {
  const b4 = expandNetwork(scaleSpec(zooModel('efficientnet-b0'), { width: 1.4, depth: 1.8, resolution: 380 / 224 }));
  t.is(b4.resolution, 380);
  t.is(b4.stem.outChannels, 48);
  t.is(b4.head?.kind === 'conv' ? b4.head.outChannels : 0, 1792);
  t.is(b4.blocks.length, 32); // ceil(1.8 × [1,2,2,3,3,4,1]) = 2+4+4+6+6+8+2
  t.deepEqual(b4, expandNetwork({ ...zooModel('efficientnet-b4'), dropout: 0.2, name: 'efficientnet-b0' }));
});

test('scaling composes multipliers instead of rounding twice', (t) => {
  const b0 = zooModel('efficientnet-b0');
  const twice = scaleSpec(scaleSpec(b0, { width: 1.1, depth: 1.2, resolution: 1 }), { width: 1.1, depth: 1.2, resolution: 1 });
  const once = scaleSpec(b0, { width: 1.1 * 1.1, depth: 1.2 * 1.2, resolution: 1 });
  t.deepEqual(expandNetwork(twice), expandNetwork(once));
});

test('zero, negative and non-finite multipliers are rejected', (t) => {
  const b0 = zooModel('efficientnet-b0');
  for (const m of [{ width: 0, depth: 1, resolution: 1 }, { width: 1, depth: -1, resolution: 1 }, { width: 1, depth: 1, resolution: Number.NaN }]) {
    t.is(t.throws(() => scaleSpec(b0, m), { instanceOf: ArchError })?.code, 'BAD_MULTIPLIER');
  }
  t.is(t.throws(() => scaleSpec(b0, { width: 1, depth: 1, resolution: 0.001 }), { instanceOf: ArchError })?.code, 'BAD_RESOLUTION');
  t.is(t.throws(() => withResolution(b0, 0), { instanceOf: ArchError })?.code, 'BAD_RESOLUTION');
  t.is(t.throws(() => withResolution(b0, 22.5), { instanceOf: ArchError })?.code, 'BAD_RESOLUTION');
  t.is(t.throws(() => withClasses(b0, 0), { instanceOf: ArchError })?.code, 'BAD_SPEC');
});
