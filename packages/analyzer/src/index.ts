export { AnalyzerError } from './errors.js';
export type { AnalyzerErrorCode } from './errors.js';
export { analyzeSpec } from './spec-analysis.js';
export type { AnalyzeOptions } from './spec-analysis.js';
export type { Analysis, CostTotals, LayerCost, LayerKind, ParamCount } from './cost.js';
export { analyzeLayersModel } from './model-analysis.js';
export type { LayerLike, LayersModelLike, WeightLike } from './model-analysis.js';
export { compoundFamily, publishedModel, scaleCompound } from './family.js';
export type { PublishedModel, ScaledModel } from './family.js';
