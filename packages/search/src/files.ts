/** Writing study files whole or not at all, and reading bounded text files. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { LIMITS } from '@scalelab/arch';
import { SearchError } from './errors.js';

/**
 * Write a file whole or not at all: a temp file beside it, flushed, renamed over the target. On any failure the
 * temp file is removed and the target left as it was; a folder at the target is refused before anything is written.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  try {
    if (statSync(path).isDirectory()) throw new SearchError('FILE_SYSTEM', `cannot write ${path}: it is a folder`);
  } catch (e) {
    if (e instanceof SearchError || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tmp = `${path}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    const fd = openSync(tmp, 'wx');
    try {
      // Every byte, or an error: a short write (a disk filling up) must not be renamed over the file as if whole.
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw e;
  }
}

/** A text file no larger than ScaleLab's file limit (a config, an arch file); `what` names it in messages. */
export function readBoundedText(path: string, what: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new SearchError('BAD_CONFIG', `${what} '${path}' is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof SearchError) throw e;
    throw new SearchError('BAD_CONFIG', `cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > LIMITS.fileBytes.max) throw new SearchError('LIMIT_EXCEEDED', `${what} '${path}' holds ${size} bytes, over ScaleLab's limit of ${LIMITS.fileBytes.max} ${LIMITS.fileBytes.what}`);
  return readFileSync(path, 'utf8');
}
