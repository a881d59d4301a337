/** Which output format a command was asked for; at most one of --json, --csv, --md. */
import type { Parsed } from './args.js';
import { UsageError } from './errors.js';

export type OutputFormat = 'text' | 'json' | 'csv' | 'md';

export const OUTPUT_FLAGS = {
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  md: { type: 'boolean' },
} as const;

export function outputFormat(p: Parsed): OutputFormat {
  const chosen = (['json', 'csv', 'md'] as const).filter((f) => p.values[f] === true);
  if (chosen.length > 1) throw new UsageError(`choose one output format, got ${chosen.map((f) => `--${f}`).join(' and ')}`);
  return chosen[0] ?? 'text';
}
