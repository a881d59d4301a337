import test from 'ava';
import * as fc from 'fast-check';
import { rungBudget, splitRung } from './successive-halving.js';

const members = (values: readonly number[]): { index: number; value: number }[] => values.map((value, index) => ({ index, value }));

test('rung budgets grow by η per rung, in the unit the study uses', (t) => {
  t.deepEqual(rungBudget({ epochs: 3, steps: null }, 2, 0), { epochs: 3, steps: null });
  t.deepEqual(rungBudget({ epochs: 3, steps: null }, 2, 2), { epochs: 12, steps: null });
  t.deepEqual(rungBudget({ epochs: null, steps: 4 }, 3, 1), { epochs: null, steps: 12 });
  t.deepEqual(rungBudget({ epochs: null, steps: 4 }, null, 5), { epochs: null, steps: 4 }, 'no halving: the base budget');
});

test('a rung of 6 with η = 2 promotes the best ⌈6/2⌉ = 3 and prunes the rest (maximize)', (t) => {
  const split = splitRung(members([0.1, 0.9, 0.5, 0.7, 0.2, 0.6]), 2, 'maximize');
  t.deepEqual(split.promote.map((m) => m.index), [1, 3, 5]);
  t.deepEqual(split.prune.map((m) => m.index).sort(), [0, 2, 4]);
  t.deepEqual(split.complete, []);
});

test('minimize ranks the smallest first; ties go to the earlier grid point', (t) => {
  const split = splitRung(members([0.3, 0.1, 0.1, 0.5]), 2, 'minimize');
  t.deepEqual(split.promote.map((m) => m.index), [1, 2]);
  const tie = splitRung(members([0.5, 0.5, 0.5]), 2, 'maximize');
  t.deepEqual(tie.promote.map((m) => m.index), [0, 1]);
});

test('η or fewer members, or no halving: everyone completes', (t) => {
  t.deepEqual(splitRung(members([0.1, 0.2]), 2, 'maximize').complete.map((m) => m.index), [0, 1]);
  t.deepEqual(splitRung(members([0.1, 0.2, 0.3]), null, 'maximize').complete.map((m) => m.index), [0, 1, 2]);
});

test('property: a split partitions the rung, keeps ⌈n/η⌉, and nobody pruned beats anybody promoted', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 0, maxLength: 40 }), fc.integer({ min: 2, max: 5 }), (values, eta) => {
      const split = splitRung(members(values), eta, 'maximize');
      const all = [...split.complete, ...split.promote, ...split.prune].map((m) => m.index).sort((a, b) => a - b);
      if (JSON.stringify(all) !== JSON.stringify(values.map((_, i) => i))) return false;
      if (values.length <= eta) return split.complete.length === values.length;
      const worstPromoted = Math.min(...split.promote.map((m) => m.value));
      return split.promote.length === Math.ceil(values.length / eta) && split.prune.every((m) => m.value <= worstPromoted);
    }),
  );
  t.pass();
});
