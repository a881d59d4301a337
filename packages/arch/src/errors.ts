/**
 * ScaleLab's errors. Every package's error class extends `ScaleLabError`, so a caller (the CLI, a notebook, a
 * program) tells "the input was bad" from "ScaleLab has a bug" by `instanceof`, never by a class name, and reads a
 * stable `code` rather than the message.
 */

/**
 * What kind of failure an error is: `input` (bad input: a flag, a file, a journal — exit 2), `run` (a run failed on
 * good input, e.g. training diverged — exit 1), `environment` (the machine refused: a full disk, a missing browser —
 * exit 2, the message names what to fix).
 */
export type ErrorKind = 'input' | 'run' | 'environment';

/** The base of every ScaleLab error: a stable `code`, a message naming the bad value and what was expected. */
export class ScaleLabError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(code: string, message: string, kind: ErrorKind = 'input', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }
}

/** Stable codes for everything a user can get wrong about an architecture. */
export type ArchErrorCode =
  | 'UNKNOWN_MODEL'
  | 'BAD_ARCH_STRING'
  | 'BAD_ARCH_FILE'
  | 'BAD_MULTIPLIER'
  | 'BAD_COEFFICIENT'
  | 'BAD_RESOLUTION'
  | 'BAD_SPEC'
  | 'BAD_STRATEGY'
  | 'LIMIT_EXCEEDED';

/** The error class of `@scalelab/arch`; `code` is stable, the message names the bad value. */
export class ArchError extends ScaleLabError {
  declare readonly code: ArchErrorCode;
  constructor(code: ArchErrorCode, message: string) {
    super(code, message);
  }
}
