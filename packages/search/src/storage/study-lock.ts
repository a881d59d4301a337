/**
 * One writer per study: an exclusive lock file `<study>/study.lock` holding who owns it (PID, host, since when),
 * created with O_EXCL and held for the life of the writer. Readers (`report`) never take it.
 *
 * A lock left by a process that died (SIGKILL, power loss) is taken over when its owner is on this host and no
 * longer running. The takeover replaces the lock file atomically (rename) while holding a short-lived second lock
 * (`study.lock.takeover`), so two processes finding the same stale lock cannot both take it: only an owner
 * releases a lock, and only a takeover replaces one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SearchError } from '../errors.js';

export const LOCK_FILE = 'study.lock';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  readonly token: string;
}

/** A lock file this old that is empty or unreadable was left by a crash while it was being written. */
const DAMAGED_LOCK_AGE_MS = 10_000;
const ATTEMPTS = 100;
const RETRY_MS = 20;

function readOwner(path: string): LockOwner | null | 'absent' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.since === 'string' && typeof o.token === 'string' ? (o as LockOwner) : null;
  } catch {
    return null;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Is a process with this PID running on this host? (EPERM: it runs, as another user.) */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeWhole(path: string, text: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

export class StudyLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    // A process that exits (normally, on a signal handler's process.exit, or by an uncaught error) lets go.
    process.once('exit', this.onExit);
  }

  /**
   * Take the lock of the study in `dir` or throw STUDY_LOCKED naming its owner. `onNote` hears about a stale lock
   * that was taken over.
   */
  static async acquire(dir: string, study: string, onNote: (message: string) => void = () => undefined): Promise<StudyLock> {
    const path = join(dir, LOCK_FILE);
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
    const text = `${JSON.stringify(me)}\n`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        writeWhole(path, text, 'wx');
        return new StudyLock(path, me);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(path);
      if (owner === 'absent') continue;
      if (owner === null && ageMs(path) < DAMAGED_LOCK_AGE_MS) {
        // Being written right now by another process, most likely.
        await sleep(RETRY_MS);
        continue;
      }
      if (owner !== null && (owner.host !== me.host || owner.pid === process.pid || isRunning(owner.pid))) {
        const elsewhere = owner.host !== me.host ? ` (another host: if that process is gone, delete ${path})` : '';
        throw new SearchError('STUDY_LOCKED', `study ${study} is in use by PID ${owner.pid} on ${owner.host} since ${owner.since}${elsewhere}`);
      }
      if (await StudyLock.takeOver(path, owner, text)) {
        onNote(owner === null
          ? `study ${study}: replaced a damaged lock file (${path})`
          : `study ${study}: took over the lock of PID ${owner.pid} on ${owner.host} (since ${owner.since}), which is no longer running`);
        return new StudyLock(path, me);
      }
    }
    throw new SearchError('STUDY_LOCKED', `study ${study}: could not take its lock ${path} (other processes keep taking it)`);
  }

  /** Replace a stale lock by ours, if it is still the same stale lock. */
  private static async takeOver(path: string, stale: LockOwner | null, text: string): Promise<boolean> {
    const guard = `${path}.takeover`;
    try {
      writeWhole(guard, `${process.pid}\n`, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A takeover guard left by a crash mid-takeover (it is held for microseconds).
      if (ageMs(guard) > DAMAGED_LOCK_AGE_MS) tryUnlink(guard);
      else await sleep(RETRY_MS);
      return false;
    }
    try {
      const current = readOwner(path);
      const same = current === null ? stale === null : current !== 'absent' && stale !== null && current.token === stale.token;
      if (!same) return false;
      const tmp = `${path}.${process.pid}-${randomUUID()}`;
      writeWhole(tmp, text, 'wx');
      renameSync(tmp, path);
      return true;
    } finally {
      tryUnlink(guard);
    }
  }

  /** Let go (idempotent); only a lock that is still ours is removed. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const current = readOwner(this.path);
    if (current !== null && current !== 'absent' && current.token === this.owner.token) tryUnlink(this.path);
  }
}
