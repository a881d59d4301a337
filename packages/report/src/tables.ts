/**
 * Paper-ready tables beside the HTML: trials.csv (every trial, raw numbers), trials.md and family.md, and
 * trials.tex / family.tex (booktabs; numbers as papers print them, 5.3M and 0.39B).
 */
import type { FamilyMember, TrialView } from '@scalelab/search';
import type { ReportData } from './data.js';
import { csvField, escapeLatex, latexLabel, markdownCell } from './escape.js';
import { fixed, paperMacs, paperParams, percent } from './format.js';

const CSV_COLUMNS = ['trial', 'grid_id', 'state', 'alpha', 'beta', 'gamma', 'nominal_cost', 'macs_ratio', 'depth', 'width', 'resolution', 'params', 'macs', 'activations', 'accuracy', 'loss', 'value', 'latency_ms', 'train_seconds', 'backend', 'error'] as const;

export function trialsCsv(trials: readonly TrialView[]): string {
  const rows = trials.map((t) => [t.id, t.gridId, t.state, t.alpha, t.beta, t.gamma, t.nominalCost, t.macsRatio, t.depth, t.width, t.resolution, t.params, t.macs, t.activations, t.accuracy, t.loss, t.value, t.latencyMs, t.trainSeconds, t.backend, t.error]);
  return `${[CSV_COLUMNS.join(','), ...rows.map((r) => r.map((v) => csvField(v)).join(','))].join('\r\n')}\r\n`;
}

/** CSV (RFC 4180, OWASP-safe cells) of any columns. */
export function csvOf<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  return `${[columns.map((c) => csvField(c.head)).join(','), ...rows.map((r) => columns.map((c) => csvField(c.cell(r))).join(','))].join('\r\n')}\r\n`;
}

/** Completed trials best first (ties: trial order), then the others — pruned, failed, running — in trial order. */
export function rankedTrials(d: ReportData): { readonly complete: TrialView[]; readonly others: TrialView[] } {
  const sign = d.config.objective.direction === 'maximize' ? -1 : 1;
  const complete = d.trials.filter((t) => t.state === 'COMPLETE').sort((a, b) => sign * ((a.value ?? 0) - (b.value ?? 0)) || a.id - b.id);
  return { complete, others: d.trials.filter((t) => t.state !== 'COMPLETE') };
}

function ranked(d: ReportData): TrialView[] {
  const { complete, others } = rankedTrials(d);
  return [...complete, ...others];
}

/** One column of a paper table: its Markdown/CSV head, its LaTeX head, alignment, and the cell of a row. */
export interface Column<T> {
  readonly head: string;
  readonly tex: string;
  readonly right: boolean;
  readonly cell: (row: T) => string;
}

function trialColumns(d: ReportData): Column<TrialView>[] {
  const objectiveIsAccuracy = d.config.objective.expression === 'accuracy';
  return [
    { head: 'trial', tex: 'Trial', right: true, cell: (t) => String(t.id) },
    { head: 'α', tex: '$\\alpha$', right: true, cell: (t) => String(t.alpha) },
    { head: 'β', tex: '$\\beta$', right: true, cell: (t) => String(t.beta) },
    { head: 'γ', tex: '$\\gamma$', right: true, cell: (t) => String(t.gamma) },
    { head: 'α·β²·γ²', tex: '$\\alpha\\beta^2\\gamma^2$', right: true, cell: (t) => fixed(t.nominalCost, 2) },
    { head: 'MACs ratio', tex: 'MACs ratio', right: true, cell: (t) => fixed(t.macsRatio, 2) },
    { head: 'res', tex: 'Res.', right: true, cell: (t) => (t.resolution === null ? '–' : String(t.resolution)) },
    { head: 'params', tex: 'Params', right: true, cell: (t) => paperParams(t.params ?? Number.NaN) },
    { head: 'MACs', tex: 'MACs', right: true, cell: (t) => paperMacs(t.macs ?? Number.NaN) },
    { head: 'accuracy', tex: 'Acc.', right: true, cell: (t) => percent(t.accuracy) },
    ...(objectiveIsAccuracy ? [] : [{ head: 'objective', tex: 'Objective', right: true, cell: (t: TrialView) => fixed(t.value, 4) }]),
    { head: 'state', tex: 'State', right: false, cell: (t) => t.state },
  ];
}

function familyColumns(hasPublished: boolean): Column<FamilyMember>[] {
  return [
    { head: 'φ', tex: '$\\phi$', right: true, cell: (m) => String(m.phi) },
    { head: 'depth', tex: 'Depth $d$', right: true, cell: (m) => m.depth.toFixed(3) },
    { head: 'width', tex: 'Width $w$', right: true, cell: (m) => m.width.toFixed(3) },
    { head: 'resolution', tex: 'Res.', right: true, cell: (m) => String(m.resolution) },
    { head: 'nominal cost', tex: '$(\\alpha\\beta^2\\gamma^2)^\\phi$', right: true, cell: (m) => m.nominalCost.toFixed(2) },
    { head: 'realized MACs ratio', tex: 'MACs ratio', right: true, cell: (m) => m.realizedMacsRatio.toFixed(2) },
    { head: 'params', tex: 'Params', right: true, cell: (m) => paperParams(m.params) },
    { head: 'MACs', tex: 'MACs', right: true, cell: (m) => paperMacs(m.macs) },
    ...(hasPublished
      ? [
          { head: 'published', tex: 'Published', right: false, cell: (m: FamilyMember) => m.published?.model ?? '–' },
          { head: 'published params (paper)', tex: 'Params (paper)', right: true, cell: (m: FamilyMember) => (m.published === null ? '–' : paperParams(m.published.paper.params)) },
          { head: 'published FLOPs (paper)', tex: 'FLOPs (paper)', right: true, cell: (m: FamilyMember) => (m.published === null ? '–' : paperMacs(m.published.paper.macs)) },
        ]
      : []),
  ];
}

/** A Markdown table of `rows` with the given columns (cells escaped for Markdown). */
export function markdownTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const esc = markdownCell;
  return [`| ${columns.map((c) => esc(c.head)).join(' | ')} |`, `| ${columns.map((c) => (c.right ? '---:' : ':---')).join(' | ')} |`, ...rows.map((r) => `| ${columns.map((c) => esc(c.cell(r))).join(' | ')} |`)].join('\n');
}

/** `captionTex` is LaTeX already (user text in it escaped by the caller); every cell is escaped here. */
export function latexTable<T>(columns: readonly Column<T>[], rows: readonly T[], captionTex: string, label: string): string {
  const cell = (s: string): string => escapeLatex(s).replace(/–/g, '--');
  return [
    '% Generated by ScaleLab. Needs \\usepackage{booktabs}.',
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${captionTex}}`,
    `\\label{${latexLabel(label)}}`,
    `\\begin{tabular}{${columns.map((c) => (c.right ? 'r' : 'l')).join('')}}`,
    '\\toprule',
    `${columns.map((c) => c.tex).join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((r) => `${columns.map((c) => cell(c.cell(r))).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

export interface ReportTables {
  readonly 'trials.csv': string;
  readonly 'trials.md': string;
  readonly 'family.md': string;
  readonly 'trials.tex': string;
  readonly 'family.tex': string;
}

/** A search's paper tables: trials.csv, trials.md / .tex and family.md / .tex. */
export function reportTables(d: ReportData): ReportTables {
  const family = d.summary.family;
  const hasPublished = family.some((m) => m.published !== null);
  const name = d.config.name;
  const nameTex = escapeLatex(name);
  const best = d.summary.best;
  const familyCaption = best === null ? `Study ${nameTex}: no completed trial, no family.` : `Study ${nameTex}: the family scaled from the best coefficients $\\alpha=${best.alpha}$, $\\beta=${best.beta}$, $\\gamma=${best.gamma}$.`;
  return {
    'trials.csv': trialsCsv(d.trials),
    'trials.md': `${markdownTable(trialColumns(d), ranked(d))}\n`,
    'family.md': family.length === 0 ? 'No completed trial: no best coefficients to scale.\n' : `${markdownTable(familyColumns(hasPublished), family)}\n`,
    'trials.tex': latexTable(trialColumns(d), ranked(d), `Study ${nameTex}: candidates of the coefficient search on ${escapeLatex(d.config.baseline)} / ${escapeLatex(d.config.dataset)}, best first.`, `tab:${name}-trials`),
    'family.tex': latexTable(familyColumns(hasPublished), family, familyCaption, `tab:${name}-family`),
  };
}
