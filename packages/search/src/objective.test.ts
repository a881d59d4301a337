import test from 'ava';
import { spawnSync } from 'node:child_process';
import { compileObjective, isBetter } from './objective.js';

const scope = { accuracy: 0.9, loss: 0.3, macs: 800e6, params: 5e6, activations: 7e6, latency: 12 };

test('the default objective is the accuracy', (t) => {
  const o = compileObjective('accuracy');
  t.is(o.evaluate(scope), 0.9);
  t.deepEqual(o.variables, ['accuracy']);
});

test('a metric on its own is read without loading mathjs (a second of every start); an expression loads it', (t) => {
  const probe = (expression: string): string => {
    const script = `const { createRequire } = require('node:module');
      import(${JSON.stringify(new URL('./objective.js', import.meta.url).href)}).then((m) => {
        const o = m.compileObjective(${JSON.stringify(expression)});
        const loaded = Object.keys(createRequire(process.cwd() + '/').cache).some((k) => k.includes('/node_modules/mathjs/'));
        console.log(JSON.stringify({ value: o.evaluate({ accuracy: 0.25, loss: Infinity, macs: 1, params: 1, activations: 1, latency: 1 }), loaded }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    return r.stdout.trim() || r.stderr;
  };
  t.is(probe('accuracy'), JSON.stringify({ value: 0.25, loaded: false }));
  t.is(probe(' loss '), JSON.stringify({ value: null, loaded: false }), 'not finite → NaN (printed as null)');
  t.is(probe('accuracy * 2'), JSON.stringify({ value: 0.5, loaded: true }));
});

test('the MnasNet/EfficientNet reward ACC·(FLOPs/T)^w evaluates as by hand', (t) => {
  const o = compileObjective('accuracy * (macs / 400e6) ^ -0.07');
  // Hand: 0.9 · 2^−0.07 = 0.9 · 0.952638… = 0.857374…
  t.true(Math.abs(o.evaluate(scope) - 0.9 * Math.pow(2, -0.07)) < 1e-12);
  t.deepEqual(o.variables, ['accuracy', 'macs']);
  t.false(o.variables.includes('latency'));
});

test('functions are not variables; latency is detected when used', (t) => {
  const o = compileObjective('max(accuracy, 0.5) - log(latency)');
  t.deepEqual(o.variables, ['accuracy', 'latency']);
  t.true(Math.abs(o.evaluate(scope) - (0.9 - Math.log(12))) < 1e-12);
});

test('unknown variables, syntax errors and non-numeric expressions are rejected', (t) => {
  t.throws(() => compileObjective('acc * 2'), { message: /unknown variable\(s\) acc/ });
  t.throws(() => compileObjective('accuracy *'), { message: /does not parse/ });
  t.throws(() => compileObjective('[accuracy, loss]'), { message: /array syntax, which is not available/ });
  t.throws(() => compileObjective(' '), { message: /empty/ });
});

test('a non-finite value is NaN (the trial is then a FAIL), and NaN is never better', (t) => {
  const o = compileObjective('accuracy * log(macs - 1e9)');
  t.true(Number.isNaN(o.evaluate(scope))); // log of a negative number is complex in mathjs
  t.true(isBetter(0.5, Number.NaN, 'maximize'));
  t.false(isBetter(Number.NaN, 0.5, 'maximize'));
  t.true(isBetter(0.1, 0.5, 'minimize'));
});

test('objectives are a whitelist: no text evaluation, units, imports, matrices of chosen sizes, or property access', (t) => {
  for (const [expression, message] of [
    ['evaluate("1+1")', /calls 'evaluate', which is not available/],
    ['parse("x")', /calls 'parse'/],
    ['import({x: 1})', /calls 'import'/],
    ['createUnit("foo")', /calls 'createUnit'/],
    ['sum(ones(30000, 30000))', /calls 'sum'/],
    ['accuracy * 5 cm', /unknown variable\(s\) cm/],
    ['accuracy.constructor', /accessor syntax/],
    ['f(x) = x', /functionassignment syntax/],
    ['a = 1', /assignment syntax/],
    ['"text"', /string constant/],
    ['accuracy > 0.5', /operator '>'/],
  ] as const) {
    t.throws(() => compileObjective(expression), { code: 'BAD_OBJECTIVE', message }, expression);
  }
  t.is(compileObjective('max(accuracy, 0.5) * exp(-loss) + pi * 0').evaluate(scope), 0.9 * Math.exp(-0.3));
});

test('objectives are bounded in length, nesting and terms, checked before parsing', (t) => {
  t.throws(() => compileObjective(`accuracy${' + accuracy'.repeat(200)}`), { code: 'LIMIT_EXCEEDED', message: /limit of 1,000 characters in an objective/ });
  t.throws(() => compileObjective(`${'('.repeat(40)}accuracy${')'.repeat(40)}`), { code: 'LIMIT_EXCEEDED', message: /levels of nesting/ });
  t.throws(() => compileObjective(`accuracy${'+1'.repeat(200)}`), { code: 'LIMIT_EXCEEDED', message: /tokens \(names, numbers, operators, brackets\) in an objective/ });
});
