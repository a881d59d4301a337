/**
 * A study: `<out>/<name>/` holds `config.json` (the resolved config, for people, and where the journal lives),
 * the journal — `journal.log` (the embedded default) or, with `--storage redis://…`, a Redis log in Optuna's
 * JournalRedisStorage layout — `study.lock` while a writer has a file journal, and, after the grid, `summary.json`.
 * `Study` creates, resumes and summarizes one, whichever the storage; the CLI only parses flags and prints.
 *
 * What is promised: everything is validated and priced before the first byte is written; an existing study is
 * never overwritten; one coordinator at a time (the file lock, or its counterpart in Redis); a journal is only ever
 * appended to (see journal-file.ts for the one exception, a torn last line); a journal that does not check out is
 * an error and is left as it is.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import { runDistributedStudy } from './distributed-runner.js';
import { COMPARE_FILE, comparisonResult } from './comparison-result.js';
import { SearchError } from './errors.js';
import { readBoundedText, writeFileAtomic } from './files.js';
import { workerCap } from './executors/local-threads.js';
import { runStudy } from './runner.js';
import type { RunOptions } from './runner.js';
import { readJournalFile, JournalFileStorage } from './storage/journal-file.js';
import { DIRECTION, OP } from './storage/journal-ops.js';
import type { JsonValue, OpFields } from './storage/journal-ops.js';
import { RedisJournalStorage } from './storage/journal-redis.js';
import { replayStudy } from './storage/replay.js';
import type { StudyRecord } from './storage/replay.js';
import { connectRedis, redisSafetyNotes } from './storage/redis-connection.js';
import { RedisStudyLock } from './storage/redis-lock.js';
import { FILE_STORAGE, describeStorage, parseStorageUrl } from './storage/storage-url.js';
import type { RedisLocation, StorageLocation } from './storage/storage-url.js';
import { StudyLock } from './storage/study-lock.js';
import { checkTrialsAgainstGrid, datasetInfo, openedFrom, planStudy } from './study-plan.js';
import type { OpenedStudy, StudyPlan } from './study-plan.js';
import { summarizeStudy } from './summary.js';
import type { StudySummary } from './summary.js';
import { ledgerOf, studyAttrOps } from './trials.js';

export { checkTrialsAgainstGrid, datasetInfo, planStudy, precheckStudy, studyDir } from './study-plan.js';
export type { DatasetInfo, OpenedStudy, StudyPlan } from './study-plan.js';

export const JOURNAL_FILE = 'journal.log';
export const CONFIG_FILE = 'config.json';
export const SUMMARY_FILE = 'summary.json';

/** What config.json says about where the study lives (ScaleLab wrote it; still checked: it names a host to connect to). */
const storedSchema = z.object({ name: z.string().optional(), storage: z.string().optional() });

/** Where the study in `dir` keeps its journal: config.json's `storage` (absent: the file journal). */
export function storedLocation(dir: string): { location: StorageLocation; name: string } {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return { location: FILE_STORAGE, name: basename(dir) };
  let value: unknown;
  try {
    value = JSON.parse(readBoundedText(path, 'study config'));
  } catch (e) {
    if (e instanceof SearchError) throw e;
    throw new SearchError('BAD_CONFIG', `${path} is not valid JSON`);
  }
  const parsed = storedSchema.safeParse(value);
  if (!parsed.success) throw new SearchError('BAD_CONFIG', `${path}: 'name' and 'storage' must be strings`);
  const name = parsed.data.name ?? basename(dir);
  return { location: parsed.data.storage === undefined || parsed.data.storage === 'file' ? FILE_STORAGE : parseStorageUrl(parsed.data.storage), name };
}

/** Read a file-journal study (for reports and summaries): no lock, never writes. A Redis study: `openStudy`. */
export function readStudy(dir: string): OpenedStudy {
  if (!existsSync(dir)) throw new SearchError('NO_STUDY', `no study at ${dir}`);
  const { location } = storedLocation(dir);
  if (location.kind === 'redis') throw new SearchError('BAD_STORAGE', `study ${dir} lives in Redis (${location.url}): read it with openStudy`);
  const path = join(dir, JOURNAL_FILE);
  return openedFrom(dir, readJournalFile(path), path);
}

/** Read a study wherever its journal lives (`storage` overrides what config.json says): no lock, never writes. */
export async function openStudy(dir: string, options: { readonly storage?: StorageLocation } = {}): Promise<OpenedStudy> {
  const stored = existsSync(dir) ? storedLocation(dir) : { location: FILE_STORAGE, name: basename(dir) };
  const location = options.storage ?? stored.location;
  if (location.kind === 'file') return readStudy(dir);
  const connection = await connectRedis(location);
  try {
    const storage = new RedisJournalStorage(connection, location, stored.name);
    return openedFrom(dir, await storage.read(), storage.location);
  } finally {
    connection.disconnect();
  }
}

export interface StudyOptions {
  /** Notes for the user (a stale lock taken over, a journal repaired, a risky Redis setting). */
  readonly onNote?: (message: string) => void;
  /**
   * Where the journal lives. Create: the file journal unless a Redis location is given. Resume: what config.json
   * recorded, unless given (a study resumed on a machine that lacks its folder).
   */
  readonly storage?: StorageLocation;
}

export interface StudyRunOptions extends RunOptions {
  /** Redis studies: worker threads this process trains with (default: the config's workers; 0: none). */
  readonly localWorkers?: number;
  /** Redis studies: the embedded worker's lock (see WorkerOptions.lockSeconds). */
  readonly lockSeconds?: number;
}

/** Remove what a failed `create` made, newest first; never anything that was there before. */
function undoCreate(made: readonly string[]): void {
  for (const path of [...made].reverse()) {
    try {
      if (path.endsWith('/')) {
        if (readdirSync(path).length === 0) rmdirSync(path);
      } else {
        unlinkSync(path);
      }
    } catch {
      // best effort: the original error is the one to report
    }
  }
}

/** How a study is held: its journal, its coordinator lock and, for Redis, the connection and location. */
type Backend =
  | { readonly kind: 'file'; readonly storage: JournalFileStorage; readonly lock: StudyLock }
  | { readonly kind: 'redis'; readonly storage: RedisJournalStorage; readonly lock: RedisStudyLock; readonly connection: Redis; readonly location: RedisLocation };

/** The ops that create a study: CREATE_STUDY and the study's attributes (config, baseline, dataset). */
function studyCreationOps(plan: StudyPlan): OpFields[] {
  return [
    { op_code: OP.CREATE_STUDY, study_name: plan.config.name, directions: [plan.config.objective.direction === 'maximize' ? DIRECTION.MAXIMIZE : DIRECTION.MINIMIZE] },
    ...studyAttrOps({
      description: plan.config.description,
      baseline: plan.config.baseline,
      dataset: plan.config.dataset,
      objective: plan.config.objective.expression,
      scalelab_config: plan.config as unknown as JsonValue,
      baseline_spec: plan.baselineSpec as unknown as JsonValue,
      dataset_info: plan.dataset as unknown as JsonValue,
      grid_size: plan.points.length,
    }),
  ];
}

function configText(plan: StudyPlan, location: StorageLocation): string {
  return `${JSON.stringify({ ...plan.config, baselineSpec: plan.baselineSpec, datasetInfo: plan.dataset, ...(location.kind === 'redis' ? { storage: describeStorage(location) } : {}) }, null, 2)}\n`;
}

function refuseExisting(plan: StudyPlan): void {
  if (existsSync(join(plan.dir, JOURNAL_FILE)) || existsSync(join(plan.dir, CONFIG_FILE))) {
    throw new SearchError('STUDY_EXISTS', `study '${plan.config.name}' already exists in ${plan.dir} (continue it with --resume ${plan.dir}, or choose another --name)`);
  }
}

/**
 * A study and its journal, held by one writer: `create` (never overwrites) or `resume`, then `run`, `summarize` and
 * `close`. File journal by default, Redis with a `storage` option. Readers use `readStudy` / `openStudy`, lock-free.
 */
export class Study {
  private constructor(
    readonly plan: StudyPlan,
    private readonly backend: Backend,
    /** The journal as it stood when the study was opened (null for a new study). */
    readonly previous: StudyRecord | null,
  ) {}

  get dir(): string {
    return this.plan.dir;
  }

  /** Where the journal lives. */
  get storage(): StorageLocation {
    return this.backend.kind === 'file' ? FILE_STORAGE : this.backend.location;
  }

  /** For messages: the journal's path, or its Redis URL and key prefix. */
  get journal(): string {
    return this.backend.storage.location;
  }

  /** Create `<dir>/` with its config and a journal holding the study; refuses an existing study. */
  static async create(plan: StudyPlan, options: StudyOptions = {}): Promise<Study> {
    if (options.storage?.kind === 'redis') return Study.createInRedis(plan, options.storage, options);
    const made: string[] = [];
    if (!existsSync(plan.dir)) made.push(`${plan.dir}/`);
    mkdirSync(plan.dir, { recursive: true });
    let lock: StudyLock;
    try {
      lock = await StudyLock.acquire(plan.dir, plan.config.name, options.onNote);
    } catch (e) {
      undoCreate(made);
      throw e;
    }
    const journal = join(plan.dir, JOURNAL_FILE);
    const configPath = join(plan.dir, CONFIG_FILE);
    try {
      refuseExisting(plan);
    } catch (e) {
      lock.release();
      throw e;
    }
    let storage: JournalFileStorage | null = null;
    try {
      writeFileAtomic(configPath, configText(plan, FILE_STORAGE));
      made.push(configPath);
      storage = JournalFileStorage.create(journal);
      made.push(journal);
      await storage.append(studyCreationOps(plan));
    } catch (e) {
      await storage?.close();
      undoCreate(made);
      lock.release();
      throw e;
    }
    return new Study(plan, { kind: 'file', storage, lock }, null);
  }

  /**
   * A new study in Redis: the log is created atomically and only if none exists under the study's prefix; the
   * local folder gets config.json (which records the Redis URL, so `report` and `--resume` find the journal).
   */
  private static async createInRedis(plan: StudyPlan, location: RedisLocation, options: StudyOptions): Promise<Study> {
    if (plan.config.budget.halving !== null) {
      throw new SearchError('BAD_CONFIG', 'successive halving runs with the file journal only: each rung needs every candidate\'s result before the next starts, which the Redis queue does not distribute (drop --halving or --storage)');
    }
    const connection = await connectRedis(location);
    const made: string[] = [];
    let lock: RedisStudyLock | null = null;
    try {
      for (const note of await redisSafetyNotes(connection, location)) options.onNote?.(note);
      if (!existsSync(plan.dir)) made.push(`${plan.dir}/`);
      mkdirSync(plan.dir, { recursive: true });
      refuseExisting(plan);
      const storage = new RedisJournalStorage(connection, location, plan.config.name);
      lock = await RedisStudyLock.acquire(connection, storage.prefix, plan.config.name, options.onNote);
      const exists = new SearchError('STUDY_EXISTS', `study '${plan.config.name}' already exists in ${location.url} (${storage.prefix}:log_number); continue it with --resume ${plan.dir} --storage ${location.url}, or choose another --name`);
      if (await storage.exists()) throw exists;
      const configPath = join(plan.dir, CONFIG_FILE);
      writeFileAtomic(configPath, configText(plan, location));
      made.push(configPath);
      if (!(await storage.createStudy(studyCreationOps(plan)))) throw exists;
      return new Study(plan, { kind: 'redis', storage, lock, connection, location }, null);
    } catch (e) {
      undoCreate(made);
      await lock?.release();
      connection.disconnect();
      throw e;
    }
  }

  /**
   * Continue the study in `dir`: take its lock, check the journal, config, baseline and dataset, and only then
   * repair the journal's end by append (or cut a torn line, saved aside). Only `workers` may change.
   */
  static async resume(dir: string, options: StudyOptions & { readonly workers?: number } = {}): Promise<Study> {
    const stored = existsSync(dir) ? storedLocation(dir) : null;
    const location = options.storage ?? stored?.location ?? null;
    if (location === null) throw new SearchError('NO_STUDY', `no study at ${dir}`);
    if (location.kind === 'redis') return Study.resumeInRedis(dir, stored?.name ?? basename(dir), location, options);
    const lock = await StudyLock.acquire(dir, basename(dir), options.onNote);
    try {
      const path = join(dir, JOURNAL_FILE);
      const lines = readJournalFile(path);
      const opened = openedFrom(dir, lines, path);
      const plan = Study.replan(opened, options.workers);
      checkTrialsAgainstGrid(opened.record, plan, path);
      const storage = JournalFileStorage.openForAppend(path, lines, options.onNote, ledgerOf(opened.record));
      return new Study(plan, { kind: 'file', storage, lock }, opened.record);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private static replan(opened: OpenedStudy, workers: number | undefined): StudyPlan {
    const config = { ...opened.config, workers: workers ?? opened.config.workers };
    // The data must still be there (a folder dataset may have moved): fail now, not once per trial.
    datasetInfo(config, opened.baselineSpec);
    return planStudy(config, opened.baselineSpec, opened.dataset, opened.dir);
  }

  private static async resumeInRedis(dir: string, name: string, location: RedisLocation, options: StudyOptions & { readonly workers?: number }): Promise<Study> {
    const connection = await connectRedis(location);
    let lock: RedisStudyLock | null = null;
    try {
      const storage = new RedisJournalStorage(connection, location, name);
      lock = await RedisStudyLock.acquire(connection, storage.prefix, name, options.onNote);
      const opened = openedFrom(dir, await storage.read(), storage.location);
      const plan = Study.replan(opened, options.workers);
      checkTrialsAgainstGrid(opened.record, plan, storage.location);
      // Resumed on a machine without the study's folder: it gets one, recording where the journal is.
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, CONFIG_FILE))) writeFileAtomic(join(dir, CONFIG_FILE), configText(plan, location));
      return new Study(plan, { kind: 'redis', storage, lock, connection, location }, opened.record);
    } catch (e) {
      await lock?.release();
      connection.disconnect();
      throw e;
    }
  }

  /** Train every unit not finished yet: local threads (runner.ts) or, in Redis, the queue (distributed-runner.ts). */
  async run(options: StudyRunOptions = {}): Promise<void> {
    const b = this.backend;
    if (b.kind === 'file') {
      await runStudy(this.plan, b.storage, this.previous, options);
      return;
    }
    if (options.saveModelsIn !== undefined) throw new SearchError('BAD_STORAGE', 'trained models are kept for studies in a journal file only: a study in Redis is trained on other machines (drop --save-best or --storage)');
    const wanted = options.localWorkers ?? this.plan.config.workers;
    const cap = wanted === 0 ? { workers: 0, note: null } : workerCap(wanted, this.plan.points.length * this.plan.config.seeds);
    if (cap.note !== null) options.onEvent?.({ type: 'note', message: cap.note });
    await runDistributedStudy(this.plan, b.storage, b.location, {
      localWorkers: cap.workers,
      lockLost: b.lock.lost,
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...(options.lockSeconds === undefined ? {} : { lockSeconds: options.lockSeconds }),
    });
  }

  /** The summary of the journal as it stands, written to `summary.json`. */
  async summarize(): Promise<StudySummary> {
    const record = replayStudy((await this.backend.storage.read()).ops, this.backend.storage.location);
    const summary = summarizeStudy(record, this.plan.config, this.plan.points.length, this.plan.fittedBaseline, this.plan.baselineSpec);
    writeFileAtomic(join(this.dir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    if (this.plan.comparison !== null) writeFileAtomic(join(this.dir, COMPARE_FILE), `${JSON.stringify(comparisonResult(this.plan.comparison, summary), null, 2)}\n`);
    return summary;
  }

  /** Close the journal and let go of the study's lock (always call it, e.g. in `finally`). */
  async close(): Promise<void> {
    const b = this.backend;
    try {
      await b.storage.close();
    } finally {
      if (b.kind === 'file') {
        b.lock.release();
      } else {
        await b.lock.release();
        b.connection.disconnect();
      }
    }
  }
}
