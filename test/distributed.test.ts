/**
 * Studies in Redis through the CLI, with real processes: a coordinator that trains nothing and two
 * `scalelab worker`s give every point COMPLETE once and the same values as the file journal; the report and a
 * resume find the journal through config.json; a second coordinator is refused; bad storage input is one line and
 * exit 2 within 5 s.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStudyLock, connectRedis, openStudy, parseStorageUrl, readStudy, trialView } from '@scalelab/search';
import type { TrialView } from '@scalelab/search';
import { freePort, redisServerMissing, startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-distributed-'));
/** Four grid points (β = 1: γ 1.5, α 1.25 γ 1.25, α 1.75, α 2), 12-step trials on 16-px synthetic data. */
const GRID = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.25', '--tolerance', '0.3', '--beta', '1:1', '--steps', '12', '--batch', '32', '--seed', '7', '--out', OUT];

let server: RedisServer;
test.before(async () => {
  const missing = redisServerMissing();
  if (missing !== null) throw new Error(missing);
  server = await startRedis();
});
test.after.always(async () => {
  await server?.stop();
});

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

const values = (ts: readonly TrialView[]): Record<string, number | null> => Object.fromEntries(ts.filter((t) => t.state === 'COMPLETE').map((t) => [t.gridId, t.value]).sort());

test.serial('a Redis study trained by two scalelab worker processes: every point COMPLETE once, the same values as the file journal', async (t) => {
  const local = cli('search', '--name', 'file-twin', '--workers', '2', ...GRID);
  t.is(local.code, 0, local.stderr);
  const workers = [0, 1].map(() => spawn(process.execPath, [CLI, 'worker', '--storage', server.url, '--idle-exit', '5'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const logs = workers.map((w) => {
    let text = '';
    w.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    return (): string => text;
  });
  const exits = workers.map((w) => new Promise<number | null>((resolve) => w.once('exit', resolve)));
  const r = cli('search', '--name', 'redis-twin', '--storage', server.url, '--workers', '0', ...GRID);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(await Promise.all(exits), [0, 0], 'both workers stop after --idle-exit');
  const opened = await openStudy(join(OUT, 'redis-twin'));
  const trials = opened.record.trials.map(trialView);
  t.is(trials.length, 4);
  t.true(trials.every((x) => x.state === 'COMPLETE'));
  t.deepEqual(values(trials), values(readStudy(join(OUT, 'file-twin')).record.trials.map(trialView)));
  // Each trial names the job and the worker process that ran it.
  const raw = opened.record.trials;
  t.true(raw.every((x) => typeof x.userAttrs.job_id === 'string' && x.userAttrs.delivery === 1 && typeof x.userAttrs.worker === 'string'));
  t.true(logs.some((log) => /COMPLETE/.test(log())), logs.map((l) => l()).join('\n'));
  const config = JSON.parse(readFileSync(join(OUT, 'redis-twin', 'config.json'), 'utf8')) as { storage: string };
  t.is(config.storage, server.url);
  t.false(existsSync(join(OUT, 'redis-twin', 'journal.log')));
  // Learning curves were journaled: one intermediate value per evaluation.
  t.true(trials.every((x) => x.curve.length === 1));
});

test.serial('report and --resume find the Redis journal through config.json; a finished study resumes to nothing new', (t) => {
  const report = cli('report', join(OUT, 'redis-twin'));
  t.is(report.code, 0, report.stderr);
  t.regex(report.stdout, /4 trials \(4 complete/);
  t.true(existsSync(join(OUT, 'redis-twin', 'report.html')));
  const resumed = cli('search', '--resume', join(OUT, 'redis-twin'), '--workers', '0', '--json');
  t.is(resumed.code, 0, resumed.stderr);
  const summary = JSON.parse(resumed.stdout) as { trials: number; points: { complete: number } };
  t.is(summary.trials, 4);
  t.is(summary.points.complete, 4);
});

test.serial('a second coordinator of a study in Redis is refused, naming the one that holds it', async (t) => {
  const client = await connectRedis(parseStorageUrl(server.url));
  const lock = await RedisStudyLock.acquire(client, 'scalelab:redis-twin', 'redis-twin');
  try {
    const r = cli('search', '--resume', join(OUT, 'redis-twin'), '--workers', '0');
    t.is(r.code, 2);
    t.regex(r.stderr, new RegExp(`study redis-twin is in use by PID ${process.pid} on `));
  } finally {
    await lock.release();
    client.disconnect();
  }
});

test.serial('compare --storage: a trained comparison in Redis, trained by this process\' threads, writes compare.json and its report', (t) => {
  const r = cli('compare', 'proxy-b0', '--strategies', 'depth,width', '--targets', '2', '--dataset', 'synthetic', '--steps', '4', '--seeds', '2', '--workers', '1', '--name', 'compare-redis', '--storage', server.url, '--out', OUT, '--json');
  t.is(r.code, 0, r.stderr);
  const dir = join(OUT, 'compare-redis');
  t.regex(readFileSync(join(dir, 'config.json'), 'utf8'), new RegExp(server.url.replace(/[/.]/g, '\\$&')));
  t.false(existsSync(join(dir, 'journal.log')), 'the journal is in Redis');
  const result = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as { points: { strategy: string; accuracy: { n: number } | null }[] };
  t.deepEqual(result.points.map((p) => [p.strategy, p.accuracy?.n]), [['depth', 2], ['width', 2]]);
  const report = cli('report', dir);
  t.is(report.code, 0, report.stderr);
  t.true(existsSync(join(dir, 'compare.md')));
  const keep = cli('search', '--name', 'no-keep', '--storage', server.url, '--save-best', ...GRID);
  t.is(keep.code, 2);
  t.regex(keep.stderr, /--save-best keeps models for studies in a journal file only/);
});

test.serial('bad storage input: one line, exit 2, within 5 s, nothing written', async (t) => {
  const closed = await freePort();
  const unreachable = `redis://127.0.0.1:${closed}/0`;
  const cases: [string[], RegExp][] = [
    [['search', '--name', 'u1', '--storage', unreachable, ...GRID], new RegExp(`cannot use Redis at redis://127\\.0\\.0\\.1:${closed}/0`)],
    [['worker', '--storage', unreachable], new RegExp(`cannot use Redis at redis://127\\.0\\.0\\.1:${closed}/0`)],
    [['report', join(OUT, 'redis-twin'), '--storage', unreachable], new RegExp(`cannot use Redis at redis://127\\.0\\.0\\.1:${closed}/0`)],
    [['search', '--name', 'u2', '--storage', 'redis://127.0.0.1:6379/zero', ...GRID], /the database must be a number/],
    [['search', '--name', 'u3', '--storage', 'postgres://127.0.0.1', ...GRID], /only Redis is supported/],
    [['search', '--name', 'u4', '--storage', server.url, '--halving', '2', ...GRID], /--halving runs with the file journal only/],
    [['search', '--name', 'u5', '--workers', '0', ...GRID], /--workers 0 trains nowhere/],
    [['worker'], /missing --storage/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.true(r.seconds < 5, `${args.join(' ')}: ${r.seconds.toFixed(1)} s`);
  }
  for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) t.false(existsSync(join(OUT, name)), name);
});
