/**
 * The report page: one self-contained HTML file — plotly.js (plotly.js-dist-min) inlined, the figures as JSON, every user string
 * escaped, and a Content-Security-Policy that forbids any network request.
 */
import { createHash } from 'node:crypto';
import type { ReportData } from './data.js';
import { escapeHtml, jsonForScript } from './escape.js';
import type { Figure } from './figures.js';
import { PALETTE, TRIAL_TEXT, trialHoverTexts } from './figures.js';
import { duration, fixed, paperMacs, paperParams, percent } from './format.js';
import { COMPARISON_COLUMNS, FIT_COLUMNS } from './comparison-tables.js';
import { rankedTrials } from './tables.js';
import type { Column } from './tables.js';

/**
 * The page's Content-Security-Policy. No fetch, no image, no font from anywhere: only what is in the file (data:
 * and blob: URLs plotly makes itself). Scripts run only when their hash is listed: plotly.js and the boot script,
 * nothing injected, and no eval (every figure, the WebGL 3-D grid included, draws and responds to the mouse
 * without it: test/report.test.ts listens for violations). What stays, and why: style-src 'unsafe-inline' (plotly
 * writes its styles into <style> elements and style attributes at run time); img-src data: blob: and worker-src
 * blob: (plotly's own image export and text measuring).
 */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).join(' ');
  return `default-src 'none'; script-src ${hashes}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; worker-src blob:; connect-src 'none'; base-uri 'none'; form-action 'none'`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #f4f5f7; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 20px 32px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
.description { white-space: pre-wrap; margin: 6px 0 12px; color: #444; max-width: 70em; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 4px 24px; margin: 0; }
.facts div { display: flex; gap: 8px; } .facts dt { color: #666; min-width: 7.5em; } .facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.best { background: #fff8e1; border: 1px solid ${PALETTE.best}; border-radius: 6px; padding: 10px 14px; margin-top: 12px; }
nav { margin: 12px 0 0; font-size: 14px; } nav a { margin-right: 14px; color: #1f5fa8; }
section { background: #fff; border: 1px solid #e1e3e6; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
.caption { color: #555; font-size: 14px; margin: 6px 0 0; }
.plot { width: 100%; min-height: 300px; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; } th { border-bottom: 2px solid #ccc; }
td.l, th.l { text-align: left; }
.state-FAIL { color: ${PALETTE.fail}; } .state-PRUNED { color: ${PALETTE.pruned}; } .state-RUNNING { color: ${PALETTE.running}; }
footer { color: #777; font-size: 13px; text-align: center; padding: 16px; }
`;

function fact(label: string, value: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

/** With several seeds: the best point by mean and what Welch's test says of the others. */
function tiedLine(d: ReportData): string {
  const b = d.summary.bestByMean;
  if (b === null) return '';
  const point = d.summary.pointSummaries.find((p) => p.gridId === b.gridId);
  const v = point?.value;
  const mean = v === null || v === undefined ? '–' : `${fixed(v.mean, 4)}${v.ci95 === null ? '' : ` (95% CI ${fixed(v.ci95[0], 4)}–${fixed(v.ci95[1], 4)}, n = ${v.n})`}`;
  const tied = b.tiedWith.length === 0 ? 'no other point is statistically tied with it' : `statistically tied with ${b.tiedWith.length} other point(s): ${b.tiedWith.join(', ')}`;
  return `<div class="best" id="best-by-mean"><b>Best by mean over seeds:</b> ${escapeHtml(b.gridId)} — ${escapeHtml(d.config.objective.expression)} ${escapeHtml(mean)}; ${escapeHtml(tied)} (Welch's t-test, p ≥ 0.05)${b.untestable.length === 0 ? '' : escapeHtml(`; ${b.untestable.length} point(s) with fewer than two completed seeds not tested`)}.</div>`;
}

function header(d: ReportData): string {
  const c = d.config;
  const s = d.summary;
  const space = c.space;
  const budget = c.budget.steps !== null ? `${c.budget.steps} steps` : `${c.budget.epochs} epoch(s)`;
  const best = s.best;
  const comparison = c.comparison;
  const facts = [
    fact('baseline', `${c.baseline} (${paperParams(d.baselineParams)} params, ${paperMacs(d.baselineMacs)} MACs)`),
    fact('dataset', `${d.datasetInfo.name} (${d.datasetInfo.trainCount} train / ${d.datasetInfo.testCount} test, ${d.datasetInfo.classes} classes)`),
    ...(comparison === null
      ? [
          fact('space', `α ${space.alpha.min}–${space.alpha.max}, β ${space.beta.min}–${space.beta.max}, γ ${space.gamma.min}–${space.gamma.max}, step ${space.step}`),
          fact('constraint', space.mode === 'solve' ? `γ solved: α·β²·γ² = ${space.target}` : `|α·β²·γ² − ${space.target}| ≤ ${space.tolerance}`),
          fact('φ', String(space.phi)),
        ]
      : [fact('strategies', comparison.strategies.join(', ')), fact('cost targets', `${comparison.targets.map((t) => `${t}×`).join(', ')} (${comparison.match} MACs)`)]),
    fact('seeds', String(c.seeds)),
    fact('objective', `${c.objective.direction} ${c.objective.expression}`),
    fact('budget', `${budget}, batch ${c.budget.batchSize}${c.budget.halving === null ? '' : `, successive halving η = ${c.budget.halving}`}`),
    fact('seed', String(c.seed)),
    fact('backend', s.backends.length === 0 ? '–' : s.backends.join(', ')),
    fact('workers', String(c.workers)),
    fact(comparison === null ? 'grid points' : 'points', `${s.gridPoints}${c.seeds > 1 ? ` × ${c.seeds} seeds` : ''}: ${s.points.complete} complete, ${s.points.failed} failed, ${s.points.pruned} pruned, ${s.points.pending} pending`),
    fact('trials', `${s.trials} (${Object.entries(s.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})`),
    fact('wall time', duration(s.wallSeconds)),
  ].join('');
  const bestLine = comparison !== null ? '' : best === null
    ? '<div class="best">No completed trial yet: no best coefficients.</div>'
    : `<div class="best"><b>Best:</b> α = ${escapeHtml(String(best.alpha))}, β = ${escapeHtml(String(best.beta))}, γ = ${escapeHtml(String(best.gamma))} (trial ${best.id}, ${escapeHtml(best.gridId)}) — ${escapeHtml(c.objective.expression)} = ${fixed(best.value, 4)}, accuracy ${percent(best.accuracy)}, ${paperParams(best.params ?? Number.NaN)} params, ${paperMacs(best.macs ?? Number.NaN)} MACs (nominal ×${fixed(best.nominalCost, 3)}, realized ×${fixed(best.macsRatio, 3)}), ${best.resolution ?? '–'} px</div>`;
  return `<header>
<h1>ScaleLab ${comparison === null ? 'study' : 'strategy comparison'}: <span id="study-name">${escapeHtml(c.name)}</span></h1>
${c.description === '' ? '' : `<p class="description" id="study-description">${escapeHtml(c.description)}</p>`}
<dl class="facts">${facts}</dl>
${bestLine}
${tiedLine(d)}
</header>`;
}

function familyTable(d: ReportData): string {
  const f = d.summary.family;
  if (f.length === 0) return '';
  const pub = f.some((m) => m.published !== null);
  const head = ['φ', 'depth', 'width', 'resolution', 'nominal', 'realized', 'params', 'MACs', ...(pub ? ['published', 'its params', 'its MACs', 'paper params', 'paper FLOPs'] : [])];
  const rows = f.map((m) => [String(m.phi), m.depth.toFixed(3), m.width.toFixed(3), String(m.resolution), `×${m.nominalCost.toFixed(2)}`, `×${m.realizedMacsRatio.toFixed(2)}`, paperParams(m.params), paperMacs(m.macs),
    ...(pub ? (m.published === null ? ['–', '–', '–', '–', '–'] : [m.published.model, paperParams(m.published.params), paperMacs(m.published.macs), paperParams(m.published.paper.params), paperMacs(m.published.paper.macs)]) : [])]);
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((x) => `<td>${escapeHtml(x)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** One HTML table from paper-table columns (the same columns the Markdown and LaTeX tables use). */
function htmlTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cls = (c: Column<T>): string => (c.right ? '' : ' class="l"');
  return `<table><thead><tr>${columns.map((c) => `<th${cls(c)}>${escapeHtml(c.head)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${columns.map((c) => `<td${cls(c)}>${escapeHtml(c.cell(r))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The sections after the figures: a comparison's Table 3 and fits, or a search's family and trials. */
function tableSections(d: ReportData): string {
  if (d.comparison !== null) {
    return `<section id="compare-table"><h2>Strategies × targets</h2>${htmlTable(COMPARISON_COLUMNS, d.comparison.points)}<p class="caption">EfficientNet's Table 3 for this baseline: each strategy at each cost target, realized after rounding; accuracy mean ± sample std over seeds. Beside the HTML: compare.md, compare.tex, compare.csv, compare.json.</p></section>
<section id="fits-table"><h2>Scaling exponents</h2>${htmlTable(FIT_COLUMNS, d.comparison.fits)}<p class="caption">Least-squares slope of ln(quantity) on ln(realized MACs ratio) per strategy, beside Dollár et al.'s (2021) theory for params and activations (latency and accuracy have none). Also fits.md.</p></section>`;
  }
  return `<section id="family-table"><h2>Family table</h2>${familyTable(d) || '<p>No completed trial: no family.</p>'}<p class="caption">Exact counts from the analyzer; "paper" columns are EfficientNet's Table 2 as printed (FLOPs there are multiply-adds). Beside the HTML: family.md, family.tex.</p></section>
<section id="trials-table"><h2>Trials</h2>${trialsTable(d)}<p class="caption">Beside the HTML: trials.csv, trials.md, trials.tex.</p></section>`;
}

const TOP_TRIALS = 25;

function trialsTable(d: ReportData): string {
  const { complete, others } = rankedTrials(d);
  const rows = [...complete.slice(0, TOP_TRIALS), ...others.slice(0, TOP_TRIALS)];
  const head = ['trial', 'grid id', 'α', 'β', 'γ', 'α·β²·γ²', 'MACs ratio', 'params', 'MACs', 'accuracy', 'objective', 'state', 'error'];
  const body = rows.map((t) => `<tr><td>${t.id}</td><td class="l">${escapeHtml(t.gridId)}</td><td>${t.alpha}</td><td>${t.beta}</td><td>${t.gamma}</td><td>${fixed(t.nominalCost, 3)}</td><td>${fixed(t.macsRatio, 3)}</td><td>${paperParams(t.params ?? Number.NaN)}</td><td>${paperMacs(t.macs ?? Number.NaN)}</td><td>${percent(t.accuracy)}</td><td>${fixed(t.value, 4)}</td><td class="l state-${t.state}">${t.state}</td><td class="l">${escapeHtml((t.error ?? '').slice(0, 100))}</td></tr>`).join('');
  const more = d.trials.length > rows.length ? `<p class="caption">The ${TOP_TRIALS} best completed trials and the first ${TOP_TRIALS} others; every trial is in trials.csv.</p>` : '';
  return `<table><thead><tr>${head.map((h, i) => `<th class="${i === 1 || i >= 11 ? 'l' : ''}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

function figureSection(f: Figure): string {
  return `<section id="fig-${f.id}"><h2>${escapeHtml(f.title)}</h2><div class="plot" id="plot-${f.id}"></div><p class="caption">${escapeHtml(f.caption)}</p></section>`;
}

/**
 * Draws figures as they scroll into view (a 10,000-trial report opens as fast as its first screen). The page
 * marks `data-first-screen` when the figures visible at load are drawn and `data-rendered` (their count) when all
 * are; `scalelabRenderAll()` draws the rest at once (for --png/--pdf, printing and tests). Traces whose `text` is
 * TRIAL_TEXT get each point's text from the trials' hover texts, by the trial index in `customdata`. Errors go to
 * `data-render-error`.
 */
const BOOT = `
(function () {
  var root = document.documentElement;
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var figures = read('scalelab-figures');
  var hover = read('scalelab-trial-hover');
  var config = { responsive: true, displaylogo: false, toImageButtonOptions: { format: 'svg' } };
  var drawn = {};
  var count = 0;
  var fail = function (e) { root.setAttribute('data-render-error', String(e)); throw e; };
  var texts = function (trace) {
    if (trace.text === '${TRIAL_TEXT}') trace.text = (trace.customdata || []).map(function (i) { return i === null || i < 0 ? null : hover[i]; });
    return trace;
  };
  var draw = function (f) {
    if (!drawn[f.id]) {
      drawn[f.id] = Plotly.newPlot('plot-' + f.id, f.data.map(texts), f.layout, config).then(function () {
        count++;
        if (count === figures.length) root.setAttribute('data-rendered', String(count));
      }, fail);
    }
    return drawn[f.id];
  };
  window.scalelabRenderAll = function () { return Promise.all(figures.map(draw)); };
  window.addEventListener('beforeprint', window.scalelabRenderAll);
  if (!('IntersectionObserver' in window)) { window.scalelabRenderAll(); return; }
  var byId = {};
  figures.forEach(function (f) { byId['plot-' + f.id] = f; });
  var first = true;
  var observer = new IntersectionObserver(function (entries) {
    var now = [];
    entries.forEach(function (e) {
      if (e.isIntersecting) { observer.unobserve(e.target); now.push(draw(byId[e.target.id])); }
    });
    if (first) {
      first = false;
      Promise.all(now).then(function () { root.setAttribute('data-first-screen', String(now.length)); });
    }
  }, { rootMargin: '0px' });
  figures.forEach(function (f) { observer.observe(document.getElementById('plot-' + f.id)); });
})();
`;

/** JSON for the page: floats to 6 significant digits (what a plot can show), so large studies stay small. */
function compactJson(value: unknown): string {
  return jsonForScript(value, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
}

export function reportHtml(d: ReportData, figures: readonly Figure[], plotlySource: string): string {
  const plotlyScript = plotlySource.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
  const nav = figures.map((f) => `<a href="#fig-${f.id}">${escapeHtml(f.title.split(':')[0] ?? f.id)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy([plotlyScript, BOOT])}">
<meta name="generator" content="ScaleLab">
<title>ScaleLab — ${escapeHtml(d.config.name)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(d)}
<main>
<nav>${nav}${d.comparison === null ? '<a href="#family-table">family table</a><a href="#trials-table">trials</a>' : '<a href="#compare-table">strategies × targets</a><a href="#fits-table">exponents</a>'}</nav>
${figures.map(figureSection).join('\n')}
${tableSections(d)}
</main>
<footer>Generated by ScaleLab on ${escapeHtml(d.generatedAt)} from journal.log (Optuna JournalStorage format).</footer>
<script>${plotlyScript}</script>
<script type="application/json" id="scalelab-figures">${compactJson(figures)}</script>
<script type="application/json" id="scalelab-trial-hover">${jsonForScript(trialHoverTexts(d))}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
