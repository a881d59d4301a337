/** Stable codes for everything a user can get wrong about an architecture. */
export type ArchErrorCode =
  | 'UNKNOWN_MODEL'
  | 'BAD_ARCH_STRING'
  | 'BAD_ARCH_FILE'
  | 'BAD_MULTIPLIER'
  | 'BAD_COEFFICIENT'
  | 'BAD_RESOLUTION'
  | 'BAD_SPEC';

/** The one error class of `@scalelab/arch`; `code` is stable, the message names the bad value. */
export class ArchError extends Error {
  readonly code: ArchErrorCode;
  constructor(code: ArchErrorCode, message: string) {
    super(message);
    this.name = 'ArchError';
    this.code = code;
  }
}
