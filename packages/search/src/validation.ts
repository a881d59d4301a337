/**
 * What can be checked of a study's input without loading TF.js or mathjs (`@scalelab/search/validation`): the
 * config schema, the space and its limits, the objective's size. The CLI checks flags with this first, so bad
 * input is refused in a fraction of a second.
 */
import { limitExceeded } from '@scalelab/arch';
import { SearchError } from './errors.js';

export { SearchError } from './errors.js';
export { parseConfigInput, parseStoredConfig, resolveConfig } from './config.js';
export type { StudyConfig, StudyConfigInput } from './config.js';
export { gridCandidates, latticeSize, validateSpace } from './space.js';
export { readBoundedText } from './files.js';


/** Bracket nesting of the raw text (mathjs parses recursively, so this is checked before parsing). */
export function objectiveNesting(expression: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of expression) {
    if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return deepest;
}

/** Tokens of an objective: names, numbers, operators and brackets (what its size is counted in). */
export function objectiveTokens(expression: string): number {
  return (expression.match(/[A-Za-z_][A-Za-z0-9_]*|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\S/g) ?? []).length;
}

/** An objective's length, nesting and tokens within ScaleLab's limits (before it is parsed). */
export function checkObjectiveSize(expression: string): void {
  for (const [limit, value, subject] of [
    ['objectiveLength', expression.length, `the objective's length`],
    ['objectiveNesting', objectiveNesting(expression), `the objective's nesting`],
    ['objectiveTokens', objectiveTokens(expression), `the objective's number of tokens`],
  ] as const) {
    const message = limitExceeded(limit, value, subject);
    if (message !== null) throw new SearchError('LIMIT_EXCEEDED', message);
  }
}
