/**
 * How a thrown value reaches the user: a ScaleLab error (by `instanceof`, never by class name) or a file-system
 * error is one line and an exit code; anything else is a bug (null: the caller prints the stack).
 */
import { ScaleLabError } from '@scalelab/arch';
import { cleanText } from './terminal.js';

export interface Failure {
  readonly message: string;
  /** 2: the input or the machine must change; 1: the run failed on good input (training diverged). */
  readonly exitCode: 1 | 2;
}

/** Node's file-system failures a user can act on (a path that is a file, a read-only folder, a full disk). */
const FILE_SYSTEM_CODES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
};

function fileSystemError(e: unknown): (Error & { code: string; path?: string; syscall?: string }) | null {
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code in FILE_SYSTEM_CODES ? (e as Error & { code: string }) : null;
}

export function describeFailure(e: unknown): Failure | null {
  if (e instanceof ScaleLabError) return { message: cleanText(e.message, 2000), exitCode: e.kind === 'run' ? 1 : 2 };
  const fs = fileSystemError(e);
  if (fs !== null) {
    const where = fs.path === undefined ? '' : ` '${cleanText(fs.path, 300)}'`;
    return { message: `cannot ${fs.syscall ?? 'access'}${where}: ${FILE_SYSTEM_CODES[fs.code] ?? fs.code} (${fs.code})`, exitCode: 2 };
  }
  return null;
}
