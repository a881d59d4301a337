/**
 * Connections to the Redis that holds studies and the trial queue. Two promises:
 *  - a Redis that cannot be reached (refused, silent, not Redis, needs a password) is one error naming the URL
 *    within 5 s — no endless reconnect loop before the first success;
 *  - once connected, a Redis that restarts is waited for: commands queue and are sent again on reconnect (every
 *    ScaleLab script is safe to run twice, see journal-redis.ts), so a restart costs time, never a study.
 */
import type { Redis } from 'ioredis';
import { SearchError } from '../errors.js';
import { loadIoredis } from './redis-libraries.js';
import type { RedisLocation } from './storage-url.js';

/** Within the 5 s for an unreachable URL, with room to print and exit. */
const CONNECT_DEADLINE_MS = 3000;
const RECONNECT_MAX_DELAY_MS = 2000;

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s (${what})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A connected client, checked with PING. `maxRetriesPerRequest: null` lets commands wait out a Redis restart (and
 * is what BullMQ requires of the connections it is given).
 */
export async function connectRedis(location: RedisLocation): Promise<Redis> {
  let everReady = false;
  // Set by the client's 'error' events (the reason a connect failed is often only there).
  const seen: { error: Error | null } = { error: null };
  // Loaded here, not with this module: a study on the file journal never needs a Redis client.
  const client = new (loadIoredis().Redis)({
    host: location.host,
    port: location.port,
    db: location.db,
    lazyConnect: true,
    connectTimeout: CONNECT_DEADLINE_MS,
    maxRetriesPerRequest: null,
    // RESP2: the replies BullMQ's scripts and ours are written for, on any Redis ≥ 5.
    protocol: 2,
    // No retry until the first connection worked (fail fast on a wrong URL); after that, keep trying.
    retryStrategy: (times) => (everReady ? Math.min(times * 200, RECONNECT_MAX_DELAY_MS) : null),
  });
  client.on('error', (e: Error) => {
    seen.error = e;
  });
  client.on('ready', () => {
    everReady = true;
  });
  try {
    await deadline(client.connect(), CONNECT_DEADLINE_MS, 'connect');
    const pong = await deadline(client.ping(), CONNECT_DEADLINE_MS, 'PING');
    if (pong !== 'PONG') throw new Error(`PING answered '${String(pong).slice(0, 40)}'`);
  } catch (e) {
    client.disconnect();
    const reason = e instanceof Error ? e.message : String(e);
    const detail = seen.error !== null && seen.error.message !== reason ? `${reason}; ${seen.error.message}` : reason;
    throw new SearchError('STORAGE_UNREACHABLE', `cannot use Redis at ${location.url}: ${detail.slice(0, 300)}`);
  }
  return client;
}

/**
 * What a study in this Redis risks, as notes: an eviction policy other than `noeviction` may delete journal entries
 * under memory pressure, and without AOF a restart loses everything since the last snapshot. Managed Redis services
 * often refuse CONFIG: then nothing is said.
 */
export async function redisSafetyNotes(client: Redis, location: RedisLocation): Promise<string[]> {
  const notes: string[] = [];
  try {
    const policy = await client.config('GET', 'maxmemory-policy');
    const aof = await client.config('GET', 'appendonly');
    if (Array.isArray(policy) && policy[1] !== undefined && policy[1] !== 'noeviction') notes.push(`Redis at ${location.url} has maxmemory-policy ${String(policy[1])}: it may evict journal entries when memory runs out; set maxmemory-policy noeviction`);
    if (Array.isArray(aof) && aof[1] === 'no') notes.push(`Redis at ${location.url} runs without AOF (appendonly no): a Redis crash loses what was written since its last snapshot; set appendonly yes`);
  } catch {
    // CONFIG disabled: nothing to say.
  }
  return notes;
}

/** Can this Redis be used? (A connection opened and closed: the CLI asks before loading TF.js.) */
export async function probeRedis(location: RedisLocation): Promise<void> {
  (await connectRedis(location)).disconnect();
}
