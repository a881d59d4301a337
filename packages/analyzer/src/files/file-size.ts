import { statSync } from 'node:fs';
import { limitExceeded } from '@scalelab/arch';
import type { LimitName } from '@scalelab/arch';
import { AnalyzerError } from '../errors.js';

/** A file no larger than ScaleLab's limit for its kind, checked before it is read; LIMIT_EXCEEDED names it. */
export function checkFileSize(path: string, limit: LimitName = 'fileBytes'): void {
  const message = limitExceeded(limit, statSync(path).size, `'${path}' (bytes)`);
  if (message !== null) throw new AnalyzerError('LIMIT_EXCEEDED', message);
}
