export type EngineErrorCode = 'BAD_MODEL_FILE';

/** The one error class of `@scalelab/engine`; `code` is stable, the message names the bad input. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}
