import { numberFlag, parseFlags, stringFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { cleanText } from '../terminal.js';
import { checkedStorage } from '../storage.js';

export const WORKER_HELP = `Usage: scalelab worker --storage redis://HOST:PORT[/DB] [--concurrency N] [--idle-exit SEC] [--lock-seconds SEC]

Train the trials of every study kept in that Redis ('scalelab search --storage …'), on this machine, in worker
threads (one TF.js each). Start as many as you like, on any machine that reaches the Redis; a worker that dies
mid-trial costs that trial (closed as FAIL, interrupted) and its grid point runs again elsewhere.

Options:
  --storage URL       the Redis holding the studies and the queue (required)
  --concurrency N     trials at once, one thread each (default 1); on a machine of N cores, one worker with
                      --concurrency N rather than N workers: its threads share one copy of the dataset
  --idle-exit SEC     stop after SEC seconds without a trial (default: run until Ctrl-C)
  --lock-seconds SEC  a dead worker's job is redelivered this long after its last renewal (default 30)
  -h, --help          this help

Ctrl-C (or SIGTERM) stops taking jobs and waits for the running trials; a second one exits at once.

Example:
  scalelab worker --storage redis://10.0.0.5:6379/0 --concurrency 2`;

const FLAGS = {
  storage: { type: 'string' },
  concurrency: { type: 'string' },
  'idle-exit': { type: 'string' },
  'lock-seconds': { type: 'string' },
} as const;

export async function workerCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, FLAGS, 'worker');
  if (p.values.help === true) return WORKER_HELP;
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${cleanText(p.positionals[0] ?? '')}' (worker takes flags only; see 'scalelab worker --help')`);
  const url = stringFlag(p, 'storage');
  if (url === undefined) throw new UsageError("missing --storage redis://HOST:PORT[/DB]: the Redis that holds the studies (see 'scalelab worker --help')");
  const location = await checkedStorage(url);
  const concurrency = numberFlag(p, 'concurrency', { integer: true, positive: true }) ?? 1;
  const idleExit = numberFlag(p, 'idle-exit', { positive: true }) ?? null;
  const lockSeconds = numberFlag(p, 'lock-seconds', { positive: true });
  if (lockSeconds !== undefined && (lockSeconds < 2 || lockSeconds > 3600)) throw new UsageError(`--lock-seconds must be 2 to 3600 (the lock is renewed every half of it; a dead worker's trial waits this long), got '${lockSeconds}'`);
  const search = await import('@scalelab/search');
  const cap = search.workerCap(concurrency, concurrency);
  const log = (line: string): void => void process.stderr.write(`${cleanText(line, 1000)}\n`);
  if (cap.note !== null) log(cap.note);
  let trials = 0;
  const worker = await search.startWorker({
    location,
    concurrency: cap.workers,
    idleExitSeconds: idleExit,
    ...(lockSeconds === undefined ? {} : { lockSeconds }),
    onEvent: (e) => {
      switch (e.type) {
        case 'ready':
          log(`worker ${process.pid}: ${e.concurrency} thread(s) on queue ${e.queue} at ${location.url}`);
          break;
        case 'trial-start':
          log(`${e.study} trial ${e.trialId} ${e.gridId} started (job ${e.jobId}, delivery ${e.delivery})`);
          break;
        case 'trial-end':
          trials++;
          log(`${e.study} trial ${e.trialId} ${e.gridId}: ${e.outcome}${e.value === null ? '' : ` ${e.value.toFixed(4)}`}${e.error === null ? '' : `: ${e.error}`} (${e.seconds.toFixed(1)} s)`);
          break;
        case 'skipped':
          log(`${e.study} ${e.gridId}: already settled, job ${e.jobId} skipped`);
          break;
        case 'error':
          log(`error: ${e.message}`);
          break;
        case 'idle-exit':
          log(`no trial for ${e.seconds} s: stopping`);
          break;
      }
    },
  });
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) process.exit(130);
    log('stopping: no new trials; waiting for the running ones (again to exit at once)');
    void worker.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await worker.done;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  return `worker ${process.pid}: ${trials} trial(s) run`;
}
