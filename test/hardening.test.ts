/**
 * Hardening, end to end through the CLI: one writer per study (two resumes at once; a stale lock taken over),
 * SIGTERM handled like SIGINT, every limit refused with one line and exit 2 before any work, file-system failures
 * as one line and no temp file left, a journal that is not a study left untouched.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '@scalelab/arch';
import { readStudy, trialView } from '@scalelab/search';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-hardening-'));
/** Six grid points; 24-step trials (about half a second each here) so that two processes overlap. */
const SLOW = ['--baseline', 'proxy-b0', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.25', '--tolerance', '0.3', '--steps', '24', '--batch', '32', '--seed', '3', '--workers', '1', '--out', OUT];

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

function start(...args: string[]): { done: Promise<{ code: number | null; stderr: string }>; pid: number; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { done, pid: child.pid ?? -1, kill: (s) => child.kill(s) };
}

const completeLines = (journal: string): number => (existsSync(journal) ? (readFileSync(journal, 'utf8').match(/"op_code":6,[^\n]*"state":1/g) ?? []).length : 0);

async function waitFor(condition: () => boolean, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Each grid point COMPLETE exactly once, nothing left RUNNING. */
function checkExactlyOnce(t: import('ava').ExecutionContext, name: string): void {
  const ts = readStudy(join(OUT, name)).record.trials.map(trialView);
  const complete = new Map<string, number>();
  for (const x of ts) if (x.state === 'COMPLETE') complete.set(x.gridId, (complete.get(x.gridId) ?? 0) + 1);
  t.is(complete.size, 6, name);
  t.true([...complete.values()].every((n) => n === 1), name);
  t.false(ts.some((x) => x.state === 'RUNNING'), `${name}: nothing RUNNING`);
}

test.serial('two resumes at once: one runs, the other exits 2 naming the PID, host and time; the study ends exactly once', async (t) => {
  const name = 'twice';
  const journal = join(OUT, name, 'journal.log');
  const first = start('search', '--name', name, ...SLOW);
  await waitFor(() => completeLines(journal) >= 1);
  first.kill('SIGKILL');
  await first.done;
  t.true(existsSync(join(OUT, name, 'study.lock')), 'a SIGKILLed writer leaves its lock');
  const a = start('search', '--resume', join(OUT, name));
  const b = start('search', '--resume', join(OUT, name));
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const codes = [ra.code, rb.code].sort();
  t.deepEqual(codes, [0, 2], `${ra.stderr}\n---\n${rb.stderr}`);
  const loser = ra.code === 2 ? ra : rb;
  const winner = ra.code === 2 ? b : a;
  t.regex(loser.stderr, new RegExp(`study ${name} is in use by PID ${winner.pid} on ${hostname()} since \\d{4}-\\d\\d-\\d\\dT`));
  t.is(loser.stderr.trim().split('\n').length, 1);
  t.regex((ra.code === 0 ? ra : rb).stderr, /took over the lock of PID \d+ .* no longer running/);
  checkExactlyOnce(t, name);
  t.false(existsSync(join(OUT, name, 'study.lock')), 'the lock is released at the end');
});

test.serial('a second writer while a search runs exits 2 and changes nothing; report stays lock-free', async (t) => {
  const name = 'busy';
  const journal = join(OUT, name, 'journal.log');
  const first = start('search', '--name', name, ...SLOW);
  await waitFor(() => completeLines(journal) >= 1);
  const before = readFileSync(journal);
  const second = cli('search', '--resume', join(OUT, name));
  t.is(second.code, 2);
  t.regex(second.stderr, new RegExp(`in use by PID ${first.pid}`));
  const report = cli('report', join(OUT, name), '--out', join(OUT, 'busy-report', 'report.html'));
  t.is(report.code, 0, report.stderr);
  t.true(readFileSync(journal).subarray(0, before.length).equals(before));
  t.is((await first.done).code, 0);
  checkExactlyOnce(t, name);
});

test.serial('SIGTERM is handled like SIGINT: exit 143, the resume hint, the lock released, the journal whole', async (t) => {
  const name = 'terminated';
  const journal = join(OUT, name, 'journal.log');
  const run = start('search', '--name', name, ...SLOW);
  await waitFor(() => completeLines(journal) >= 1);
  run.kill('SIGTERM');
  const r = await run.done;
  t.is(r.code, 143);
  t.regex(r.stderr, /terminated: every finished trial is in .*journal\.log; continue with 'scalelab search --resume /);
  t.false(existsSync(join(OUT, name, 'study.lock')));
  t.notThrows(() => readStudy(join(OUT, name)));
  const again = cli('search', '--resume', join(OUT, name));
  t.is(again.code, 0, again.stderr);
  checkExactlyOnce(t, name);
});

// Each limit through the CLI: exit 2, one line naming the limit, no work done (nothing written).
const LIMIT_CASES: readonly { args: string[]; limit: keyof typeof LIMITS }[] = [
  { args: ['analyze', 'efficientnet-b0', '--resolution', '100000'], limit: 'resolution' },
  { args: ['analyze', 'efficientnet-b0', '--depth', '1000'], limit: 'blocks' },
  { args: ['analyze', 'efficientnet-b0', '--width', '100'], limit: 'channels' },
  { args: ['analyze', 'efficientnet-b0', '--classes', '1000000'], limit: 'classes' },
  { args: ['analyze', 'resnet50', '--width', '30', '--resolution', '4000'], limit: 'macs' },
  { args: ['scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--phi', '1000'], limit: 'phi' },
  { args: ['scale', 'efficientnet-b0', '--alpha', '1.2', '--beta', '1.1', '--gamma', '1.15', '--family', '--phi-max', '1000000'], limit: 'phiMax' },
  { args: ['search', '--name', 'lim', '--step', '0.0001'], limit: 'latticePoints' },
  { args: ['search', '--name', 'lim', '--step', '0.01', '--tolerance', '1'], limit: 'gridPoints' },
  { args: ['search', '--name', 'lim', '--target', '1e308'], limit: 'target' },
  { args: ['search', '--name', 'lim', '--alpha', '1:1000'], limit: 'coefficient' },
  { args: ['search', '--name', 'lim', '--phi', '1e6'], limit: 'phi' },
  { args: ['search', '--name', 'lim', '--phi-max', '1000'], limit: 'phiMax' },
  { args: ['search', '--name', 'lim', '--objective', Array.from({ length: 2000 }, () => 'accuracy').join('+')], limit: 'objectiveLength' },
  { args: ['search', '--name', 'lim', '--objective', `${'('.repeat(100)}accuracy${')'.repeat(100)}`], limit: 'objectiveNesting' },
  { args: ['search', '--name', 'lim', '--objective', `accuracy${'+1'.repeat(300)}`], limit: 'objectiveTokens' },
  { args: ['search', '--name', 'lim', '--workers', '100000'], limit: 'workers' },
  { args: ['search', '--name', 'lim', '--epochs', '1e9'], limit: 'epochs' },
  { args: ['search', '--name', 'lim', '--batch', '1e7'], limit: 'batch' },
  { args: ['search', '--name', 'lim', '--retries', '1000'], limit: 'retries' },
  { args: ['compare', 'efficientnet-b0', '--strategies', Array.from({ length: 40 }, (_, i) => `fast:${i / 40}`).join(',')], limit: 'strategies' },
  { args: ['compare', 'efficientnet-b0', '--targets', Array.from({ length: 100 }, (_, i) => i + 1).join(',')], limit: 'costTargets' },
  { args: ['compare', 'efficientnet-b0', '--targets', '2,1000'], limit: 'costTarget' },
];

test.serial('limits table: each limit refused with one line naming it, exit 2, before any work', (t) => {
  const dir = join(OUT, 'limits');
  mkdirSync(dir);
  const seconds: string[] = [];
  for (const { args, limit } of LIMIT_CASES) {
    const r = cli(...args, ...(args[0] === 'search' ? ['--out', dir] : []));
    const label = `${args.join(' ').slice(0, 80)} (${limit})`;
    t.is(r.code, 2, `${label}: ${r.stderr}`);
    t.is(r.stderr.trim().split('\n').length, 1, label);
    t.true(r.stderr.includes(`limit of ${LIMITS[limit].max.toLocaleString('en-US')} ${LIMITS[limit].what}`), `${label}: ${r.stderr}`);
    seconds.push(`${limit} ${r.seconds.toFixed(2)} s`);
  }
  t.deepEqual(readdirSync(dir), [], 'nothing written');
  t.log(seconds.join(', '));
});

test.serial('file-system failures are one line and exit 2; no temp file survives', (t) => {
  const file = join(OUT, 'a-file');
  writeFileSync(file, 'x');
  const notDir = cli('search', '--name', 'fs', '--out', file, '--dataset', 'synthetic', '--resolution', '16', '--step', '0.5', '--tolerance', '0.6', '--steps', '1');
  t.is(notDir.code, 2);
  t.regex(notDir.stderr, /^scalelab search: cannot mkdir '.*a-file\/fs': a part of the path is a file, not a folder \(ENOTDIR\)\n$/);
  // A folder nobody may write (tests run as root, for whom chmod does not forbid anything: /sys refuses even root).
  const readOnly = cli('search', '--name', 'fs', '--out', '/sys/scalelab-test', '--dataset', 'synthetic', '--resolution', '16', '--step', '0.5', '--tolerance', '0.6', '--steps', '1');
  t.is(readOnly.code, 2);
  t.regex(readOnly.stderr, /^scalelab search: cannot mkdir '\/sys\/scalelab-test\/fs': (operation not permitted \(EPERM\)|permission denied \(EACCES\)|read-only file system \(EROFS\))\n$/);
  // A report whose --out is an existing folder: refused before anything is written, no temp file left.
  const study = join(OUT, 'busy');
  const folder = join(OUT, 'out-folder.html');
  mkdirSync(folder);
  const report = cli('report', study, '--out', folder);
  t.is(report.code, 2);
  t.regex(report.stderr, /cannot write .*out-folder\.html: it is a folder/);
  t.deepEqual(readdirSync(OUT).filter((f) => f.includes('.tmp-')), []);
  t.deepEqual(readdirSync(folder), []);
});

test.serial('a journal with an unknown trial state, or a file that is not a journal, is exit 2 naming the line; the bytes stay', (t) => {
  const dir = join(OUT, 'bad-state');
  mkdirSync(dir);
  const journal = `${JSON.stringify({ op_code: 0, worker_id: 'w', study_name: 'bad-state', directions: [2] })}\n${JSON.stringify({ op_code: 4, worker_id: 'w', study_id: 0, datetime_start: null })}\n${JSON.stringify({ op_code: 6, worker_id: 'w', trial_id: 0, state: 7, values: null })}\n`;
  writeFileSync(join(dir, 'journal.log'), journal);
  for (const args of [['report', dir], ['search', '--resume', dir]]) {
    const r = cli(...args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, /journal\.log:3: not a valid journal operation: state is not a trial state/);
    t.is(readFileSync(join(dir, 'journal.log'), 'utf8'), journal);
  }
  const binary = join(OUT, 'binary');
  mkdirSync(binary);
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 10));
  writeFileSync(join(binary, 'journal.log'), bytes);
  const r = cli('search', '--resume', binary);
  t.is(r.code, 2);
  t.regex(r.stderr, /not UTF-8 text|not a journal/);
  t.deepEqual(readFileSync(join(binary, 'journal.log')), bytes, 'not truncated');
});

test.serial('a stale lock of a process on another host is not taken over: exit 2 naming it and what to do', (t) => {
  const dir = join(OUT, 'elsewhere');
  mkdirSync(dir);
  writeFileSync(join(dir, 'journal.log'), `${JSON.stringify({ op_code: 0, worker_id: 'w', study_name: 'elsewhere', directions: [2] })}\n`);
  writeFileSync(join(dir, 'study.lock'), JSON.stringify({ pid: 4242, host: 'gpu-box-7', since: '2026-11-30T10:00:00.000Z', token: 't' }));
  const r = cli('search', '--resume', dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /study elsewhere is in use by PID 4242 on gpu-box-7 since 2026-11-30T10:00:00\.000Z \(another host: if that process is gone, delete .*study\.lock\)/);
});

test.serial('control characters from a journal never reach the terminal', (t) => {
  const dir = join(OUT, 'escape');
  mkdirSync(dir);
  const study = JSON.stringify({ op_code: 0, worker_id: 'w', study_name: 's', directions: [2] });
  // The error names the second study, echoing its name: the terminal must see the escapes, not obey them.
  writeFileSync(join(dir, 'journal.log'), `${study}\n${JSON.stringify({ op_code: 0, worker_id: 'w', study_name: 'x\u001b]0;pwned\u0007\u001b[2J\r\nfake line', directions: [2] })}\n`);
  const r = cli('report', dir);
  t.is(r.code, 2);
  t.false(r.stderr.includes('\u001b'), JSON.stringify(r.stderr));
  t.false(r.stderr.includes('\u0007'));
  t.regex(r.stderr, /a second CREATE_STUDY \('x\\x1b\]0;pwned\\x07\\x1b\[2J\\x0d\\x0afake line'\)/);
  t.is(r.stderr.trim().split('\n').length, 1);
});
