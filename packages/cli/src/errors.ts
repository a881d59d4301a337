import { ScaleLabError } from '@scalelab/arch';

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends ScaleLabError {
  constructor(message: string) {
    super('USAGE', message);
  }
}
