/**
 * Where a study's journal lives, as the user names it: the file journal in the study's folder (the default, no
 * flag), or `--storage redis://HOST:PORT[/DB]` — one Redis server shared by a coordinator and `scalelab worker`s on
 * any machine. Parsed in one place, so a bad URL is one message naming it, before anything connects.
 */
import { SearchError } from '../errors.js';

export interface RedisLocation {
  readonly kind: 'redis';
  readonly host: string;
  readonly port: number;
  readonly db: number;
  /** The URL as ScaleLab writes it (`redis://127.0.0.1:6379/0`): what config.json records. */
  readonly url: string;
}

export type StorageLocation = { readonly kind: 'file' } | RedisLocation;

export const FILE_STORAGE: StorageLocation = { kind: 'file' };

const DEFAULT_REDIS_PORT = 6379;
/** Redis' default `databases` setting is 16 (0–15); servers may have more, so the cap is generous. */
const MAX_DB = 1_000_000;
const USAGE = 'expected redis://HOST:PORT[/DB] (e.g. redis://127.0.0.1:6379/0)';

/**
 * `redis://HOST[:PORT][/DB]`. Passwords and TLS are not taken: a URL with credentials would be written into
 * config.json and printed in messages (put Redis on a private network, or use an SSH tunnel).
 */
export function parseStorageUrl(text: string): RedisLocation {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SearchError('BAD_STORAGE', `--storage '${shown}' is not a URL: ${USAGE}`);
  }
  if (url.protocol !== 'redis:') throw new SearchError('BAD_STORAGE', `--storage '${shown}': only Redis is supported (${USAGE}); the file journal is the default and needs no --storage`);
  if (url.username !== '' || url.password !== '') throw new SearchError('BAD_STORAGE', `--storage '${shown}': credentials in the URL are not supported (they would be written to config.json); ${USAGE}`);
  if (url.search !== '' || url.hash !== '') throw new SearchError('BAD_STORAGE', `--storage '${shown}': no query or fragment allowed; ${USAGE}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new SearchError('BAD_STORAGE', `--storage '${shown}' names no host; ${USAGE}`);
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  const path = url.pathname === '' || url.pathname === '/' ? '0' : url.pathname.slice(1);
  if (!/^\d{1,7}$/.test(path) || Number(path) > MAX_DB) throw new SearchError('BAD_STORAGE', `--storage '${shown}': the database must be a number (/0, /1, …), got '/${path}'`);
  const db = Number(path);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { kind: 'redis', host, port, db, url: `redis://${hostPart}:${port}/${db}` };
}

/** For messages and config.json: `file` or the Redis URL. */
export function describeStorage(location: StorageLocation): string {
  return location.kind === 'file' ? 'file' : location.url;
}
