/**
 * CPU time of the calling thread, from the kernel's per-thread accounting (Linux `/proc/thread-self/schedstat`:
 * nanoseconds on a CPU). Node 20 has no per-thread CPU clock (`process.cpuUsage()` counts every thread), and a
 * trial thread's CPU time is what tells a slower machine from a busier one: the same trial takes more CPU seconds
 * when the machine is slow, not when other threads take turns on its core.
 */
import { readFileSync } from 'node:fs';

/** Seconds of CPU this thread has used, or null where the kernel does not say (not Linux, no schedstat). */
export function threadCpuSeconds(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/schedstat', 'utf8');
  } catch {
    return null;
  }
  const ns = Number(text.split(' ')[0]);
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e9 : null;
}
