/**
 * The report's figures as plotly.js specs (data + layout), pure functions of the report data. One palette and
 * one font everywhere; axes labelled with units; failed, pruned and running trials drawn distinctly.
 */
import type { TrialView } from '@scalelab/search';
import type { ReportData } from './data.js';
import { plotlyText } from './escape.js';
import { paperMacs, paperParams, percent } from './format.js';

export type PlotTrace = Record<string, unknown>;

export interface Figure {
  readonly id: string;
  readonly title: string;
  /** One sentence under the figure saying how to read it. */
  readonly caption: string;
  readonly data: readonly PlotTrace[];
  readonly layout: Record<string, unknown>;
}

export const PALETTE = {
  complete: '#1f77b4',
  best: '#e6a700',
  pruned: '#9e9e9e',
  fail: '#d62728',
  running: '#ff7f0e',
  baseline: '#7f7f7f',
  published: '#2ca02c',
  constraint: '#9467bd',
  stages: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'],
} as const;

/** Axis labels of the coefficients, the same in every figure. */
const COEFFICIENT_LABEL = { alpha: 'α (depth)', beta: 'β (width)', gamma: 'γ (resolution)' } as const;

const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 14, color: '#222' };
const COLORSCALE = 'Viridis';

export function baseLayout(extra: Record<string, unknown>): Record<string, unknown> {
  return { font: FONT, margin: { l: 70, r: 30, t: 30, b: 60 }, height: 440, hovermode: 'closest', legend: { orientation: 'h', y: -0.22 }, paper_bgcolor: '#fff', plot_bgcolor: '#fafafa', ...extra };
}

/**
 * Traces refer to trials by index (`customdata`) with `text: TRIAL_TEXT`; the page fills in each trial's hover
 * text from one list (`trialHoverTexts`), so a 10,000-trial report carries each trial's text once, not once per
 * figure and point.
 */
export const TRIAL_TEXT = '$trial';

/** Hover text of every trial, in `d.trials` order. */
export function trialHoverTexts(d: ReportData): string[] {
  return d.trials.map((t) => hover(t, d.config.objective.expression));
}

/** The trace fields that show trials' hover texts: their indices in `d.trials`. */
function trialText(d: ReportData, ts: readonly TrialView[]): { customdata: number[]; text: string; hoverinfo: 'text' } {
  const index = new Map(d.trials.map((t, i) => [t.id, i]));
  return { customdata: ts.map((t) => index.get(t.id) ?? -1), text: TRIAL_TEXT, hoverinfo: 'text' };
}

function hover(t: TrialView, objective: string): string {
  const lines = [
    `<b>trial ${t.id}</b> ${plotlyText(t.gridId)} (${t.state})`,
    `α ${t.alpha}  β ${t.beta}  γ ${t.gamma}`,
    `${plotlyText(objective)} ${t.value === null ? '–' : t.value.toFixed(4)}  accuracy ${percent(t.accuracy)}`,
    `MACs ${paperMacs(t.macs ?? Number.NaN)} (×${(t.macsRatio ?? Number.NaN).toFixed(2)})  params ${paperParams(t.params ?? Number.NaN)}  ${t.resolution ?? '–'} px`,
  ];
  if (t.error !== null) lines.push(`error: ${plotlyText(t.error.slice(0, 120))}`);
  return lines.join('<br>');
}

/** The value a trial is drawn at: its objective when COMPLETE, its last rung's when PRUNED or running. */
function shownValue(t: TrialView): number | null {
  if (t.value !== null) return t.value;
  const last = t.runs[t.runs.length - 1];
  return last === undefined ? null : last.value;
}

interface TrialGroups {
  readonly complete: readonly TrialView[];
  readonly pruned: readonly TrialView[];
  readonly fail: readonly TrialView[];
  readonly running: readonly TrialView[];
}

function groups(trials: readonly TrialView[]): TrialGroups {
  return {
    complete: trials.filter((t) => t.state === 'COMPLETE' && t.value !== null),
    pruned: trials.filter((t) => t.state === 'PRUNED'),
    fail: trials.filter((t) => t.state === 'FAIL'),
    running: trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING'),
  };
}

/** Points not dominated: no other point has lower cost and a better value (maximize) — a staircase. */
export function paretoFront<T>(points: readonly T[], cost: (p: T) => number, value: (p: T) => number, direction: 'maximize' | 'minimize'): T[] {
  const sign = direction === 'maximize' ? 1 : -1;
  const sorted = [...points].filter((p) => Number.isFinite(cost(p)) && Number.isFinite(value(p))).sort((a, b) => cost(a) - cost(b) || sign * (value(b) - value(a)));
  const front: T[] = [];
  let bestSoFar = -Infinity;
  for (const p of sorted) {
    if (sign * value(p) > bestSoFar) {
      front.push(p);
      bestSoFar = sign * value(p);
    }
  }
  return front;
}

function gridFigure(d: ReportData): Figure {
  const { space } = d.config;
  const g = groups(d.trials);
  const n = 30;
  const alphas = Array.from({ length: n }, (_, i) => space.alpha.min + ((space.alpha.max - space.alpha.min) * i) / (n - 1));
  const betas = Array.from({ length: n }, (_, i) => space.beta.min + ((space.beta.max - space.beta.min) * i) / (n - 1));
  // γ on the surface α·β²·γ² = c, drawn where it lies inside the γ range.
  const z = betas.map((b) => alphas.map((a) => {
    const gamma = Math.sqrt(space.target / (a * b * b));
    return gamma >= space.gamma.min - 1e-9 && gamma <= space.gamma.max + 1e-9 ? gamma : null;
  }));
  const scatter = (ts: readonly TrialView[], name: string, marker: Record<string, unknown>): PlotTrace => ({
    type: 'scatter3d', mode: 'markers', name, x: ts.map((t) => t.alpha), y: ts.map((t) => t.beta), z: ts.map((t) => t.gamma),
    ...trialText(d, ts), marker,
  });
  const values = g.complete.map((t) => t.value ?? Number.NaN);
  return {
    id: 'grid',
    title: 'The search grid: α (depth), β (width), γ (resolution)',
    caption: `Each trained candidate at its coefficients, coloured by ${d.config.objective.expression}; the translucent surface is the constraint α·β²·γ² = ${space.target}.`,
    data: [
      { type: 'surface', name: `α·β²·γ² = ${space.target}`, x: alphas, y: betas, z, opacity: 0.25, showscale: false, colorscale: [[0, PALETTE.constraint], [1, PALETTE.constraint]], hoverinfo: 'skip', showlegend: true },
      scatter(g.complete, 'complete', { size: 5, color: values, colorscale: COLORSCALE, colorbar: { title: { text: d.config.objective.expression.length > 20 ? 'objective' : plotlyText(d.config.objective.expression) }, len: 0.7 }, line: { width: 0 } }),
      scatter(g.pruned, 'pruned', { size: 4, color: PALETTE.pruned, symbol: 'circle-open' }),
      scatter(g.fail, 'failed', { size: 4, color: PALETTE.fail, symbol: 'x' }),
      scatter(g.running, 'running', { size: 4, color: PALETTE.running, symbol: 'diamond' }),
      ...(d.summary.best === null ? [] : [scatter([d.summary.best], 'best', { size: 9, color: PALETTE.best, symbol: 'diamond', line: { color: '#000', width: 1 } })]),
    ],
    layout: baseLayout({ height: 560, margin: { l: 0, r: 0, t: 10, b: 10 }, scene: { xaxis: { title: { text: COEFFICIENT_LABEL.alpha } }, yaxis: { title: { text: COEFFICIENT_LABEL.beta } }, zaxis: { title: { text: COEFFICIENT_LABEL.gamma } }, camera: { eye: { x: 1.6, y: -1.6, z: 0.9 } } }, legend: { orientation: 'h', y: 0 } }),
  };
}

/** At most this many cells per heatmap axis: a fine grid (step 0.004: 251 α values) is binned, not drawn point by point. */
const HEATMAP_CELLS = 40;

/** Cells along one coefficient: its lattice values when few, else equal-width bins (centres) over its range. */
function heatmapAxis(values: readonly number[]): { readonly centres: number[]; readonly cellOf: (v: number) => number } {
  const unique = [...new Set(values)].sort((a, b) => a - b);
  if (unique.length <= HEATMAP_CELLS) {
    const at = new Map(unique.map((v, i) => [v, i]));
    return { centres: unique, cellOf: (v) => at.get(v) ?? -1 };
  }
  const lo = unique[0] ?? 0;
  const width = ((unique[unique.length - 1] ?? 1) - lo) / HEATMAP_CELLS;
  return { centres: Array.from({ length: HEATMAP_CELLS }, (_, i) => lo + (i + 0.5) * width), cellOf: (v) => Math.min(HEATMAP_CELLS - 1, Math.floor((v - lo) / width)) };
}

function heatmapFigure(d: ReportData): Figure {
  const g = groups(d.trials);
  const better = (a: number, b: number): boolean => (d.config.objective.direction === 'maximize' ? a > b : a < b);
  const pairs = [['alpha', 'beta'], ['alpha', 'gamma'], ['beta', 'gamma']] as const;
  let binned = false;
  const data: PlotTrace[] = pairs.map(([px, py], i) => {
    const xa = heatmapAxis(g.complete.map((t) => t[px]));
    const ya = heatmapAxis(g.complete.map((t) => t[py]));
    binned ||= xa.centres.length === HEATMAP_CELLS || ya.centres.length === HEATMAP_CELLS;
    const z: (number | null)[][] = ya.centres.map(() => xa.centres.map(() => null));
    for (const t of g.complete) {
      const row = z[ya.cellOf(t[py])];
      const col = xa.cellOf(t[px]);
      const v = t.value ?? Number.NaN;
      if (row !== undefined && (row[col] === null || better(v, row[col] ?? Number.NaN))) row[col] = v;
    }
    const axis = i === 0 ? '' : String(i + 1);
    return {
      type: 'heatmap', x: xa.centres, y: ya.centres, z, xaxis: `x${axis}`, yaxis: `y${axis}`, colorscale: COLORSCALE, showscale: i === 2, coloraxis: 'coloraxis',
      hovertemplate: `${COEFFICIENT_LABEL[px]} %{x:.3f}<br>${COEFFICIENT_LABEL[py]} %{y:.3f}<br>best ${d.config.objective.expression.length > 20 ? 'objective' : plotlyText(d.config.objective.expression)} %{z:.4f}<extra></extra>`,
    };
  });
  const axes: Record<string, unknown> = {};
  pairs.forEach(([px, py], i) => {
    const axis = i === 0 ? '' : String(i + 1);
    axes[`xaxis${axis}`] = { title: { text: COEFFICIENT_LABEL[px] }, domain: [i / 3 + 0.03, (i + 1) / 3 - 0.03], anchor: `y${axis}` };
    axes[`yaxis${axis}`] = { title: { text: COEFFICIENT_LABEL[py] }, anchor: `x${axis}` };
  });
  return {
    id: 'heatmaps',
    title: 'Coefficient pairs',
    caption: `The best ${d.config.objective.expression} over the third coefficient, for each pair${binned ? ` (fine grids binned into ${HEATMAP_CELLS} cells per axis)` : ''}; empty cells have no completed trial.`,
    data,
    layout: baseLayout({ ...axes, height: 380, coloraxis: { colorscale: COLORSCALE, colorbar: { title: { text: 'objective' } } } }),
  };
}

function costFigure(d: ReportData): Figure {
  const g = groups(d.trials);
  const objective = d.config.objective.expression;
  const measures = [
    { key: 'macs', label: 'MACs (multiply-adds)', axis: '' },
    { key: 'params', label: 'parameters', axis: '2' },
    { key: 'activations', label: 'activations (output elements)', axis: '3' },
  ] as const;
  const values = [...g.complete, ...g.pruned].map(shownValue).filter((v): v is number => v !== null);
  const floor = values.length === 0 ? 0 : Math.min(...values) - 0.05 * (Math.max(...values) - Math.min(...values) || 1);
  const data: PlotTrace[] = [];
  measures.forEach((m, i) => {
    const first = i === 0;
    const common = { xaxis: `x${m.axis}`, yaxis: `y${m.axis}` };
    const x = (ts: readonly TrialView[]): number[] => ts.map((t) => t[m.key] ?? Number.NaN);
    const front = paretoFront(g.complete, (t) => t[m.key] ?? Number.NaN, (t) => t.value ?? Number.NaN, d.config.objective.direction);
    data.push(
      { ...common, type: 'scatter', mode: 'markers', name: 'complete', legendgroup: 'complete', showlegend: first, x: x(g.complete), y: g.complete.map((t) => t.value), ...trialText(d, g.complete), marker: { color: PALETTE.complete, size: 8, opacity: 0.8 } },
      { ...common, type: 'scatter', mode: 'lines+markers', name: 'Pareto front', legendgroup: 'front', showlegend: first, x: x(front), y: front.map((t) => t.value), ...trialText(d, front), line: { color: PALETTE.best, shape: 'hv', width: 2 }, marker: { color: PALETTE.best, size: 9, symbol: 'star', line: { color: '#000', width: 1 } } },
      { ...common, type: 'scatter', mode: 'markers', name: 'pruned (last rung)', legendgroup: 'pruned', showlegend: first, x: x(g.pruned), y: g.pruned.map(shownValue), ...trialText(d, g.pruned), marker: { color: PALETTE.pruned, size: 8, symbol: 'circle-open', line: { width: 2 } } },
      { ...common, type: 'scatter', mode: 'markers', name: 'failed (no value)', legendgroup: 'fail', showlegend: first, x: x(g.fail), y: g.fail.map(() => floor), ...trialText(d, g.fail), marker: { color: PALETTE.fail, size: 9, symbol: 'x' } },
    );
  });
  const axes: Record<string, unknown> = {};
  measures.forEach((m, i) => {
    axes[`xaxis${m.axis}`] = { title: { text: m.label }, type: 'log', domain: [i / 3 + 0.04, (i + 1) / 3 - 0.02], anchor: `y${m.axis}` };
    axes[`yaxis${m.axis}`] = { title: { text: i === 0 ? plotlyText(objective) : '' }, anchor: `x${m.axis}`, matches: i === 0 ? undefined : 'y' };
  });
  return {
    id: 'cost',
    title: `${objective} against cost`,
    caption: 'Each candidate against its exact MACs, parameters and activations (log scale), with the Pareto front (no cheaper candidate is better); failed trials sit on the bottom edge, pruned ones at their last rung.',
    data,
    layout: baseLayout({ ...axes, height: 420 }),
  };
}

/** Up to this many trials, every learning curve is drawn; beyond it, a band and the best few. */
export const CURVES_DRAWN_ONE_BY_ONE = 30;
const BEST_CURVES = 5;

/** The q-quantile (0…1) of sorted values, linearly interpolated (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * Learning curves. A few trials: one line each (gaps between trials keep them one trace). Many trials: the 10–90th
 * percentile band and the median of the test accuracy at each epoch, and the best few trials' own curves — the
 * same picture at 30 or 10,000 trials, and a page that stays small.
 */
function curvesFigure(d: ReportData): Figure {
  const withCurves = d.trials.filter((t) => t.curve.length > 0);
  const best = d.summary.best;
  const line = (t: TrialView, name: string, color: string, width: number): PlotTrace => ({
    type: 'scatter', mode: 'lines+markers', name, x: t.curve.map((p) => p.epoch), y: t.curve.map((p) => p.accuracy),
    customdata: t.curve.map(() => trialText(d, [t]).customdata[0] ?? -1), text: TRIAL_TEXT, hoverinfo: 'text', line: { color, width }, marker: { size: width + 3 },
  });
  const layout = baseLayout({ xaxis: { title: { text: 'epoch' }, dtick: 1 }, yaxis: { title: { text: 'test accuracy' }, tickformat: '.1%' } });
  if (withCurves.length <= CURVES_DRAWN_ONE_BY_ONE) {
    const others = withCurves.filter((t) => t.id !== best?.id);
    const xs: (number | null)[] = [];
    const ys: (number | null)[] = [];
    const custom: (number | null)[] = [];
    const index = trialText(d, others).customdata;
    others.forEach((t, i) => {
      for (const p of t.curve) {
        xs.push(p.epoch);
        ys.push(p.accuracy);
        custom.push(index[i] ?? null);
      }
      xs.push(null);
      ys.push(null);
      custom.push(null);
    });
    return {
      id: 'curves',
      title: 'Learning curves',
      caption: 'Test accuracy after each epoch of every trial (the journal\'s intermediate values); the best trial highlighted.',
      data: [
        { type: 'scatter', mode: 'lines+markers', name: 'trials', x: xs, y: ys, customdata: custom, text: TRIAL_TEXT, hoverinfo: 'text', connectgaps: false, line: { color: PALETTE.complete, width: 1 }, marker: { size: 4 }, opacity: 0.45 },
        ...(best === null ? [] : [line(best, `best: trial ${best.id} ${plotlyText(best.gridId)}`, PALETTE.best, 3)]),
      ],
      layout,
    };
  }
  const byEpoch = new Map<number, number[]>();
  for (const t of withCurves) {
    for (const p of t.curve) {
      let values = byEpoch.get(p.epoch);
      if (values === undefined) byEpoch.set(p.epoch, (values = []));
      values.push(p.accuracy);
    }
  }
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  const sorted = epochs.map((e) => [...(byEpoch.get(e) ?? [])].sort((a, b) => a - b));
  const band = (q: number): number[] => sorted.map((v) => quantile(v, q));
  const direction = d.config.objective.direction;
  const top = withCurves.filter((t) => t.state === 'COMPLETE' && t.value !== null).sort((a, b) => (direction === 'maximize' ? (b.value ?? 0) - (a.value ?? 0) : (a.value ?? 0) - (b.value ?? 0)) || a.id - b.id).slice(0, BEST_CURVES);
  const counts = sorted.map((v) => v.length);
  return {
    id: 'curves',
    title: 'Learning curves',
    caption: `Test accuracy after each epoch (the journal's intermediate values) of ${withCurves.length} trials: the 10th–90th percentile band and the median at each epoch, and the ${top.length} best trials' own curves.`,
    data: [
      { type: 'scatter', mode: 'lines', name: '10th percentile', x: epochs, y: band(0.1), line: { width: 0 }, showlegend: false, hovertemplate: 'epoch %{x}: 10th percentile %{y:.2%}<extra></extra>' },
      { type: 'scatter', mode: 'lines', name: '10th–90th percentile', x: epochs, y: band(0.9), fill: 'tonexty', fillcolor: 'rgba(31,119,180,0.2)', line: { width: 0 }, customdata: counts, hovertemplate: 'epoch %{x}: 90th percentile %{y:.2%} (%{customdata} trials)<extra></extra>' },
      { type: 'scatter', mode: 'lines', name: 'median', x: epochs, y: band(0.5), line: { color: PALETTE.complete, width: 2, dash: 'dot' }, hovertemplate: 'epoch %{x}: median %{y:.2%}<extra></extra>' },
      ...top.map((t, i) => line(t, `${i === 0 ? 'best' : `#${i + 1}`}: trial ${t.id} ${plotlyText(t.gridId)}`, i === 0 ? PALETTE.best : PALETTE.stages[(i + 1) % PALETTE.stages.length] ?? PALETTE.complete, i === 0 ? 3 : 1.5)),
    ],
    layout,
  };
}

function historyFigure(d: ReportData): Figure {
  const done = d.trials.filter((t) => t.state === 'COMPLETE' && t.value !== null);
  // The best-so-far staircase needs only its steps (and the last trial): the same line, a few points instead of N.
  const steps: { x: number; y: number }[] = [];
  let best = Number.NaN;
  for (const t of done) {
    const v = t.value ?? Number.NaN;
    if (Number.isNaN(best) || (d.config.objective.direction === 'maximize' ? v > best : v < best)) {
      best = v;
      steps.push({ x: t.id, y: v });
    }
  }
  const last = done.at(-1);
  if (last !== undefined && steps.at(-1)?.x !== last.id) steps.push({ x: last.id, y: best });
  const fails = d.trials.filter((t) => t.state === 'FAIL');
  const low = done.length === 0 ? 0 : Math.min(...done.map((t) => t.value ?? 0));
  return {
    id: 'history',
    title: 'Optimization history',
    caption: 'The objective of each completed trial in the order trials were created, and the best so far; failed trials marked on the bottom edge.',
    data: [
      { type: 'scatter', mode: 'markers', name: 'trial', x: done.map((t) => t.id), y: done.map((t) => t.value), ...trialText(d, done), marker: { color: PALETTE.complete, size: 8 } },
      { type: 'scatter', mode: 'lines', name: 'best so far', x: steps.map((p) => p.x), y: steps.map((p) => p.y), line: { color: PALETTE.best, width: 3, shape: 'hv' }, hoverinfo: 'y' },
      { type: 'scatter', mode: 'markers', name: 'failed', x: fails.map((t) => t.id), y: fails.map(() => low), ...trialText(d, fails), marker: { color: PALETTE.fail, symbol: 'x', size: 9 } },
    ],
    layout: baseLayout({ xaxis: { title: { text: 'trial number' } }, yaxis: { title: { text: plotlyText(d.config.objective.expression) } } }),
  };
}

/** Viridis at 9 stops, for colouring lines by value without a WebGL trace. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

/**
 * Parallel coordinates drawn in SVG: each completed trial is a polyline across normalized axes, lines binned by
 * objective into Viridis colours (one trace per bin, trials separated by gaps). plotly's `parcoords` needs WebGL,
 * whose start-up alone takes seconds in a software-rendered browser; this keeps the report fast everywhere.
 */
function parallelFigure(d: ReportData): Figure {
  const done = d.trials.filter((t) => t.state === 'COMPLETE' && t.value !== null);
  const axes: { label: string; values: number[]; format: (x: number) => string }[] = [
    { label: COEFFICIENT_LABEL.alpha, values: done.map((t) => t.alpha), format: (x) => x.toFixed(2) },
    { label: COEFFICIENT_LABEL.beta, values: done.map((t) => t.beta), format: (x) => x.toFixed(2) },
    { label: COEFFICIENT_LABEL.gamma, values: done.map((t) => t.gamma), format: (x) => x.toFixed(2) },
    { label: 'realized MACs ratio', values: done.map((t) => t.macsRatio ?? Number.NaN), format: (x) => x.toFixed(2) },
    { label: 'accuracy', values: done.map((t) => t.accuracy ?? Number.NaN), format: (x) => `${(100 * x).toFixed(1)}%` },
  ];
  const ranges = axes.map((a) => {
    const finite = a.values.filter(Number.isFinite);
    const lo = finite.length === 0 ? 0 : Math.min(...finite);
    const hi = finite.length === 0 ? 1 : Math.max(...finite);
    return hi > lo ? { lo, hi } : { lo: lo - 0.5, hi: hi + 0.5 };
  });
  const norm = (axis: number, x: number): number | null => {
    const r = ranges[axis];
    return r === undefined || !Number.isFinite(x) ? null : (x - r.lo) / (r.hi - r.lo);
  };
  const values = done.map((t) => t.value ?? Number.NaN);
  const vLo = values.length === 0 ? 0 : Math.min(...values);
  const vHi = values.length === 0 ? 1 : Math.max(...values);
  const bin = (v: number): number => (vHi > vLo ? Math.min(VIRIDIS.length - 1, Math.floor(((v - vLo) / (vHi - vLo)) * VIRIDIS.length)) : VIRIDIS.length - 1);
  const trialIndex = trialText(d, done).customdata;
  const lines = VIRIDIS.map(() => ({ x: [] as (number | null)[], y: [] as (number | null)[], customdata: [] as (number | null)[] }));
  done.forEach((_, i) => {
    const line = lines[bin(values[i] ?? vLo)];
    if (line === undefined) return;
    axes.forEach((a, k) => {
      line.x.push(k);
      line.y.push(norm(k, a.values[i] ?? Number.NaN));
      line.customdata.push(trialIndex[i] ?? null);
    });
    line.x.push(null);
    line.y.push(null);
    line.customdata.push(null);
  });
  const data: PlotTrace[] = lines.map((l, i) => ({ type: 'scatter', mode: 'lines', x: l.x, y: l.y, customdata: l.customdata, text: TRIAL_TEXT, hoverinfo: 'text', connectgaps: false, showlegend: false, line: { color: VIRIDIS[i], width: 1.5 }, opacity: 0.7 }));
  // An invisible marker trace carries the colour bar.
  data.push({ type: 'scatter', mode: 'markers', x: [0], y: [0], hoverinfo: 'skip', showlegend: false, marker: { size: 0.1, opacity: 0, color: [vLo], cmin: vLo, cmax: vHi, colorscale: COLORSCALE, showscale: true, colorbar: { title: { text: 'objective' }, len: 0.9 } } });
  const ticks = 4;
  const annotations: Record<string, unknown>[] = [];
  axes.forEach((a, k) => {
    annotations.push({ x: k, y: 1.1, xref: 'x', yref: 'y', text: `<b>${a.label}</b>`, showarrow: false, font: { size: 13 } });
    const r = ranges[k];
    for (let j = 0; j <= ticks; j++) {
      if (r === undefined) break;
      annotations.push({ x: k, y: j / ticks, xref: 'x', yref: 'y', text: a.format(r.lo + ((r.hi - r.lo) * j) / ticks), showarrow: false, xanchor: 'right', xshift: -4, font: { size: 11, color: '#555' } });
    }
  });
  return {
    id: 'parallel',
    title: 'Parallel coordinates',
    caption: 'Each completed trial as a line through its coefficients, realized MACs ratio and accuracy (each axis spans the observed range), coloured by the objective.',
    data,
    layout: baseLayout({
      height: 420,
      margin: { l: 60, r: 30, t: 50, b: 30 },
      xaxis: { range: [-0.45, axes.length - 0.7], showgrid: false, zeroline: false, showticklabels: false },
      yaxis: { range: [-0.05, 1.16], showgrid: false, zeroline: false, showticklabels: false },
      shapes: axes.map((_, k) => ({ type: 'line', x0: k, x1: k, y0: 0, y1: 1, xref: 'x', yref: 'y', line: { color: '#444', width: 1.5 } })),
      annotations,
      plot_bgcolor: '#fff',
    }),
  };
}

function stagesFigure(d: ReportData): Figure {
  const best = d.stages.best;
  const columns = best === null ? ['baseline'] : ['baseline', `best (${plotlyText(d.summary.best?.gridId ?? '')})`];
  const stages = d.stages.baseline.map((s) => s.stage);
  const data: PlotTrace[] = [];
  stages.forEach((stage, i) => {
    const color = PALETTE.stages[i % PALETTE.stages.length];
    const pick = (key: 'macs' | 'params'): number[] => [d.stages.baseline[i]?.[key] ?? 0, ...(best === null ? [] : [best.find((s) => s.stage === stage)?.[key] ?? 0])];
    data.push(
      { type: 'bar', name: plotlyText(stage), legendgroup: stage, x: columns, y: pick('macs'), marker: { color }, hovertemplate: `${plotlyText(stage)}: %{y:.3s} MACs<extra></extra>` },
      { type: 'bar', name: plotlyText(stage), legendgroup: stage, showlegend: false, x: columns, y: pick('params'), xaxis: 'x2', yaxis: 'y2', marker: { color }, hovertemplate: `${plotlyText(stage)}: %{y:.3s} params<extra></extra>` },
    );
  });
  return {
    id: 'stages',
    title: 'Per-stage cost of the best candidate against the baseline',
    caption: 'MACs and parameters stacked by stage (stem, stages, head, classifier), exact from the analyzer.',
    data,
    layout: baseLayout({ barmode: 'stack', xaxis: { domain: [0, 0.45] }, yaxis: { title: { text: 'MACs' } }, xaxis2: { domain: [0.55, 1], anchor: 'y2' }, yaxis2: { title: { text: 'parameters' }, anchor: 'x2' }, legend: { orientation: 'v', x: 1.02, y: 1 }, margin: { l: 70, r: 140, t: 30, b: 60 } }),
  };
}

function familyFigure(d: ReportData): Figure {
  const f = d.summary.family;
  const phis = f.map((m) => m.phi);
  const published = f.filter((m) => m.published !== null);
  const data: PlotTrace[] = [
    { type: 'scatter', mode: 'lines+markers', name: 'nominal (α·β²·γ²)^φ', x: phis, y: f.map((m) => m.nominalCost), line: { color: PALETTE.constraint, dash: 'dash' }, hovertemplate: 'φ %{x}: ×%{y:.2f} nominal<extra></extra>' },
    { type: 'scatter', mode: 'lines+markers', name: 'realized MACs ratio', x: phis, y: f.map((m) => m.realizedMacsRatio), line: { color: PALETTE.complete }, hovertemplate: 'φ %{x}: ×%{y:.2f} realized<extra></extra>' },
    { type: 'scatter', mode: 'lines+markers', name: 'params (ours)', x: phis, y: f.map((m) => m.params), xaxis: 'x2', yaxis: 'y2', line: { color: PALETTE.best }, text: f.map((m) => `φ ${m.phi}: ${paperParams(m.params)} params, ${paperMacs(m.macs)} MACs, ${m.resolution} px`), hoverinfo: 'text' },
    { type: 'scatter', mode: 'lines+markers', name: 'MACs (ours)', x: phis, y: f.map((m) => m.macs), xaxis: 'x2', yaxis: 'y2', line: { color: PALETTE.complete }, text: f.map((m) => `φ ${m.phi}: ${paperMacs(m.macs)} MACs`), hoverinfo: 'text' },
  ];
  if (published.length > 0) {
    data.push(
      { type: 'scatter', mode: 'markers', name: 'published B1–B7 params', x: published.map((m) => m.phi), y: published.map((m) => m.published?.params), xaxis: 'x2', yaxis: 'y2', marker: { color: PALETTE.published, symbol: 'square', size: 9 }, text: published.map((m) => `${m.published?.model}: ${paperParams(m.published?.params ?? Number.NaN)} params (paper ${paperParams(m.published?.paper.params ?? Number.NaN)})`), hoverinfo: 'text' },
      { type: 'scatter', mode: 'markers', name: 'published B1–B7 MACs', x: published.map((m) => m.phi), y: published.map((m) => m.published?.macs), xaxis: 'x2', yaxis: 'y2', marker: { color: PALETTE.published, symbol: 'triangle-up', size: 9 }, text: published.map((m) => `${m.published?.model}: ${paperMacs(m.published?.macs ?? Number.NaN)} MACs (paper ${paperMacs(m.published?.paper.macs ?? Number.NaN)})`), hoverinfo: 'text' },
    );
  }
  return {
    id: 'family',
    title: 'The scaled family φ = 1…K from the best coefficients',
    caption: 'Left: the nominal cost multiplier (α·β²·γ²)^φ against the realized MACs ratio (channel, repeat and resolution rounding make them differ). Right: exact params and MACs of each member' + (published.length > 0 ? ', beside the published EfficientNet-B1…B7.' : '.'),
    data,
    layout: baseLayout({ xaxis: { title: { text: 'φ' }, domain: [0, 0.45], dtick: 1 }, yaxis: { title: { text: 'cost multiplier (×)' }, type: 'log' }, xaxis2: { title: { text: 'φ' }, domain: [0.55, 1], anchor: 'y2', dtick: 1 }, yaxis2: { title: { text: 'count' }, type: 'log', anchor: 'x2' } }),
  };
}

/** Points shown with their seeds' mean and 95% CI: the best few by mean, which is where a tie matters. */
const POINTS_WITH_ERROR_BARS = 30;

/**
 * Several seeds per point: each point's mean objective with its Student-t 95% confidence interval, best first, the
 * points Welch's test cannot separate from the best in the best's colour.
 */
function seedsFigure(d: ReportData): Figure {
  const b = d.summary.bestByMean;
  const tied = new Set([...(b?.tiedWith ?? []), ...(b === null ? [] : [b.gridId])]);
  const sign = d.config.objective.direction === 'maximize' ? -1 : 1;
  const shown = d.summary.pointSummaries.filter((p) => p.value !== null).sort((x, y) => sign * ((x.value?.mean ?? 0) - (y.value?.mean ?? 0)) || x.gridIndex - y.gridIndex).slice(0, POINTS_WITH_ERROR_BARS);
  const half = (p: (typeof shown)[number], side: 0 | 1): number => {
    const v = p.value;
    if (v === null || v.ci95 === null) return 0;
    return side === 1 ? v.ci95[1] - v.mean : v.mean - v.ci95[0];
  };
  const objective = d.config.objective.expression;
  return {
    id: 'seeds',
    title: `${objective} by grid point over ${d.config.seeds} seeds`,
    caption: `Mean ${objective} of each grid point over its seeds, with the Student-t 95% confidence interval of the mean; the best ${shown.length} by mean. Gold: the best and the points Welch's t-test cannot tell from it (p ≥ 0.05).`,
    data: [
      {
        type: 'scatter', mode: 'markers', name: 'mean ± 95% CI', x: shown.map((p) => plotlyText(p.gridId)), y: shown.map((p) => p.value?.mean ?? null),
        error_y: { type: 'data', symmetric: false, array: shown.map((p) => half(p, 1)), arrayminus: shown.map((p) => half(p, 0)), thickness: 1.5, width: 4 },
        marker: { size: 9, color: shown.map((p) => (tied.has(p.gridId) ? PALETTE.best : PALETTE.complete)) },
        hovertemplate: '%{x}<br>mean %{y:.4f}<extra></extra>',
      },
    ],
    layout: baseLayout({ xaxis: { title: { text: 'grid point' }, type: 'category', tickangle: -45 }, yaxis: { title: { text: plotlyText(objective) } }, margin: { l: 70, r: 30, t: 30, b: 140 }, height: 460 }),
  };
}

/** Above this many trials a report opens on its learning curves (a percentile band: the same cost at any size). */
const LARGE_STUDY_TRIALS = 2000;

/**
 * In page order. The first screen holds one figure, so it is the cheapest to draw at any size (0.55 s for 10,000
 * trials here, against 2.6 s for the cost figure's 30,000 markers and 4 s for the WebGL 3-D grid); the others draw
 * when scrolled to.
 */
export function reportFigures(d: ReportData): Figure[] {
  // The first screen is drawn before the page is usable: with thousands of trials, the optimization history (one SVG
  // marker per trial: ~0.5 s at 10,000) goes second, behind the summarized learning curves (~0.06 s).
  const large = d.trials.length > LARGE_STUDY_TRIALS;
  const history = [historyFigure(d), ...(d.config.seeds > 1 ? [seedsFigure(d)] : [])];
  const curves = curvesFigure(d);
  return [...(large ? [curves, ...history] : history), costFigure(d), heatmapFigure(d), gridFigure(d), ...(large ? [] : [curves]), parallelFigure(d), stagesFigure(d), familyFigure(d)];
}
