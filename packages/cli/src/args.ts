/** Flag parsing on top of `node:util` parseArgs, with messages that name the bad flag and value. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/** `--phi -1` → `--phi=-1`: parseArgs would otherwise take a negative number for a flag. */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const option = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function parseFlags(argv: readonly string[], options: Options, verb: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e);
    throw new UsageError(`${message} (see 'scalelab ${verb} --help')`);
  }
}

export function stringFlag(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A finite number > 0 (or ≥ `min` when given), or undefined when the flag is absent. */
export function numberFlag(p: Parsed, name: string, rule: { positive?: boolean; integer?: boolean; min?: number } = {}): number | undefined {
  const raw = stringFlag(p, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const what = rule.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  if (rule.integer && !Number.isInteger(n)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  if (rule.positive && n <= 0) throw new UsageError(`--${name} must be positive, got '${raw}'`);
  if (rule.min !== undefined && n < rule.min) throw new UsageError(`--${name} must be at least ${rule.min}, got '${raw}'`);
  return n;
}

export function requiredNumber(p: Parsed, name: string, rule: { positive?: boolean; integer?: boolean; min?: number } = {}): number {
  const n = numberFlag(p, name, rule);
  if (n === undefined) throw new UsageError(`--${name} is required`);
  return n;
}

export function oneModel(p: Parsed, verb: string): string {
  const [model, ...extra] = p.positionals;
  if (model === undefined) throw new UsageError(`missing <model>: a zoo name or an arch file (see 'scalelab ${verb} --help')`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see 'scalelab ${verb} --help')`);
  return model;
}
