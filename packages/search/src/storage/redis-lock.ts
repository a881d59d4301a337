/**
 * One coordinator per study in Redis, the counterpart of `study.lock`: the key `{prefix}:scalelab:lock` holds the
 * owner (PID, host, since, token), taken with SET NX PX and renewed by its owner well before it expires. A
 * coordinator that dies without letting go (SIGKILL, a lost machine) holds it for at most the TTL; on the same
 * host, a lock whose process is gone is taken over at once, as the file lock does.
 *
 * Only the owner renews or deletes it (compare-and-set on the token, in Lua). An owner that finds its lock gone
 * (it stalled longer than the TTL and another coordinator took over) is told through `lost`, and stops.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import { SearchError } from '../errors.js';
import type { LockOwner } from './study-lock.js';
import { isRunning } from './study-lock.js';

export const REDIS_LOCK_TTL_MS = 15_000;
const RENEW_EVERY_MS = REDIS_LOCK_TTL_MS / 3;

/** ARGV: expected value, new value, TTL → 1 when the key held the expected value and now holds the new one. */
const REPLACE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const ownerSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string(), token: z.string() });

function parseOwner(text: string): LockOwner | null {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class RedisStudyLock {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private released = false;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly value: string,
  ) {
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** Aborts when the lock was lost (another coordinator holds the study now). */
  get lost(): AbortSignal {
    return this.controller.signal;
  }

  static async acquire(redis: Redis, prefix: string, study: string, onNote: (message: string) => void = () => undefined): Promise<RedisStudyLock> {
    const key = `${prefix}:scalelab:lock`;
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
    const value = JSON.stringify(me);
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await redis.set(key, value, 'PX', REDIS_LOCK_TTL_MS, 'NX')) === 'OK') return new RedisStudyLock(redis, key, value);
      const current = await redis.get(key);
      if (current === null) continue;
      const owner = parseOwner(current);
      if (owner !== null && (owner.host !== me.host || isRunning(owner.pid))) {
        throw new SearchError('STUDY_LOCKED', `study ${study} is in use by PID ${owner.pid} on ${owner.host} since ${owner.since} (its lock ${key} expires ${REDIS_LOCK_TTL_MS / 1000} s after that process stops)`);
      }
      // A dead process on this host, or a value that is not a lock: replace exactly that value.
      if ((await redis.eval(REPLACE_IF, 1, key, current, value, REDIS_LOCK_TTL_MS)) === 1) {
        onNote(owner === null ? `study ${study}: replaced a damaged lock (${key})` : `study ${study}: took over the lock of PID ${owner.pid} on ${owner.host} (since ${owner.since}), which is no longer running`);
        return new RedisStudyLock(redis, key, value);
      }
    }
    throw new SearchError('STUDY_LOCKED', `study ${study}: could not take its lock ${key} (other processes keep taking it)`);
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      if ((await this.redis.eval(REPLACE_IF, 1, this.key, this.value, this.value, REDIS_LOCK_TTL_MS)) !== 1) {
        clearInterval(this.timer);
        this.controller.abort(new SearchError('STUDY_LOCKED', `lost the lock ${this.key}: another coordinator took the study over`));
      }
    } catch {
      // Redis is restarting: the next renewal tries again (the TTL spans three of them).
    }
  }

  /** Let go (idempotent); only a lock that is still ours is deleted. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    try {
      await this.redis.eval(DELETE_IF, 1, this.key, this.value);
    } catch {
      // Redis gone: the lock expires by itself.
    }
  }
}
