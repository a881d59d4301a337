import { ScaleLabError } from '@scalelab/arch';

export type ReportErrorCode = 'NO_BROWSER' | 'RENDER_FAILED' | 'BAD_OUTPUT';

/** The error class of `@scalelab/report`; `code` is stable, the message names what to fix. */
export class ReportError extends ScaleLabError {
  declare readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string) {
    super(code, message, code === 'BAD_OUTPUT' ? 'input' : 'environment');
  }
}
