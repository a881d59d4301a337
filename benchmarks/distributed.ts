/**
 * Distributed search overhead, side by side on this machine:
 *  1. the same MNIST study (proxy-b0, 6 grid points, seed 0) run with the file journal and 2 local worker threads,
 *     and with Redis + 2 `scalelab worker` processes (the coordinator trains nothing, `--workers 0`) — wall time from
 *     launch to the coordinator's exit, the workers started at the same moment (their start-up is part of the cost);
 *     ratio = file / Redis (target ≥ 0.95). Twice: short trials (40 steps, ~5–13 s each; 4 rounds), where the Redis
 *     side's three process start-ups weigh most, and trials 5× longer (200 steps; 2 rounds); rounds alternate which
 *     side goes first;
 *  2. the queue + journal overhead per trial, measured without training: a trial's whole journal life in Redis
 *     (create, 3 intermediate values, the run's record, close — the ops a real trial writes) and a BullMQ job's
 *     round trip (add → a worker takes it → completed), each repeated 200 times; the file journal's same trial
 *     life beside it.
 * Writes results/benchmarks/distributed.json.
 *
 *   npm run bench:distributed
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { JournalFileStorage, OP, RedisJournalStorage, connectRedis, duplicateOps, finishOp, intermediateOp, openStudy, optunaDatetime, parseStorageUrl, readStudy, runOps, trialView } from '@scalelab/search';
import type { JournalStorage, TrialView } from '@scalelab/search';
import { startRedis } from '../test/redis-server.js';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-bench-distributed-'));
const STUDY = ['--baseline', 'proxy-b0', '--dataset', 'mnist', '--step', '0.2', '--tolerance', '0.15', '--seed', '0', '--out', OUT];
const LIFECYCLES = 200;

function run(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve(0) : reject(new Error(`${args.slice(0, 3).join(' ')} exited ${String(code)}`))));
  });
}

const values = (ts: readonly TrialView[]): string => JSON.stringify(Object.fromEntries(ts.filter((t) => t.state === 'COMPLETE').map((t) => [t.gridId, t.value]).sort()));

const redis = await startRedis();
try {
  // 1. Overhead per trial, without training.
  const location = parseStorageUrl(redis.url);
  const client = await connectRedis(location);
  const lifecycle = async (storage: JournalStorage, i: number): Promise<void> => {
    const unit = `p${i}#-`;
    const id = await storage.createTrial({ datetimeStart: optunaDatetime(new Date()), params: {}, userAttrs: { grid_id: `p${i}`, attempt: 0 } }, unit);
    for (let epoch = 1; epoch <= 3; epoch++) await storage.appendToTrial(id, [intermediateOp(id, epoch, 0.5)]);
    const run = { rung: 0, epochs: 3, steps: 40, value: 0.9, accuracy: 0.9, loss: 0.3, trainSeconds: 1, imagesPerSecond: 100, backend: 'wasm', latencyMs: null, curve: [] };
    await storage.appendToTrial(id, runOps(id, run, { record: true, curve: false }));
    await storage.closeTrial(id, { unit, failedAttempt: null, ops: [finishOp(id, 'COMPLETE', 0.9)], duplicateOps: duplicateOps(id, unit, 'x') });
  };
  const timeLifecycles = async (storage: JournalStorage): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < LIFECYCLES; i++) await lifecycle(storage, i);
    return (performance.now() - t0) / LIFECYCLES;
  };
  const redisStorage = new RedisJournalStorage(client, location, 'bench-journal');
  await redisStorage.createStudy([{ op_code: OP.CREATE_STUDY, study_name: 'bench-journal', directions: [2] }]);
  const redisJournalMs = await timeLifecycles(redisStorage);
  const fileStorage = JournalFileStorage.create(join(OUT, 'bench-journal.log'));
  await fileStorage.append([{ op_code: OP.CREATE_STUDY, study_name: 'bench-journal', directions: [2] }]);
  const fileJournalMs = await timeLifecycles(fileStorage);
  await fileStorage.close();

  const queue = new Queue('bench-roundtrip', { connection: client });
  // Connections of their own (a blocking read each); errors are surfaced by the awaited calls.
  const eventsConnection = client.duplicate();
  const workerConnection = client.duplicate();
  for (const c of [eventsConnection, workerConnection]) c.on('error', () => undefined);
  const events = new QueueEvents('bench-roundtrip', { connection: eventsConnection });
  await events.waitUntilReady();
  const worker = new Worker('bench-roundtrip', async () => 'done', { connection: workerConnection, concurrency: 1 });
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < LIFECYCLES; i++) {
    // Kept after completion: waitUntilFinished reads the finished job back.
    const job = await queue.add('x', { i }, { jobId: `job-${i}` });
    await job.waitUntilFinished(events);
  }
  const jobRoundTripMs = (performance.now() - t0) / LIFECYCLES;
  await worker.close();
  await events.close();
  await queue.close();
  eventsConnection.disconnect();
  workerConnection.disconnect();

  // 2. Wall time, rounds alternated: short trials (start-up weighs most) and trials 5× longer.
  const wallTime = async (label: string, steps: number, rounds: number): Promise<Record<string, unknown>> => {
    const study = [...STUDY, '--steps', String(steps)];
    const file: number[] = [];
    const distributed: number[] = [];
    const sameValues: boolean[] = [];
    const runFile = async (round: number): Promise<void> => {
      const t0 = performance.now();
      await run(['search', '--name', `${label}-file-${round}`, '--workers', '2', ...study]);
      file.push((performance.now() - t0) / 1000);
    };
    const runRedis = async (round: number): Promise<void> => {
      const t0 = performance.now();
      // Idle exit only well after the coordinator has enqueued (it loads MNIST and prices the grid first); the wall
      // time stops when the coordinator exits, not when the workers do.
      const workers = [0, 1].map(() => run(['worker', '--storage', redis.url, '--idle-exit', '60']));
      await run(['search', '--name', `${label}-redis-${round}`, '--storage', redis.url, '--workers', '0', ...study]);
      distributed.push((performance.now() - t0) / 1000);
      await Promise.all(workers);
    };
    for (let round = 0; round < rounds; round++) {
      // Rounds alternate which goes first (file, Redis, then Redis, file, …), so a drift of the machine's speed does
      // not always favour one side.
      if (round % 2 === 0) {
        await runFile(round);
        await runRedis(round);
      } else {
        await runRedis(round);
        await runFile(round);
      }
      const a = readStudy(join(OUT, `${label}-file-${round}`)).record.trials.map(trialView);
      const b = (await openStudy(join(OUT, `${label}-redis-${round}`))).record.trials.map(trialView);
      sameValues.push(values(a) === values(b));
    }
    const mean = (xs: readonly number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
    const trials = readStudy(join(OUT, `${label}-file-0`)).record.trials.length;
    const ratio = mean(file) / mean(distributed);
    return {
      study: `proxy-b0 on mnist, ${trials} grid points (step 0.2, |α·β²·γ² − 2| ≤ 0.15), ${steps} steps of 128 per trial; ${rounds} rounds, which side goes first alternating`,
      fileJournal2ThreadsSeconds: file,
      redis2WorkerProcessesSeconds: distributed,
      ratio,
      target: 0.95,
      met: ratio >= 0.95,
      sameTrialValues: sameValues.every(Boolean),
      // Mostly start-up: the Redis side starts three Node processes (coordinator and two workers, each importing
      // the packages and loading the dataset) where the file side starts one.
      extraSeconds: mean(distributed) - mean(file),
    };
  };
  const short = await wallTime('short', 40, 4);
  const long = await wallTime('long', 200, 2);
  client.disconnect();

  const result = {
    benchmark: 'distributed',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, redis: 'Debian redis-server, AOF on, appendfsync always, loopback' },
    wallTime: { short, long },
    overheadPerTrial: {
      what: `${LIFECYCLES} trial journal lives (create, 3 intermediate values, run record, close) and ${LIFECYCLES} BullMQ job round trips (add → taken → completed), no training`,
      redisJournalMs,
      bullmqJobRoundTripMs: jobRoundTripMs,
      queueAndJournalMs: redisJournalMs + jobRoundTripMs,
      fileJournalMs,
    },
  };
  const dir = join(process.cwd(), 'results/benchmarks');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'distributed.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await redis.stop();
}
