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
  | 'FILE_SYSTEM';

/** The error class of `@scalelab/search`; `code` is stable, the message names the bad input. */
export class SearchError extends ScaleLabError {
  declare readonly code: SearchErrorCode;
  constructor(code: SearchErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, code === 'FILE_SYSTEM' ? 'environment' : 'input', options);
  }
}
