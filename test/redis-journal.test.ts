/**
 * The Redis journal against a real redis-server: Optuna's key layout (and real Optuna reading it), trial ids in
 * creation order under concurrent writers, the exactly-once close, conditional appends and heartbeats, hostile
 * entries named by key and left as they are, the coordinator lock, and URLs that cannot work refused fast.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { ScaleLabError } from '@scalelab/arch';
import { OP, RedisJournalStorage, RedisStudyLock, connectRedis, duplicateOps, failOps, finishOp, intermediateOp, optunaDatetime, parseStorageUrl, replayStudy, userAttrOps } from '@scalelab/search';
import type { RedisLocation } from '@scalelab/search';
import { freePort, redisServerMissing, startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

let server: RedisServer;
let client: Redis;
let location: RedisLocation;
test.before(async () => {
  const missing = redisServerMissing();
  if (missing !== null) throw new Error(missing);
  server = await startRedis();
  location = parseStorageUrl(server.url);
  client = await connectRedis(location);
});
test.after.always(async () => {
  client?.disconnect();
  await server?.stop();
});

const template = (tag: string): { datetimeStart: string; params: Record<string, never>; userAttrs: { tag: string } } => ({ datetimeStart: optunaDatetime(new Date(0)), params: {}, userAttrs: { tag } });

async function newStudy(name: string, ttlMs?: number): Promise<RedisJournalStorage> {
  const s = new RedisJournalStorage(client, location, name, ttlMs);
  t_ok(await s.createStudy([{ op_code: OP.CREATE_STUDY, study_name: name, directions: [2] }]));
  return s;
}
function t_ok(v: boolean): void {
  if (!v) throw new Error('study existed');
}

/** Every key under a prefix with its value (strings and hashes): what "left as it is" is checked against. */
async function snapshot(prefix: string): Promise<string> {
  const keys = (await client.keys(`${prefix}:*`)).sort();
  const values = await Promise.all(keys.map(async (k) => ((await client.type(k)) === 'hash' ? JSON.stringify(await client.hgetall(k)) : await client.get(k))));
  return JSON.stringify(keys.map((k, i) => [k, values[i]]));
}

test.serial("Optuna's JournalRedisStorage layout: log_number counts from −1, one JSON op per log:{i}, and real Optuna reads it", async (t) => {
  const s = await newStudy('layout');
  t.is(await client.get('scalelab:layout:log_number'), '0');
  const id = await s.createTrial({ datetimeStart: '2026-12-01T00:00:00.000000', params: { alpha: { value: 1.25, distribution: JSON.stringify({ name: 'FloatDistribution', attributes: { step: 0.25, low: 1, high: 2, log: false } }) } }, userAttrs: { grid_id: 'a1.25' } }, 'a1.25#-');
  t.is(id, 0);
  t.true(await s.appendToTrial(id, [intermediateOp(id, 1, 0.5), ...userAttrOps(id, { macs: 12 })]));
  t.is(await s.closeTrial(id, { unit: 'a1.25#-', failedAttempt: null, ops: [finishOp(id, 'COMPLETE', 0.75)], duplicateOps: duplicateOps(id, 'a1.25#-', 'x') }), 'closed');
  t.is(await client.get('scalelab:layout:log_number'), '4');
  t.regex((await client.get('scalelab:layout:log:1')) ?? '', /^\{"op_code":4,"worker_id":"scalelab-/);
  const py = spawnSync('/usr/bin/python3', ['-c', `
import json, warnings
warnings.simplefilter("ignore")
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
from optuna.storages import JournalStorage, JournalRedisStorage
s = optuna.load_study(study_name="layout", storage=JournalStorage(JournalRedisStorage("${server.url}", prefix="scalelab:layout")))
t = s.trials[0]
print(json.dumps({"n": len(s.trials), "state": t.state.name, "params": t.params, "value": t.value, "iv": {str(k): v for k, v in t.intermediate_values.items()}, "macs": t.user_attrs["macs"]}))
`], { encoding: 'utf8' });
  t.is(py.status, 0, `/usr/bin/python3 with optuna and redis (Debian python3-optuna, python3-redis): ${py.stderr}`);
  t.deepEqual(JSON.parse(py.stdout), { n: 1, state: 'COMPLETE', params: { alpha: 1.25 }, value: 0.75, iv: { '1': 0.5 }, macs: 12 });
});

test.serial('trial ids are creation order with concurrent writers on separate connections', async (t) => {
  const a = await newStudy('concurrent');
  const other = await connectRedis(location);
  try {
    const b = new RedisJournalStorage(other, location, 'concurrent');
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).createTrial(template(`t${i}`), `u${i}#-`)));
    t.deepEqual([...ids].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i));
    const record = replayStudy((await a.read()).ops, a.location);
    // The id each writer was given is the trial replay finds at that position.
    ids.forEach((id, i) => t.is(record.trials[id]?.userAttrs.tag, `t${i}`));
    t.is((await a.openTrials()).size, 40);
  } finally {
    other.disconnect();
  }
});

test.serial('closing is exactly-once per unit: a second runner of a finished unit is closed as a duplicate, a resent close writes nothing', async (t) => {
  const s = await newStudy('once');
  const unit = 'a1.00#-';
  const first = await s.createTrial(template('first'), unit);
  const second = await s.createTrial(template('second'), unit);
  const close = (id: number, value: number): Parameters<RedisJournalStorage['closeTrial']>[1] => ({ unit, failedAttempt: null, ops: [finishOp(id, 'COMPLETE', value)], duplicateOps: duplicateOps(id, unit, `trial ${first}`) });
  t.is(await s.heartbeat(second), 'open');
  t.is(await s.closeTrial(first, close(first, 0.9)), 'closed');
  t.is(await s.heartbeat(second), 'unit-finished');
  t.is(await s.closeTrial(second, close(second, 0.8)), 'duplicate');
  const before = await snapshot('scalelab:once');
  t.is(await s.closeTrial(first, close(first, 0.9)), 'gone');
  t.false(await s.appendToTrial(second, [intermediateOp(second, 1, 0.1)]));
  t.is(await s.heartbeat(second), 'closed');
  t.is(await snapshot('scalelab:once'), before, 'nothing written for a closed trial');
  const trials = replayStudy((await s.read()).ops, s.location).trials;
  t.deepEqual(trials.map((x) => x.state), ['COMPLETE', 'FAIL']);
  t.is(trials[1]?.userAttrs.duplicate_of, unit);
  t.true(await s.isSettled(unit, 0));
});

test.serial('a failed attempt counts once: a duplicate FAIL of the same attempt is marked duplicate, the next attempt may fail again', async (t) => {
  const s = await newStudy('attempts');
  const unit = 'b#-';
  const fail = (id: number, attempt: number): Parameters<RedisJournalStorage['closeTrial']>[1] => ({ unit, failedAttempt: attempt, ops: failOps(id, 'diverged'), duplicateOps: duplicateOps(id, unit, `attempt ${attempt}`) });
  const a = await s.createTrial(template('a'), unit);
  const b = await s.createTrial(template('b'), unit);
  t.is(await s.closeTrial(a, fail(a, 0)), 'closed');
  t.is(await s.closeTrial(b, fail(b, 0)), 'duplicate');
  t.true(await s.isSettled(unit, 0));
  t.false(await s.isSettled(unit, 1));
  const c = await s.createTrial(template('c'), unit);
  t.is(await s.closeTrial(c, fail(c, 1)), 'closed');
});

test.serial('a trial is closed as abandoned only once its heartbeat expired, and never twice', async (t) => {
  const s = await newStudy('abandoned', 300);
  const id = await s.createTrial(template('x'), 'c#-');
  t.false(await s.closeAbandoned(id, failOps(id, 'interrupted', true)), 'alive: its heartbeat is fresh');
  t.deepEqual(await s.withoutHeartbeat([id]), []);
  await new Promise((r) => setTimeout(r, 450));
  t.deepEqual(await s.withoutHeartbeat([id]), [id]);
  t.true(await s.closeAbandoned(id, failOps(id, 'interrupted', true)));
  t.false(await s.closeAbandoned(id, failOps(id, 'interrupted', true)));
  t.is(await s.heartbeat(id), 'closed', 'a worker that was only slow learns its trial was closed');
  const [trial] = replayStudy((await s.read()).ops, s.location).trials;
  t.is(trial?.state, 'FAIL');
  t.is(trial?.userAttrs.interrupted, true);
});

test.serial('hostile entries are errors naming their key, and reading changes nothing', async (t) => {
  const cases: [string, (p: string) => Promise<unknown>, RegExp][] = [
    ['garbage', (p) => client.set(`${p}:log:1`, '{nope'), /scalelab:h-garbage:log:1: not a JSON entry/],
    ['badop', (p) => client.set(`${p}:log:1`, '{"op_code":42,"worker_id":"x"}'), /scalelab:h-badop:log:1: not a valid journal operation: op_code/],
    ['missing', (p) => client.del(`${p}:log:1`), /scalelab:h-missing:log:1: missing/],
    ['counter', (p) => client.set(`${p}:scalelab:trials`, '7'), /creates 1 trials but scalelab:h-counter:scalelab:trials counts 7/],
    ['huge', (p) => client.set(`${p}:log:1`, `{"op_code":8,"worker_id":"x","trial_id":0,"user_attr":{"a":"${'x'.repeat(5 * 2 ** 20)}"}}`), /over the limit of \d+ bytes per journal line/],
    ['foreign', (p) => client.set(`${p}:log:2`, '{"op_code":0,"worker_id":"x","study_name":"other","directions":[1]}'), /scalelab:h-foreign:log:2: a second CREATE_STUDY/],
  ];
  for (const [name, damage, message] of cases) {
    const s = await newStudy(`h-${name}`);
    const id = await s.createTrial(template('x'), 'u#-');
    await s.appendToTrial(id, [intermediateOp(id, 1, 0.5)]);
    await damage(`scalelab:h-${name}`);
    const before = await snapshot(`scalelab:h-${name}`);
    const error = await t.throwsAsync(async () => replayStudy((await s.read()).ops, s.location), undefined, name);
    t.true(error instanceof ScaleLabError, name);
    t.regex(error?.message ?? '', message, name);
    t.is(await snapshot(`scalelab:h-${name}`), before, `${name}: left as it is`);
  }
});

test.serial('one coordinator per study: a live owner is named, a dead local owner is taken over', async (t) => {
  const lock = await RedisStudyLock.acquire(client, 'scalelab:locked', 'locked');
  const error = await t.throwsAsync(RedisStudyLock.acquire(client, 'scalelab:locked', 'locked'));
  t.regex(error?.message ?? '', new RegExp(`^study locked is in use by PID ${process.pid} on .+ since `));
  await lock.release();
  t.is(await client.exists('scalelab:locked:scalelab:lock'), 0);
  // A lock left by a process that is gone (PID 2^22 + 1 is above Linux's pid_max).
  await client.set('scalelab:locked:scalelab:lock', JSON.stringify({ pid: 4_194_305, host: (await import('node:os')).hostname(), since: '2026-01-01T00:00:00.000Z', token: 'dead' }), 'PX', 60_000);
  const notes: string[] = [];
  const taken = await RedisStudyLock.acquire(client, 'scalelab:locked', 'locked', (n) => notes.push(n));
  t.regex(notes[0] ?? '', /took over the lock of PID 4194305/);
  await taken.release();
  await client.set('scalelab:locked:scalelab:lock', JSON.stringify({ pid: 1, host: 'elsewhere', since: '2026-01-01T00:00:00.000Z', token: 'far' }), 'PX', 60_000);
  const far = await t.throwsAsync(RedisStudyLock.acquire(client, 'scalelab:locked', 'locked'));
  t.regex(far?.message ?? '', /in use by PID 1 on elsewhere/);
});

test.serial('URLs that cannot work: refused before connecting, or within 5 s naming the URL (refused port, silent server, not Redis)', async (t) => {
  for (const [url, message] of [
    ['http://127.0.0.1:6379', /only Redis is supported/],
    ['redis://127.0.0.1:notaport', /is not a URL/],
    ['redis://127.0.0.1:6379/x', /the database must be a number/],
    ['redis://user:secret@127.0.0.1:6379', /credentials in the URL are not supported/],
  ] as const) {
    t.throws(() => parseStorageUrl(url), { message }, url);
  }
  const refused = await freePort();
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  const http = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const listen = (srv: ReturnType<typeof createServer>): Promise<number> => new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    const a = srv.address();
    resolve(typeof a === 'object' && a !== null ? a.port : 0);
  }));
  const silentPort = await listen(silent);
  const httpPort = await listen(http);
  try {
    for (const port of [refused, silentPort, httpPort]) {
      const where = parseStorageUrl(`redis://127.0.0.1:${port}/0`);
      const t0 = performance.now();
      const error = await t.throwsAsync(connectRedis(where));
      const seconds = (performance.now() - t0) / 1000;
      t.true(error instanceof ScaleLabError);
      t.regex(error?.message ?? '', new RegExp(`^cannot use Redis at redis://127\\.0\\.0\\.1:${port}/0: `));
      t.true(seconds < 5, `port ${port}: ${seconds.toFixed(1)} s`);
    }
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    http.close();
  }
});
