/**
 * A strategy comparison's figures (EfficientNet's Fig. 3 and Table 3, Dollár et al.'s Fig. 1, with error bars):
 * accuracy (mean, 95% CI) against realized MACs, one line per strategy; params, activations, training images/s and
 * inference latency against MACs; for an efficientnet-b0 baseline, the published B1–B7 as reference points.
 */
import { EFFICIENTNET_PAPER_TABLE } from '@scalelab/arch';
import type { ComparedPoint, ComparisonResult } from '@scalelab/search';
import type { ReportData } from './data.js';
import { plotlyText } from './escape.js';
import type { Figure, PlotTrace } from './figures.js';
import { PALETTE, baseLayout } from './figures.js';
import { paperMacs, paperParams } from './format.js';

/** Each strategy's points in cost order, with its colour. */
function byStrategy(c: ComparisonResult): { strategy: string; color: string; points: ComparedPoint[] }[] {
  const order = [...new Set(c.points.map((p) => p.strategy))];
  return order.map((strategy, i) => ({
    strategy,
    color: PALETTE.stages[i % PALETTE.stages.length] ?? PALETTE.complete,
    points: c.points.filter((p) => p.strategy === strategy).sort((a, b) => a.macs - b.macs),
  }));
}

function pointText(p: ComparedPoint): string {
  const acc = p.accuracy;
  return [
    `<b>${plotlyText(p.strategy)}</b> at ${p.target}× (realized ×${p.macsRatio.toFixed(3)}, s = ${p.s.toFixed(4)})`,
    `d ${p.multipliers.depth.toFixed(3)}  w ${p.multipliers.width.toFixed(3)}  r ${p.multipliers.resolution.toFixed(3)} → ${p.resolution} px`,
    `MACs ${paperMacs(p.macs)}  params ${paperParams(p.params)}`,
    acc === null ? 'not trained yet' : `accuracy ${(100 * acc.mean).toFixed(2)}%${acc.ci95 === null ? '' : ` (95% CI ${(100 * acc.ci95[0]).toFixed(2)}–${(100 * acc.ci95[1]).toFixed(2)}%)`}, n = ${acc.n}`,
  ].join('<br>');
}

function accuracyFigure(d: ReportData, c: ComparisonResult): Figure {
  const data: PlotTrace[] = byStrategy(c).map(({ strategy, color, points }) => {
    const trained = points.filter((p) => p.accuracy !== null);
    return {
      type: 'scatter', mode: 'lines+markers', name: plotlyText(strategy),
      x: trained.map((p) => p.macs), y: trained.map((p) => p.accuracy?.mean ?? null),
      error_y: { type: 'data', symmetric: false, array: trained.map((p) => (p.accuracy?.ci95 === null || p.accuracy === null ? 0 : p.accuracy.ci95[1] - p.accuracy.mean)), arrayminus: trained.map((p) => (p.accuracy?.ci95 === null || p.accuracy === null ? 0 : p.accuracy.mean - p.accuracy.ci95[0])), thickness: 1.5, width: 5 },
      text: trained.map(pointText), hoverinfo: 'text', line: { color, width: 2 }, marker: { color, size: 9 },
    };
  });
  return {
    id: 'compare-accuracy',
    title: 'Accuracy against realized cost, by scaling strategy',
    caption: `Test accuracy on ${d.datasetInfo.name} (mean of ${c.seeds} seed(s); bars: Student-t 95% confidence interval of the mean) against each network's exact MACs after rounding (log scale); points of one strategy are joined in cost order.`,
    data,
    layout: baseLayout({ xaxis: { title: { text: 'MACs (multiply-adds), realized' }, type: 'log' }, yaxis: { title: { text: 'test accuracy' }, tickformat: '.1%' } }),
  };
}

function costFigure(d: ReportData, c: ComparisonResult): Figure {
  const panels = [
    { key: 'params', label: 'parameters', axis: '', value: (p: ComparedPoint): number | null => p.params },
    { key: 'activations', label: 'activations (output elements)', axis: '2', value: (p: ComparedPoint): number | null => p.activations },
    { key: 'images', label: 'training images/s', axis: '3', value: (p: ComparedPoint): number | null => p.imagesPerSecond },
    { key: 'latency', label: 'inference ms (batch 1)', axis: '4', value: (p: ComparedPoint): number | null => p.latencyMs.batch1 },
  ] as const;
  const data: PlotTrace[] = [];
  const groups = byStrategy(c);
  panels.forEach((panel, i) => {
    for (const { strategy, color, points } of groups) {
      const shown = points.filter((p) => panel.value(p) !== null);
      data.push({
        type: 'scatter', mode: 'lines+markers', name: plotlyText(strategy), legendgroup: strategy, showlegend: i === 0,
        x: shown.map((p) => p.macs), y: shown.map(panel.value), text: shown.map(pointText), hoverinfo: 'text',
        xaxis: `x${panel.axis}`, yaxis: `y${panel.axis}`, line: { color, width: 2 }, marker: { color, size: 7 },
      });
    }
  });
  // EfficientNet-B1…B7 as published (params and "FLOPS", i.e. MACs), beside an efficientnet-b0 comparison.
  if (d.config.baseline === 'efficientnet-b0') {
    const published = Object.entries(EFFICIENTNET_PAPER_TABLE).filter(([model]) => model !== 'efficientnet-b0');
    data.push({
      type: 'scatter', mode: 'markers+text', name: 'published B1–B7 (paper)', x: published.map(([, p]) => p.macs), y: published.map(([, p]) => p.params),
      text: published.map(([model]) => model.replace('efficientnet-', '').toUpperCase()), textposition: 'top center', hoverinfo: 'x+y+text',
      marker: { color: PALETTE.published, symbol: 'square', size: 9 },
    });
  }
  const axes: Record<string, unknown> = {};
  panels.forEach((panel, i) => {
    const col = i % 2;
    const row = Math.floor(i / 2);
    axes[`xaxis${panel.axis}`] = { title: { text: 'MACs, realized' }, type: 'log', domain: [col * 0.53, col * 0.53 + 0.47], anchor: `y${panel.axis}` };
    axes[`yaxis${panel.axis}`] = { title: { text: panel.label }, type: 'log', domain: [row === 0 ? 0.56 : 0, row === 0 ? 1 : 0.44], anchor: `x${panel.axis}` };
  });
  return {
    id: 'compare-cost',
    title: 'What the same cost buys: parameters, activations, speed',
    caption: `Exact parameters and activations, and measured training images/s and inference latency on ${d.summary.backends.join(', ') || 'the trials\u2019 backend'}, against realized MACs (log–log). Dollár et al. (2021): at equal FLOPs, runtime follows activations more than parameters.${d.config.baseline === 'efficientnet-b0' ? ' Squares: EfficientNet-B1…B7 as published (Table 2).' : ''}`,
    data,
    layout: baseLayout({ ...axes, height: 720 }),
  };
}

/** A comparison's figures: accuracy (with 95% CIs) against realized MACs per strategy, and what the same cost buys. */
export function comparisonFigures(d: ReportData, c: ComparisonResult): Figure[] {
  return [accuracyFigure(d, c), costFigure(d, c)];
}
