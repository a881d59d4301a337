import { ScaleLabError } from '@scalelab/arch';

export type AnalyzerErrorCode = 'BAD_MODEL' | 'UNSUPPORTED_FORMAT' | 'SHAPE_UNKNOWN' | 'LIMIT_EXCEEDED' | 'UNREACHABLE_TARGET' | 'BAD_TARGET';

/** The error class of `@scalelab/analyzer`; `code` is stable, the message names the bad input. */
export class AnalyzerError extends ScaleLabError {
  declare readonly code: AnalyzerErrorCode;
  constructor(code: AnalyzerErrorCode, message: string) {
    super(code, message);
  }
}
