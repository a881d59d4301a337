import test from 'ava';
import fc from 'fast-check';
import { roundFilters, roundRepeats, roundResolution } from './round.js';

// Hand calculations with the reference rule max(8, floor((c·w + 4) / 8) · 8), +8 when below 0.9·c·w (v1).
test('roundFilters rounds to a multiple of 8 as the TF reference (B4 stem: 32 × 1.4 = 44.8 → 48)', (t) => {
  t.is(roundFilters(32, 1.4, 'v1'), 48);
  t.is(roundFilters(32, 1.1, 'v1'), 32); // 35.2 → floor(39.2 / 8)·8 = 32, and 32 ≥ 0.9 · 35.2 = 31.68
  t.is(roundFilters(1280, 2.0, 'v1'), 2560); // B7 head
  t.is(roundFilters(320, 1.8, 'v1'), 576);
});

test('v1 adds one divisor when rounding falls below 90% of c·w; v2 does not', (t) => {
  // 16 × 1.2 = 19.2 → floor(23.2 / 8)·8 = 16 < 0.9 · 19.2 = 17.28
  t.is(roundFilters(16, 1.2, 'v1'), 24);
  t.is(roundFilters(16, 1.2, 'v2'), 16);
  // 40 × 0.25 = 10 → 8 < 9
  t.is(roundFilters(40, 0.25, 'v1'), 16);
  t.is(roundFilters(40, 0.25, 'v2'), 8);
});

test('roundFilters never goes below the divisor', (t) => {
  t.is(roundFilters(16, 0.1, 'v1'), 8);
  t.is(roundFilters(3, 1, 'v2'), 8);
});

test('roundFilters: a multiple of the divisor, ≥ divisor, within one divisor of c·w, ≥ 90% of c·w under v1', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4096 }), fc.double({ min: 0.05, max: 8, noNaN: true }), (c, w) => {
      const scaled = c * w;
      for (const rule of ['v1', 'v2'] as const) {
        const r = roundFilters(c, w, rule);
        if (r % 8 !== 0 || r < 8) return false;
        if (scaled >= 8 && Math.abs(r - scaled) > 8) return false;
      }
      return roundFilters(c, w, 'v1') >= 0.9 * scaled;
    }),
  );
  t.pass();
});

test('roundRepeats is ceil(d · r) as the reference (B7: 3.1 × 4 = 12.4 → 13)', (t) => {
  t.is(roundRepeats(4, 3.1), 13);
  t.is(roundRepeats(1, 3.1), 4);
  t.is(roundRepeats(2, 1.1), 3);
  t.is(roundRepeats(3, 1), 3);
});

test('roundResolution rounds R · r to the nearest integer', (t) => {
  t.is(roundResolution(224, 1.15), 258); // 257.6
  t.is(roundResolution(224, 1.15 ** 2), 296); // 296.24
  t.is(roundResolution(32, 1.0), 32);
});
