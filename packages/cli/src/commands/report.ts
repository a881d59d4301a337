import { dirname, join, resolve } from 'node:path';
import { parseFlags, stringFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { storageFlag } from '../storage.js';

export const REPORT_HELP = `Usage: scalelab report <study-dir> [--out FILE] [--png] [--pdf] [--storage redis://HOST:PORT[/DB]]

Turn a study's journal (complete, still running, crashed, or with failed trials) into one self-contained
interactive HTML report (plotly.js inlined; it works offline and makes no network request), plus tables beside
it: trials.csv, trials.md, family.md, trials.tex and family.tex (booktabs; numbers as papers print them).

Options:
  --out FILE   the HTML file (default <study-dir>/report.html); the tables go beside it
  --png        also a full-page screenshot (report.png) through headless Chromium
  --pdf        also a PDF (report.pdf) through headless Chromium
  --storage U  read the journal from this Redis (default: where the study's config.json says it is)
  -h, --help   this help

Examples:
  scalelab report results/mnist-demo
  scalelab report results/mnist-demo --out paper/figures/search.html --pdf`;

export async function reportCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, { out: { type: 'string' }, png: { type: 'boolean' }, pdf: { type: 'boolean' }, storage: { type: 'string' } }, 'report');
  if (p.values.help === true) return REPORT_HELP;
  const [dir, ...extra] = p.positionals;
  if (dir === undefined) throw new UsageError(`missing <study-dir>: a folder with a journal.log, e.g. results/<name> (see 'scalelab report --help')`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see 'scalelab report --help')`);
  const storage = await storageFlag(p);
  const report = await import('@scalelab/report');
  const htmlPath = resolve(stringFlag(p, 'out') ?? join(dir, 'report.html'));
  const wantPng = p.values.png === true;
  const wantPdf = p.values.pdf === true;
  if ((wantPng || wantPdf) && report.chromiumPath() === undefined) throw new UsageError('--png and --pdf print the page through headless Chromium, and none was found (install Debian\'s chromium, or set SCALELAB_CHROMIUM to its path)');
  const opened = await (await import('@scalelab/search')).openStudy(dir, storage === undefined ? {} : { storage });
  const written = report.writeReport(dir, htmlPath, opened);
  const base = htmlPath.replace(/\.html?$/i, '');
  const outputs = { ...(wantPng ? { png: `${base}.png` } : {}), ...(wantPdf ? { pdf: `${base}.pdf` } : {}) };
  if (wantPng || wantPdf) await report.exportReport(htmlPath, outputs);
  const s = written.data.summary;
  return [
    `report of study ${s.study}: ${s.trials} trials (${s.points.complete} complete, ${s.points.failed} failed, ${s.points.pruned} pruned, ${s.points.pending} pending of ${s.gridPoints} grid points)`,
    `wrote ${written.html}`,
    `      ${written.tables.map((t) => t.slice(dirname(htmlPath).length + 1)).join(', ')} in ${dirname(htmlPath)}`,
    ...Object.values(outputs).map((o) => `wrote ${o}`),
  ].join('\n');
}
