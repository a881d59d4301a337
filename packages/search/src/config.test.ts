import test from 'ava';
import { parseConfigInput, resolveConfig } from './config.js';
import { SearchError } from './errors.js';

test('defaults follow the issue: α 1:2, β 1:1.5, γ 1:1.5, step 0.05, c = 2, tolerance 0.1, φ = 1, accuracy', (t) => {
  const c = resolveConfig([parseConfigInput({ name: 's' }, 'flags')]);
  t.deepEqual(c.space, { alpha: { min: 1, max: 2 }, beta: { min: 1, max: 1.5 }, gamma: { min: 1, max: 1.5 }, step: 0.05, target: 2, mode: 'tolerance', tolerance: 0.1, phi: 1 });
  t.is(c.objective.expression, 'accuracy');
  t.is(c.objective.direction, 'maximize');
  t.is(c.baseline, 'proxy-b0');
  t.is(c.dataset, 'mnist');
  t.true(c.workers >= 1);
  t.is(c.familyMax, 7);
  t.is(c.budget.augment, 'none', 'short trials train without shifts');
  t.is(resolveConfig([parseConfigInput({ name: 's', budget: { augment: 'shift' } }, 'flags')]).budget.augment, 'shift');
  t.throws(() => parseConfigInput({ name: 's', budget: { augment: 'flip' } }, 'flags'), { message: /budget\.augment/ });
});

test('flags override the config file field by field; ranges may be written MIN:MAX', (t) => {
  const file = parseConfigInput({ name: 'from-file', space: { alpha: '1:1.4', step: 0.1 }, budget: { epochs: 2 }, seed: 3 }, 'c.json');
  const flags = parseConfigInput({ space: { beta: { min: 1, max: 1.2 } }, budget: { steps: 50 } }, 'flags');
  const c = resolveConfig([file, flags]);
  t.is(c.name, 'from-file');
  t.deepEqual(c.space.alpha, { min: 1, max: 1.4 });
  t.deepEqual(c.space.beta, { min: 1, max: 1.2 });
  t.is(c.space.step, 0.1);
  t.is(c.seed, 3);
  // The later layer's budget unit wins.
  t.is(c.budget.steps, 50);
  t.is(c.budget.epochs, null);
});

test('the schema rejects unknown keys, wrong types and bad names, naming the field', (t) => {
  t.throws(() => parseConfigInput({ name: 's', alfa: '1:2' }, 'c.json'), { instanceOf: SearchError, message: /c\.json.*alfa/ });
  t.throws(() => parseConfigInput({ name: 's', seed: 'x' }, 'c.json'), { message: /seed/ });
  t.throws(() => parseConfigInput({ name: '../etc' }, 'flags'), { message: /name/ });
  t.throws(() => parseConfigInput({ name: 's', space: { alpha: '1-2' } }, 'flags'), { message: /MIN:MAX/ });
  t.throws(() => parseConfigInput({ name: 's', budget: { halving: 1 } }, 'flags'), { message: /halving/ });
  t.throws(() => resolveConfig([parseConfigInput({}, 'flags')]), { message: /needs a name/ });
  t.throws(() => resolveConfig([parseConfigInput({ name: 's', space: { alpha: '2:1' } }, 'flags')]), { message: /min > max/ });
});
