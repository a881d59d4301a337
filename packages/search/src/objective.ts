/**
 * The study's objective: `accuracy` by default, or a mathjs expression over a trial's metrics, such as the
 * MnasNet/EfficientNet reward `accuracy * (macs / 400e6) ^ -0.07`.
 */
import { compile, parse } from 'mathjs';
import type { MathNode } from 'mathjs';
import { SearchError } from './errors.js';

export const OBJECTIVE_VARIABLES = ['accuracy', 'loss', 'macs', 'params', 'activations', 'latency'] as const;
export type ObjectiveVariable = (typeof OBJECTIVE_VARIABLES)[number];
export type ObjectiveScope = Readonly<Record<ObjectiveVariable, number>>;
export type Direction = 'maximize' | 'minimize';

export interface Objective {
  readonly expression: string;
  readonly direction: Direction;
  /** The variables the expression reads (`latency` is measured only when it is one of them). */
  readonly variables: readonly ObjectiveVariable[];
  /** The objective's value; NaN when the expression does not give a finite real number. */
  evaluate(scope: ObjectiveScope): number;
}

function parseExpression(expression: string): MathNode {
  try {
    return parse(expression);
  } catch (e) {
    throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function compileObjective(expression: string, direction: Direction = 'maximize'): Objective {
  if (expression.trim() === '') throw new SearchError('BAD_OBJECTIVE', 'objective is empty (default: accuracy)');
  const tree = parseExpression(expression);
  const variables = new Set<string>();
  tree.traverse((node, path) => {
    // A symbol in a call's `fn` slot names a function (max, log), not a variable.
    if ((node as { isSymbolNode?: boolean }).isSymbolNode === true && path !== 'fn') variables.add((node as unknown as { name: string }).name);
  });
  const unknown = [...variables].filter((v) => !(OBJECTIVE_VARIABLES as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' uses unknown variable(s) ${unknown.join(', ')} (known: ${OBJECTIVE_VARIABLES.join(', ')})`);
  }
  const code = compile(expression);
  const evaluate = (scope: ObjectiveScope): number => {
    try {
      const value: unknown = code.evaluate({ ...scope });
      return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  // A trial-like scope must give a number (NaN or complex for some trials is allowed: those trials FAIL), or the
  // expression is not an objective at all (a matrix, a string, a boolean).
  let probe: unknown;
  try {
    probe = code.evaluate({ accuracy: 0.9, loss: 0.3, macs: 4e8, params: 5e6, activations: 7e6, latency: 10 });
  } catch (e) {
    throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' fails on a typical trial: ${e instanceof Error ? e.message : String(e)}`);
  }
  const isComplex = typeof probe === 'object' && probe !== null && (probe as { isComplex?: boolean }).isComplex === true;
  if (typeof probe !== 'number' && !isComplex) throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' does not give a number (it gives ${typeof probe === 'object' ? 'a matrix or object' : typeof probe})`);
  return { expression, direction, variables: OBJECTIVE_VARIABLES.filter((v) => variables.has(v)), evaluate };
}

/** True when `a` is a better objective value than `b` under the direction (NaN is never better). */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return direction === 'maximize' ? a > b : a < b;
}
