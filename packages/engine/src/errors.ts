export type EngineErrorCode = 'BAD_MODEL_FILE' | 'BACKEND_UNAVAILABLE' | 'BAD_DATASET' | 'BAD_TRAINING_OPTION' | 'NON_FINITE_LOSS';

/** The one error class of `@scalelab/engine`; `code` is stable, the message names the bad input. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}
