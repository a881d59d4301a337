/** `--storage` as the commands take it: parsed and reached before anything heavy loads. */

/** A `--storage` URL parsed and its Redis reached (see `@scalelab/search/storage-check`). */
export async function checkedStorage(url: string): Promise<import('@scalelab/search/storage-check').RedisLocation> {
  const check = await import('@scalelab/search/storage-check');
  const location = check.parseStorageUrl(url);
  await check.probeRedis(location);
  return location;
}
