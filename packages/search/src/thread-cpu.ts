/**
 * CPU time of the calling thread, from the kernel's per-thread accounting (Linux `/proc/thread-self/schedstat`:
 * nanoseconds on a CPU). Node 20 has no per-thread CPU clock (`process.cpuUsage()` counts every thread). Unlike
 * wall time, it does not grow while the thread waits for a core that other threads hold; it does grow when the
 * machine runs slower (here: a VM that reports no steal time) and when sharing a core costs it cache misses.
 */
import { readFileSync } from 'node:fs';

/**
 * Seconds of CPU this thread has used, or null where the kernel does not say: not Linux, no schedstat, or a kernel
 * that keeps no scheduler statistics (it then prints zeros).
 */
export function threadCpuSeconds(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/schedstat', 'utf8');
  } catch {
    return null;
  }
  const ns = Number(text.split(' ')[0]);
  return Number.isFinite(ns) && ns > 0 ? ns / 1e9 : null;
}
