export { analyzeSpec } from './spec-analysis.js';
export type { AnalyzeOptions } from './spec-analysis.js';
export type { Analysis, CostTotals, LayerCost, LayerKind, ParamCount } from './cost.js';
