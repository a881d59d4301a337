/**
 * `@scalelab/search/storage-check`: a `--storage` URL parsed and its Redis reached, loading nothing but ioredis —
 * so a wrong or unreachable URL is refused within the 5 s even on a loaded machine (the CLI calls this
 * before the config schemas, TF.js or the dataset load).
 */
export { parseStorageUrl } from './storage/storage-url.js';
export type { RedisLocation, StorageLocation } from './storage/storage-url.js';
export { probeRedis } from './storage/redis-connection.js';
