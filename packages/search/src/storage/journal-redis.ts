/**
 * A study's journal in Redis, in the key layout of Optuna 3.1's JournalRedisStorage
 * (optuna/storages/_journal/redis.py), prefix `scalelab:<study>`:
 *   `{prefix}:log_number`  the last entry's number, −1 for an empty log (Optuna's SETNX −1 then INCR)
 *   `{prefix}:log:{i}`     entry i, one op as a JSON object (the same text as a file journal's line)
 * so `optuna.load_study(study_name=NAME, storage=JournalStorage(JournalRedisStorage(URL, prefix="scalelab:NAME")))`
 * reads it. Entries are appended as Optuna's non-cluster writer does — INCR and SET inside one Lua script — and
 * never changed afterwards.
 *
 * Beside them, under `{prefix}:scalelab:`, ScaleLab keeps what Optuna does not read:
 *   `trials`              trials created (ids are creation order: a trial's id is this counter − 1)
 *   `running`             hash: open trial id → its run unit
 *   `heartbeat:{id}`      present while the trial's runner is alive (PX TTL, renewed by its worker)
 *   `finished`            hash: run unit → the trial that finished it (COMPLETE / PRUNED)
 *   `failed`              hash: `unit@attempt` → the trial whose FAIL counted for that attempt
 *   `lock`                the coordinator's lock (redis-lock.ts)
 * Each script changes the log and these keys together, atomically. Every script is also safe to run twice (the
 * client re-sends a command whose reply was lost in a Redis restart): a trial-scoped script does nothing once its
 * trial is closed, and a second CREATE_TRIAL only leaves a phantom trial whose heartbeat expires and which the
 * reconciler closes as interrupted.
 *
 * Standalone Redis only (as Optuna assumes without use_cluster): the scripts build key names from the prefix.
 * Reading is strict: every entry is checked with `decodeOp` (a journal in a shared Redis is untrusted input), a
 * missing or oversized entry is an error naming its key, and the trial counter must agree with the log.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LIMITS } from '@scalelab/arch';
import { SearchError } from '../errors.js';
import type { JournalLines } from './journal-lines.js';
import { OP, createTrialOp, decodeOp, encodeOp } from './journal-ops.js';
import type { LoggedOp, OpFields } from './journal-ops.js';
import type { CloseOutcome, JournalStorage, TrialClose, TrialStatus, TrialTemplate } from './journal-storage.js';
import { failedAttemptKey } from './ledger.js';
import type { RedisLocation } from './storage-url.js';

/** Optuna's prefix for a study ScaleLab writes (the README's load_study line uses it). */
export const studyPrefix = (study: string): string => `scalelab:${study}`;

/** How long a trial counts as alive after its runner's last heartbeat, unless a worker sets its own. */
export const DEFAULT_HEARTBEAT_TTL_MS = 30_000;

/** Keys read per MGET: large enough to read 300,000 entries in a few seconds, small enough not to stall Redis. */
const READ_CHUNK = 1000;

/** Appends one entry the way Optuna's non-cluster writer does; refuses a study that does not exist. */
const APPEND = `
local function append(prefix, line)
  local i = redis.call('INCR', prefix .. ':log_number')
  redis.call('SET', prefix .. ':log:' .. i, line)
end
local function require_study(prefix)
  if redis.call('EXISTS', prefix .. ':log_number') == 0 then
    return redis.error_reply('no study under ' .. prefix)
  end
  return false
end
`;

const SCRIPTS = {
  /** ARGV: prefix, lines… → 1, or 0 when the study exists already. */
  createStudy: `${APPEND}
local prefix = ARGV[1]
if redis.call('EXISTS', prefix .. ':log_number') == 1 then return 0 end
redis.call('SET', prefix .. ':log_number', -1)
for k = 2, #ARGV do append(prefix, ARGV[k]) end
return 1`,
  /** ARGV: prefix, lines…. */
  append: `${APPEND}
local prefix = ARGV[1]
local missing = require_study(prefix)
if missing then return missing end
for k = 2, #ARGV do append(prefix, ARGV[k]) end
return #ARGV - 1`,
  /** ARGV: prefix, CREATE_TRIAL line, unit, owner, heartbeat TTL ms → the trial id. */
  createTrial: `${APPEND}
local prefix = ARGV[1]
local missing = require_study(prefix)
if missing then return missing end
append(prefix, ARGV[2])
local id = redis.call('INCR', prefix .. ':scalelab:trials') - 1
redis.call('HSET', prefix .. ':scalelab:running', id, ARGV[3])
redis.call('SET', prefix .. ':scalelab:heartbeat:' .. id, ARGV[4], 'PX', ARGV[5])
return id`,
  /** ARGV: prefix, trial id, lines… → 1, or 0 (nothing written) when the trial is closed. */
  appendToTrial: `${APPEND}
local prefix = ARGV[1]
if redis.call('HEXISTS', prefix .. ':scalelab:running', ARGV[2]) == 0 then return 0 end
for k = 3, #ARGV do append(prefix, ARGV[k]) end
return 1`,
  /**
   * The idempotent commit. ARGV: prefix, trial id, unit, failed-attempt key ('' when the ops finish the unit),
   * number of ops n, ops (n), duplicate ops → 'closed' | 'duplicate' | 'gone'.
   */
  closeTrial: `${APPEND}
local prefix = ARGV[1]
local id = ARGV[2]
if redis.call('HEXISTS', prefix .. ':scalelab:running', id) == 0 then return 'gone' end
local unit, failkey, n = ARGV[3], ARGV[4], tonumber(ARGV[5])
local done = redis.call('HEXISTS', prefix .. ':scalelab:finished', unit) == 1
if not done and failkey ~= '' then done = redis.call('HEXISTS', prefix .. ':scalelab:failed', failkey) == 1 end
local first, last = 6, 5 + n
if done then first, last = 6 + n, #ARGV end
for k = first, last do append(prefix, ARGV[k]) end
redis.call('HDEL', prefix .. ':scalelab:running', id)
redis.call('DEL', prefix .. ':scalelab:heartbeat:' .. id)
if done then return 'duplicate' end
if failkey == '' then redis.call('HSET', prefix .. ':scalelab:finished', unit, id)
else redis.call('HSET', prefix .. ':scalelab:failed', failkey, id) end
return 'closed'`,
  /** ARGV: prefix, trial id, lines… → 1 when closed now; 0 when already closed or its runner is alive. */
  closeAbandoned: `${APPEND}
local prefix = ARGV[1]
local id = ARGV[2]
if redis.call('HEXISTS', prefix .. ':scalelab:running', id) == 0 then return 0 end
if redis.call('EXISTS', prefix .. ':scalelab:heartbeat:' .. id) == 1 then return 0 end
for k = 3, #ARGV do append(prefix, ARGV[k]) end
redis.call('HDEL', prefix .. ':scalelab:running', id)
return 1`,
  /** ARGV: prefix, trial id, owner, TTL ms → 'open' (renewed) | 'unit-finished' | 'closed'. */
  heartbeat: `
local prefix = ARGV[1]
local unit = redis.call('HGET', prefix .. ':scalelab:running', ARGV[2])
if not unit then return 'closed' end
if redis.call('HEXISTS', prefix .. ':scalelab:finished', unit) == 1 then return 'unit-finished' end
redis.call('SET', prefix .. ':scalelab:heartbeat:' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 'open'`,
} as const;

const CLOSE_OUTCOMES: readonly CloseOutcome[] = ['closed', 'duplicate', 'gone'];
const TRIAL_STATUSES: readonly TrialStatus[] = ['open', 'unit-finished', 'closed'];

function oneOf<T extends string>(value: unknown, choices: readonly T[], what: string): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) throw new SearchError('BAD_JOURNAL', `Redis answered '${String(value).slice(0, 60)}' to ${what}`);
  return found;
}

function count(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new SearchError('BAD_JOURNAL', `${what} is not an integer: '${String(value).slice(0, 60)}'`);
  return n;
}

export class RedisJournalStorage implements JournalStorage {
  /** Optuna tags each entry with its writer; one per storage instance (one per process). */
  readonly workerId = `scalelab-${randomUUID()}-${process.pid}`;
  readonly prefix: string;
  /** For messages: `redis://127.0.0.1:6379/0 scalelab:NAME:log`, so `${location}:${i}` names entry i's key. */
  readonly location: string;

  constructor(
    private readonly redis: Redis,
    readonly redisLocation: RedisLocation,
    study: string,
    /** How long a trial created here stays alive without a heartbeat. */
    readonly heartbeatTtlMs: number = DEFAULT_HEARTBEAT_TTL_MS,
  ) {
    this.prefix = studyPrefix(study);
    this.location = `${redisLocation.url} ${this.prefix}:log`;
  }

  private key(name: string): string {
    return `${this.prefix}:scalelab:${name}`;
  }

  private run(script: keyof typeof SCRIPTS, args: readonly (string | number)[]): Promise<unknown> {
    return this.redis.eval(SCRIPTS[script], 0, this.prefix, ...args);
  }

  private encode(ops: readonly OpFields[]): string[] {
    return ops.map((op) => encodeOp(op, this.workerId));
  }

  /** Does a study exist under this prefix (any log at all)? */
  async exists(): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:log_number`)) === 1;
  }

  /** Write a new study's first ops, atomically and only if no log exists under the prefix; false if one does. */
  async createStudy(ops: readonly OpFields[]): Promise<boolean> {
    return count(await this.run('createStudy', this.encode(ops)), 'createStudy') === 1;
  }

  async read(): Promise<JournalLines> {
    return { ops: await this.readFrom(0), wholeBytes: 0, tail: { kind: 'none' } };
  }

  /**
   * Entries `from`… as checked ops (`line` is the entry's number). Reading from 0 also checks that the trial
   * counter agrees with the CREATE_TRIAL entries (both read in one MGET, so no script runs in between).
   */
  async readFrom(from: number): Promise<LoggedOp[]> {
    const [lastText, trialsText] = await this.redis.mget(`${this.prefix}:log_number`, this.key('trials'));
    if (lastText === null || lastText === undefined) throw new SearchError('NO_STUDY', `no study in Redis at ${this.redisLocation.url} under ${this.prefix} (no ${this.prefix}:log_number)`);
    const last = count(lastText, `${this.prefix}:log_number`);
    if (last + 1 > LIMITS.journalOps.max) throw new SearchError('BAD_JOURNAL', `${this.location}: ${last + 1} entries, over the limit of ${LIMITS.journalOps.max} operations for one journal`);
    const ops: LoggedOp[] = [];
    let bytes = 0;
    for (let start = from; start <= last; start += READ_CHUNK) {
      const numbers = Array.from({ length: Math.min(READ_CHUNK, last - start + 1) }, (_, k) => start + k);
      const values = await this.redis.mget(...numbers.map((i) => `${this.prefix}:log:${i}`));
      numbers.forEach((i, k) => {
        const where = `${this.location}:${i}`;
        const text = values[k];
        if (text === null || text === undefined) throw new SearchError('BAD_JOURNAL', `${where}: missing (${this.prefix}:log_number says the log has ${last + 1} entries); the log was changed by another program`);
        const size = Buffer.byteLength(text);
        if (size > LIMITS.journalLineBytes.max) throw new SearchError('BAD_JOURNAL', `${where}: an entry of ${size} bytes, over the limit of ${LIMITS.journalLineBytes.max} bytes per journal line`);
        bytes += size;
        if (bytes > LIMITS.journalBytes.max) throw new SearchError('BAD_JOURNAL', `${this.location}: over ${LIMITS.journalBytes.max} bytes, the limit for one journal`);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new SearchError('BAD_JOURNAL', `${where}: not a JSON entry (the log is damaged, or another program wrote it)`);
        }
        ops.push({ op: decodeOp(value, where), line: i });
      });
    }
    if (from === 0) {
      const created = ops.filter((o) => o.op.op_code === OP.CREATE_TRIAL).length;
      const counted = trialsText === null || trialsText === undefined ? 0 : count(trialsText, this.key('trials'));
      if (created !== counted) throw new SearchError('BAD_JOURNAL', `${this.location}: the log creates ${created} trials but ${this.key('trials')} counts ${counted}; another program wrote this study, and trial ids would disagree`);
    }
    return ops;
  }

  async append(ops: readonly OpFields[]): Promise<void> {
    if (ops.length > 0) await this.run('append', this.encode(ops));
  }

  async createTrial(template: TrialTemplate, unit = ''): Promise<number> {
    return count(await this.run('createTrial', [encodeOp(createTrialOp(template), this.workerId), unit, this.workerId, this.heartbeatTtlMs]), 'createTrial');
  }

  async appendToTrial(trialId: number, ops: readonly OpFields[]): Promise<boolean> {
    if (ops.length === 0) return (await this.heartbeat(trialId)) !== 'closed';
    return count(await this.run('appendToTrial', [trialId, ...this.encode(ops)]), 'appendToTrial') === 1;
  }

  async closeTrial(trialId: number, close: TrialClose): Promise<CloseOutcome> {
    const failKey = close.failedAttempt === null ? '' : failedAttemptKey(close.unit, close.failedAttempt);
    const reply = await this.run('closeTrial', [trialId, close.unit, failKey, close.ops.length, ...this.encode(close.ops), ...this.encode(close.duplicateOps)]);
    return oneOf(reply, CLOSE_OUTCOMES, 'closeTrial');
  }

  async closeAbandoned(trialId: number, ops: readonly OpFields[]): Promise<boolean> {
    return count(await this.run('closeAbandoned', [trialId, ...this.encode(ops)]), 'closeAbandoned') === 1;
  }

  async heartbeat(trialId: number): Promise<TrialStatus> {
    return oneOf(await this.run('heartbeat', [trialId, this.workerId, this.heartbeatTtlMs]), TRIAL_STATUSES, 'heartbeat');
  }

  async openTrials(): Promise<ReadonlyMap<number, string>> {
    const all = await this.redis.hgetall(this.key('running'));
    return new Map(Object.entries(all).map(([id, unit]) => [count(id, `${this.key('running')} field`), unit]));
  }

  /** Of these open trials, the ones whose runner's heartbeat has expired. */
  async withoutHeartbeat(trialIds: readonly number[]): Promise<number[]> {
    if (trialIds.length === 0) return [];
    const beats = await this.redis.mget(...trialIds.map((id) => this.key(`heartbeat:${id}`)));
    return trialIds.filter((_, k) => beats[k] === null || beats[k] === undefined);
  }

  async isSettled(unit: string, attempt: number): Promise<boolean> {
    const [finished, failed] = await Promise.all([this.redis.hexists(this.key('finished'), unit), this.redis.hexists(this.key('failed'), failedAttemptKey(unit, attempt))]);
    return finished === 1 || failed === 1;
  }

  /** The connection is the caller's (it may be shared): closing the storage leaves it open. */
  async close(): Promise<void> {}
}
