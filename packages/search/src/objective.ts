/**
 * The study's objective: `accuracy` by default, or a mathjs expression over a trial's metrics, such as the
 * MnasNet/EfficientNet reward `accuracy * (macs / 400e6) ^ -0.07`.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { SearchError } from './errors.js';
import { checkObjectiveSize } from './validation.js';

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

/**
 * What an objective may use. A whitelist rather than mathjs' own blocklist: no function that parses or evaluates
 * text (`evaluate`, `parse`, `compile`), creates units or imports, builds matrices of a chosen size (`ones(30000,
 * 30000)`), or reads properties — so compiling and probing an objective can neither run code nor allocate.
 */
export const OBJECTIVE_FUNCTIONS = ['abs', 'sqrt', 'cbrt', 'exp', 'log', 'log10', 'log2', 'log1p', 'pow', 'min', 'max', 'floor', 'ceil', 'round', 'sign', 'tanh'] as const;
const FUNCTIONS: ReadonlySet<string> = new Set(OBJECTIVE_FUNCTIONS);
const CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e']);
const OPERATORS: ReadonlySet<string> = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus', 'mod']);

type MathJs = typeof import('mathjs');
let loaded: MathJs | null = null;
/**
 * mathjs builds all of its functions when it is loaded (~1 s, half of a CLI start): it is loaded on the first
 * objective that is more than a variable's name, so a study on the default `accuracy`, and each of its workers,
 * starts without it.
 */
function mathjs(): MathJs {
  loaded ??= createRequire(import.meta.url)('mathjs') as MathJs;
  return loaded;
}

function bad(expression: string, why: string): never {
  throw new SearchError('BAD_OBJECTIVE', `objective '${expression.length > 80 ? `${expression.slice(0, 79)}…` : expression}' ${why}`);
}

/** Every node must be on the whitelist; returns the variables read. */
function checkTree(expression: string, tree: MathNode): Set<string> {
  const variables = new Set<string>();
  tree.traverse((node, path, parent) => {
    const n = node as MathNode & { name?: string; fn?: unknown; value?: unknown; op?: string };
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value !== 'number') bad(expression, `holds a ${typeof n.value} constant; only numbers are allowed`);
        break;
      case 'ParenthesisNode':
        break;
      case 'OperatorNode':
        if (!OPERATORS.has(String((n as { fn?: unknown }).fn))) bad(expression, `uses the operator '${n.op ?? '?'}', which is not available in objectives (+ - * / ^ mod)`);
        break;
      case 'FunctionNode': {
        const fn = n.fn as { type?: string; name?: string };
        if (fn.type !== 'SymbolNode' || fn.name === undefined || !FUNCTIONS.has(fn.name)) bad(expression, `calls '${fn.name ?? 'an expression'}', which is not available in objectives (functions: ${OBJECTIVE_FUNCTIONS.join(', ')})`);
        break;
      }
      case 'SymbolNode': {
        const isFunctionName = path === 'fn' && parent?.type === 'FunctionNode';
        if (!isFunctionName && !CONSTANTS.has(n.name ?? '')) variables.add(n.name ?? '');
        break;
      }
      default:
        bad(expression, `uses ${node.type.replace(/Node$/, '').toLowerCase()} syntax, which is not available in objectives (numbers, the variables, + - * / ^ and functions)`);
    }
  });
  return variables;
}

function parseExpression(expression: string): MathNode {
  try {
    return mathjs().parse(expression);
  } catch (e) {
    throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function compileObjective(expression: string, direction: Direction = 'maximize'): Objective {
  if (expression.trim() === '') throw new SearchError('BAD_OBJECTIVE', 'objective is empty (default: accuracy)');
  checkObjectiveSize(expression);
  const name = expression.trim();
  if ((OBJECTIVE_VARIABLES as readonly string[]).includes(name)) {
    // A metric on its own: what mathjs would give for the symbol, without loading mathjs.
    const variable = name as ObjectiveVariable;
    return { expression, direction, variables: [variable], evaluate: (scope) => (Number.isFinite(scope[variable]) ? scope[variable] : Number.NaN) };
  }
  const tree = parseExpression(expression);
  const variables = checkTree(expression, tree);
  const unknown = [...variables].filter((v) => !(OBJECTIVE_VARIABLES as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new SearchError('BAD_OBJECTIVE', `objective '${expression}' uses unknown variable(s) ${unknown.join(', ')} (known: ${OBJECTIVE_VARIABLES.join(', ')})`);
  }
  const code = tree.compile();
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
