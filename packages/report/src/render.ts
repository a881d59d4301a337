/** Writing a report: the HTML and the tables beside it, each file written whole (temp + rename). */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@scalelab/search';
import type { OpenedStudy } from '@scalelab/search';
import { loadReportData, reportData } from './data.js';
import type { ReportData } from './data.js';
import { reportFigures } from './figures.js';
import { reportHtml } from './page.js';
import { comparisonFigures } from './comparison-figures.js';
import { comparisonTables } from './comparison-tables.js';
import { reportTables, trialsCsv } from './tables.js';

let plotly: string | undefined;

/** plotly.js, minified (plotly.js-dist-min: the same build as plotly.js-dist at 4.9 MB instead of 11 MB, so a report parses in half the time), read once. */
export function plotlySource(): string {
  plotly ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-dist-min'), 'utf8');
  return plotly;
}

export interface WrittenReport {
  readonly html: string;
  readonly tables: readonly string[];
  readonly data: ReportData;
}

/**
 * Report the study in `dir`: `report.html` (or `htmlPath`) and the tables beside the HTML. `opened`: the study as
 * already read (`openStudy`, which also reads journals kept in Redis); without it, `dir`'s file journal.
 */
export function writeReport(dir: string, htmlPath = join(dir, 'report.html'), opened?: OpenedStudy): WrittenReport {
  const data = opened === undefined ? loadReportData(dir) : reportData(opened);
  const figures = data.comparison === null ? reportFigures(data) : comparisonFigures(data, data.comparison);
  const tables: Readonly<Record<string, string>> = data.comparison === null ? { ...reportTables(data) } : { ...comparisonTables(data.comparison), 'trials.csv': trialsCsv(data.trials) };
  const out = dirname(htmlPath);
  mkdirSync(out, { recursive: true });
  writeFileAtomic(htmlPath, reportHtml(data, figures, plotlySource()));
  const written = Object.entries(tables).map(([file, text]) => {
    const path = join(out, file);
    writeFileAtomic(path, text);
    return path;
  });
  return { html: htmlPath, tables: written, data };
}
