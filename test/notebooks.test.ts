/**
 * The notebooks run top to bottom in CI (so they never rot): `npm run notebooks` executes each with the tslab
 * kernel and fails on any cell error, a type error included. Needs Debian's jupyter-nbconvert, python3-ipykernel and
 * python3-nbclient (installed by .ci/run) and npm's tslab.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

test('every notebook under notebooks/ runs clean with the TypeScript kernel', (t) => {
  const notebooks = readdirSync(join(process.cwd(), 'notebooks')).filter((f) => f.endsWith('.ipynb'));
  t.true(notebooks.length >= 2, notebooks.join(', '));
  const r = spawnSync(process.execPath, [join(process.cwd(), 'build/notebooks/run-notebooks.js')], { encoding: 'utf8', timeout: 900_000 });
  t.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  t.regex(r.stdout, new RegExp(`${notebooks.length}/${notebooks.length} notebooks ran clean`));
  t.log(r.stdout.split('\n').filter((l) => l.startsWith('running')).join('; '));
});
