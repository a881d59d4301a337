import { ScaleLabError } from '@scalelab/arch';

export type SearchErrorCode =
  | 'BAD_CONFIG'
  | 'BAD_SPACE'
  | 'NO_FEASIBLE_POINT'
  | 'BAD_OBJECTIVE'
  | 'STUDY_EXISTS'
  | 'STUDY_LOCKED'
  | 'NO_STUDY'
  | 'BAD_JOURNAL'
  | 'LIMIT_EXCEEDED'
  | 'FILE_SYSTEM'
  /** A `--storage` value that is not a Redis URL ScaleLab can use. */
  | 'BAD_STORAGE'
  /** The storage named could not be reached (connection refused, timed out, not Redis). */
  | 'STORAGE_UNREACHABLE';

/** The error class of `@scalelab/search`; `code` is stable, the message names the bad input. */
export class SearchError extends ScaleLabError {
  declare readonly code: SearchErrorCode;
  constructor(code: SearchErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, code === 'FILE_SYSTEM' || code === 'STORAGE_UNREACHABLE' ? 'environment' : 'input', options);
  }
}
