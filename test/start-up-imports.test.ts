/**
 * What a process loads as it starts, which every trial thread, `scalelab worker` and coordinator pays for: TF.js,
 * BullMQ and ioredis are required rather than imported (an ES-module import of a CommonJS package has Node scan its
 * sources for export names: ~0.6 s of CPU per training thread for TF.js, ~0.2 s per Redis process for the other two),
 * and a study on the file journal loads neither BullMQ nor a Redis client.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { readStudy } from '@scalelab/search';
import { redisServerMissing, startRedis } from './redis-server.js';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');

/**
 * Runs node with `args` in a process whose ES-module loader refuses any file under the given node_modules folders
 * (in its worker threads too): an `import` of one fails. A `require` does not pass through that loader (Node 20);
 * with `requires: true` a `require` of one fails as well (main thread).
 */
function refusingLoadsOf(packages: readonly string[], args: readonly string[], requires = false): { status: number | null; out: string } {
  const folders = JSON.stringify(packages.map((p) => `/node_modules/${p}/`));
  const refuse = `const refused = ${folders};
    export async function load(url, context, next) {
      const hit = refused.find((p) => url.includes(p));
      if (hit !== undefined) throw new Error('imported as an ES module: ' + url);
      return next(url, context);
    }`;
  const refuseRequires = `import Module from 'node:module';
    const refused = ${folders};
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
      const file = Module._resolveFilename(request, parent, isMain);
      if (refused.some((p) => file.includes(p))) throw new Error('required: ' + file);
      return load.call(this, request, parent, isMain);
    };`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(refuse)}`)});${requires ? refuseRequires : ''}`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

test('TF.js and its wasm backend are required, not imported', (t) => {
  const engine = JSON.stringify(pathToFileURL(join(process.cwd(), 'packages/engine/dist/index.js')).href);
  const r = refusingLoadsOf(['@tensorflow'], ['--input-type=module', '-e', `const { tf, useBackend } = await import(${engine});
    console.log(await useBackend('wasm'), tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0]);`]);
  t.is(r.out, 'wasm 5');
  t.is(r.status, 0);
  // The probe works: an import of TF.js is refused there.
  const control = refusingLoadsOf(['@tensorflow'], ['--input-type=module', '-e', `await import('@tensorflow/tfjs');`]);
  t.not(control.status, 0);
  t.regex(control.out, /imported as an ES module: .*@tensorflow\/tfjs\//);
});

test('a search on the file journal trains without loading BullMQ or ioredis', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'scalelab-start-up-'));
  const study = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.5', '--tolerance', '0.3', '--steps', '2', '--batch', '16', '--seed', '1', '--out', out];
  const r = refusingLoadsOf(['bullmq', 'ioredis'], [CLI, 'search', '--name', 'file-only', '--workers', '1', ...study], true);
  t.is(r.status, 0, r.out);
  t.regex(r.out, /3 complete, 0 failed, 0 pruned, 0 pending of 3 grid points/);
  t.deepEqual(readStudy(join(out, 'file-only')).record.trials.map((trial) => trial.state), ['COMPLETE', 'COMPLETE', 'COMPLETE']);
  // The probe works: a study in Redis needs them, and is refused there before it connects.
  const control = refusingLoadsOf(['bullmq', 'ioredis'], [CLI, 'search', '--name', 'in-redis', '--storage', 'redis://127.0.0.1:1', ...study], true);
  t.not(control.status, 0);
  t.regex(control.out, /required: .*\/(ioredis|bullmq)\//);
});

test('a scalelab worker requires BullMQ and ioredis, and imports neither', async (t) => {
  const missing = redisServerMissing();
  if (missing !== null) throw new Error(missing);
  const server = await startRedis();
  try {
    const worker = [CLI, 'worker', '--storage', server.url, '--idle-exit', '1'];
    const r = refusingLoadsOf(['bullmq', 'ioredis'], worker);
    t.is(r.status, 0, r.out);
    t.regex(r.out, /1 thread\(s\) on queue scalelab-trials at redis:\/\/127\.0\.0\.1:\d+\/0\nno trial for 1 s: stopping/);
    // It does load them: where a require is refused too, the worker is refused.
    const control = refusingLoadsOf(['bullmq', 'ioredis'], worker, true);
    t.not(control.status, 0);
    t.regex(control.out, /required: .*\/(ioredis|bullmq)\//);
  } finally {
    await server.stop();
  }
});
