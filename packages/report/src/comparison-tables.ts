/**
 * A strategy comparison's tables, beside the HTML: compare.md, compare.tex (booktabs) and compare.csv — EfficientNet's
 * Table 3 for any baseline (strategy × target: realized MACs, params, activations, accuracy mean ± sd over seeds) —
 * and the fitted scaling exponents beside theory.
 */
import type { ComparedPoint, ComparisonResult } from '@scalelab/search';
import type { ScalingFit } from '@scalelab/analyzer';
import { escapeLatex } from './escape.js';
import { fixed, paperMacs, paperParams } from './format.js';
import { csvOf, latexTable, markdownTable } from './tables.js';
import type { Column } from './tables.js';

const accuracyText = (p: ComparedPoint): string =>
  p.accuracy === null ? '–' : `${(100 * p.accuracy.mean).toFixed(2)}${p.accuracy.std === null ? '' : ` ± ${(100 * p.accuracy.std).toFixed(2)}`}`;

export const COMPARISON_COLUMNS: readonly Column<ComparedPoint>[] = [
  { head: 'strategy', tex: 'Strategy', right: false, cell: (p) => p.strategy },
  { head: 'target', tex: 'Target', right: true, cell: (p) => `${p.target}×` },
  { head: 'MACs ratio', tex: 'MACs ratio', right: true, cell: (p) => fixed(p.macsRatio, 2) },
  { head: 'resolution', tex: 'Res.', right: true, cell: (p) => String(p.resolution) },
  { head: 'MACs', tex: 'MACs', right: true, cell: (p) => paperMacs(p.macs) },
  { head: 'params', tex: 'Params', right: true, cell: (p) => paperParams(p.params) },
  { head: 'activations', tex: 'Acts.', right: true, cell: (p) => paperParams(p.activations) },
  { head: 'accuracy % (mean ± sd)', tex: 'Acc. (\\%)', right: true, cell: accuracyText },
  { head: 'n', tex: '$n$', right: true, cell: (p) => String(p.accuracy?.n ?? 0) },
];

/** Raw numbers for spreadsheets and scripts (no rounding). */
const CSV_COLUMNS: readonly Column<ComparedPoint>[] = [
  { head: 'strategy', tex: '', right: false, cell: (p) => p.strategy },
  ...(['target', 's', 'macsRatio', 'resolution', 'macs', 'params', 'activations'] as const).map((k): Column<ComparedPoint> => ({ head: k, tex: '', right: true, cell: (p) => String(p[k]) })),
  { head: 'depth', tex: '', right: true, cell: (p) => String(p.multipliers.depth) },
  { head: 'width', tex: '', right: true, cell: (p) => String(p.multipliers.width) },
  { head: 'resolution_multiplier', tex: '', right: true, cell: (p) => String(p.multipliers.resolution) },
  { head: 'accuracy_mean', tex: '', right: true, cell: (p) => (p.accuracy === null ? '' : String(p.accuracy.mean)) },
  { head: 'accuracy_std', tex: '', right: true, cell: (p) => (p.accuracy?.std === null || p.accuracy === null ? '' : String(p.accuracy.std)) },
  { head: 'accuracy_ci95_low', tex: '', right: true, cell: (p) => (p.accuracy?.ci95 === null || p.accuracy === null ? '' : String(p.accuracy.ci95[0])) },
  { head: 'accuracy_ci95_high', tex: '', right: true, cell: (p) => (p.accuracy?.ci95 === null || p.accuracy === null ? '' : String(p.accuracy.ci95[1])) },
  { head: 'n', tex: '', right: true, cell: (p) => String(p.accuracy?.n ?? 0) },
  { head: 'images_per_second', tex: '', right: true, cell: (p) => (p.imagesPerSecond === null ? '' : String(p.imagesPerSecond)) },
  { head: 'latency_ms_batch1', tex: '', right: true, cell: (p) => (p.latencyMs.batch1 === null ? '' : String(p.latencyMs.batch1)) },
  { head: 'latency_ms_per_image_batch32', tex: '', right: true, cell: (p) => (p.latencyMs.batch32 === null ? '' : String(p.latencyMs.batch32)) },
];

/** The columns of a scaling-exponent table: strategy, quantity, fitted exponent, theory, points. */
export const FIT_COLUMNS: readonly Column<ScalingFit>[] = [
  { head: 'strategy', tex: 'Strategy', right: false, cell: (f) => f.strategy },
  { head: 'quantity', tex: 'Quantity', right: false, cell: (f) => f.quantity },
  { head: 'fitted exponent', tex: 'Fitted', right: true, cell: (f) => fixed(f.exponent, 3) },
  { head: 'theory', tex: 'Theory', right: true, cell: (f) => fixed(f.theory, 3) },
  { head: 'points', tex: 'Points', right: true, cell: (f) => String(f.points) },
];

export interface ComparisonTables {
  readonly 'compare.md': string;
  readonly 'compare.tex': string;
  readonly 'compare.csv': string;
  readonly 'fits.md': string;
}

/** A comparison's tables: compare.md, compare.tex, compare.csv and fits.md. */
export function comparisonTables(c: ComparisonResult): ComparisonTables {
  const caption = `Study ${escapeLatex(c.study)}: scaling strategies on ${escapeLatex(c.baseline)} / ${escapeLatex(c.dataset)} at ${c.match} cost; accuracy mean $\\pm$ sample std over ${c.seeds} seed(s).`;
  return {
    'compare.md': `${markdownTable(COMPARISON_COLUMNS, c.points)}\n`,
    'compare.tex': latexTable(COMPARISON_COLUMNS, c.points, caption, `tab:${c.study}-compare`),
    'compare.csv': csvOf(CSV_COLUMNS, c.points),
    'fits.md': `${markdownTable(FIT_COLUMNS, c.fits)}\n`,
  };
}
