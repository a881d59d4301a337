import { ScaleLabError } from '@scalelab/arch';

export type EngineErrorCode = 'BAD_MODEL_FILE' | 'BACKEND_UNAVAILABLE' | 'BAD_DATASET' | 'BAD_TRAINING_OPTION' | 'NON_FINITE_LOSS' | 'DOES_NOT_FIT' | 'LIMIT_EXCEEDED';

/** Failures of a run on good input (exit 1), not of the input itself. */
const RUN_FAILURES: ReadonlySet<EngineErrorCode> = new Set(['NON_FINITE_LOSS']);

/** The error class of `@scalelab/engine`; `code` is stable, the message names the bad input. */
export class EngineError extends ScaleLabError {
  declare readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(code, message, RUN_FAILURES.has(code) ? 'run' : 'input');
  }
}
