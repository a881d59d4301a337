export type SearchErrorCode =
  | 'BAD_CONFIG'
  | 'BAD_SPACE'
  | 'NO_FEASIBLE_POINT'
  | 'BAD_OBJECTIVE'
  | 'STUDY_EXISTS'
  | 'NO_STUDY'
  | 'BAD_JOURNAL';

/** The one error class of `@scalelab/search`; `code` is stable, the message names the bad input. */
export class SearchError extends Error {
  readonly code: SearchErrorCode;
  constructor(code: SearchErrorCode, message: string) {
    super(message);
    this.name = 'SearchError';
    this.code = code;
  }
}
