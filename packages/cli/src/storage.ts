/** `--storage` and `--workers` as the study commands take them: parsed and reached before anything heavy loads. */
import { numberFlag, stringFlag } from './args.js';
import type { Parsed } from './args.js';
import { UsageError } from './errors.js';

/** A `--storage` URL parsed and its Redis reached (see `@scalelab/search/storage-check`). */
export async function checkedStorage(url: string): Promise<import('@scalelab/search/storage-check').RedisLocation> {
  const check = await import('@scalelab/search/storage-check');
  const location = check.parseStorageUrl(url);
  await check.probeRedis(location);
  return location;
}

/** The command's `--storage`, parsed and its Redis reached; undefined without the flag (the file journal). */
export async function storageFlag(p: Parsed): Promise<import('@scalelab/search/storage-check').RedisLocation | undefined> {
  const url = stringFlag(p, 'storage');
  return url === undefined ? undefined : checkedStorage(url);
}

/** --workers, where 0 (train nothing here) is allowed only for a study in Redis, which `scalelab worker`s train. */
export function localWorkersFlag(p: Parsed): number | undefined {
  const n = numberFlag(p, 'workers', { integer: true, min: 0 });
  // A resumed study may be in Redis without --storage (config.json says where): checked once it is opened.
  if (n === 0 && p.values.storage === undefined && p.values.resume === undefined) throw new UsageError("--workers 0 trains nowhere: it needs --storage redis://… and 'scalelab worker' processes");
  return n;
}
