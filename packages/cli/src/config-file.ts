/** A study config file (`--config F`): read bounded, parsed as JSON; one line naming the file when it is not. */
import { UsageError } from './errors.js';
import { cleanText } from './terminal.js';

export function readConfigFile(path: string, validation: typeof import('@scalelab/search/validation')): unknown {
  const text = validation.readBoundedText(path, 'config file');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`config file '${cleanText(path, 200)}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
