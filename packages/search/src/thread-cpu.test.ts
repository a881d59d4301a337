/**
 * The thread CPU clock against the process's (getrusage, via process.cpuUsage): an independent clock that counts
 * every thread, so a thread's time can never exceed it, and work in another thread shows in it alone. Serial: a
 * test spinning beside another would move the process clock under it.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { threadCpuSeconds } from './thread-cpu.js';

/** Linux with the scheduler's per-thread statistics (CONFIG_SCHED_INFO, on in Debian's and most kernels). */
const measurable = existsSync('/proc/thread-self/schedstat');
const whereMeasurable = measurable ? test.serial : test.serial.skip;
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

// schedstat gives the time as of the thread's last scheduler tick (4–10 ms old); getrusage is brought up to date.
const TICK = 0.01;

whereMeasurable('work in this thread shows in its clock, and never more than the process clock counts', (t) => {
  const thread0 = threadCpuSeconds() ?? Number.NaN;
  const process0 = processCpuSeconds();
  burn(0.2);
  const thread = (threadCpuSeconds() ?? Number.NaN) - thread0;
  const all = processCpuSeconds() - process0;
  t.true(thread >= 0.1, `thread ${thread.toFixed(3)} s for 0.2 s of spinning`);
  t.true(thread <= all + TICK, `thread ${thread.toFixed(3)} s, process ${all.toFixed(3)} s`);
});

whereMeasurable('read in a worker thread (where trials run), the clock is that thread’s, not the main thread’s', async (t) => {
  const main0 = threadCpuSeconds() ?? Number.NaN;
  const process0 = processCpuSeconds();
  // The worker spins until its own clock has advanced 0.3 s, whatever the machine's load (or 10 s have passed:
  // a clock that is not the worker's may never advance), and says by how much.
  const spinner = new Worker(
    new URL(`data:text/javascript,${encodeURIComponent(`
      import { parentPort } from 'node:worker_threads';
      import { threadCpuSeconds } from ${JSON.stringify(new URL('./thread-cpu.js', import.meta.url).href)};
      const start = threadCpuSeconds();
      const deadline = Date.now() + 10000;
      let x = 0;
      while (threadCpuSeconds() - start < 0.3 && Date.now() < deadline) for (let i = 0; i < 10000; i++) x += Math.sqrt(i);
      parentPort.postMessage(threadCpuSeconds() - start);
    `)}`),
  );
  const spun = await new Promise<number>((resolve, reject) => spinner.once('message', resolve).once('error', reject));
  await spinner.terminate();
  const main = (threadCpuSeconds() ?? Number.NaN) - main0;
  const all = processCpuSeconds() - process0;
  t.true(spun >= 0.3 && spun <= all + TICK, `the worker's clock ${spun.toFixed(3)} s, the process's ${all.toFixed(3)} s`);
  // the spinning is the worker's: the main thread, waiting, used a fraction of it
  t.true(main < 0.5 * spun, `main thread ${main.toFixed(3)} s while the worker spun ${spun.toFixed(3)} s`);
});

test.serial('without per-thread statistics the clock says nothing rather than a wrong number', (t) => {
  const s = threadCpuSeconds();
  if (measurable) t.true(s !== null && s > 0);
  else t.is(s, null);
});
