/**
 * The thread CPU clock against the process's (getrusage, via process.cpuUsage): an independent clock that counts
 * every thread, so a thread's time can never exceed it, and work in another thread shows in it alone.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { threadCpuSeconds } from './thread-cpu.js';

/** Linux with the scheduler's per-thread statistics (CONFIG_SCHED_INFO, on in Debian's and most kernels). */
const measurable = existsSync('/proc/thread-self/schedstat');
const whereMeasurable = measurable ? test : test.skip;
const processCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Spin in this thread until it has used `seconds` of CPU by the process clock. */
function burn(seconds: number): void {
  const until = processCpuSeconds() + seconds;
  let x = 0;
  while (processCpuSeconds() < until) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
  if (x < 0) throw new Error('unreachable');
}

whereMeasurable('work in this thread shows in its clock, and never more than the process clock counts', (t) => {
  const thread0 = threadCpuSeconds();
  const process0 = processCpuSeconds();
  burn(0.2);
  const thread = (threadCpuSeconds() ?? Number.NaN) - (thread0 ?? Number.NaN);
  const all = processCpuSeconds() - process0;
  t.true(thread >= 0.1, `thread ${thread.toFixed(3)} s for 0.2 s of spinning`);
  // getrusage ticks in microseconds, schedstat in nanoseconds: a tick of slack
  t.true(thread <= all + 0.01, `thread ${thread.toFixed(3)} s, process ${all.toFixed(3)} s`);
});

whereMeasurable('work in another thread does not show in this thread’s clock', async (t) => {
  const thread0 = threadCpuSeconds() ?? Number.NaN;
  const process0 = processCpuSeconds();
  const spinner = new Worker(
    `const t = process.hrtime.bigint(); let x = 0; while (process.hrtime.bigint() - t < 300_000_000n) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`,
    { eval: true },
  );
  await new Promise((resolve, reject) => spinner.once('message', resolve).once('error', reject));
  await spinner.terminate();
  const thread = (threadCpuSeconds() ?? Number.NaN) - thread0;
  const all = processCpuSeconds() - process0;
  t.true(all - thread >= 0.1, `the other thread's spinning is in the process clock only (thread ${thread.toFixed(3)} s, process ${all.toFixed(3)} s)`);
});

test('off Linux, or without schedstat, the clock says nothing rather than a wrong number', (t) => {
  const s = threadCpuSeconds();
  if (measurable) t.true(s !== null && s > 0);
  else t.is(s, null);
});
