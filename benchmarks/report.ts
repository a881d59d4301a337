/**
 * Reports of large studies: 1,000- and 10,000-trial journals written as a search writes them (candidates of a
 * fine grid, 10-epoch curves, 5% FAIL, 10% PRUNED), `writeReport`, then each HTML opened from file:// in headless
 * Chromium (playwright-core), side by side in one run with the floor — a page holding only plotly.js — rounds
 * alternated. Per page: time to the first screen drawn (`data-first-screen`), time until every figure is drawn
 * once the rest is asked for (`scalelabRenderAll`, as scrolling does), and the file size.
 * Target: first screen ≤ floor + 1 s at both sizes. Writes results/benchmarks/report.json.
 *
 *   npm run bench:report
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zooModel } from '@scalelab/arch';
import { seededRandom } from '@scalelab/engine';
import { JOURNAL_FILE, JournalFileStorage, OP, Study, failOps, finishOp, pointTemplate, parseConfigInput, planStudy, readJournalFile, resolveConfig, studyDir, userAttrOps } from '@scalelab/search';
import { launchChromium, plotlySource, writeReport } from '@scalelab/report';

const SIZES = [1000, 10_000] as const;
const ROUNDS = 3;
const out = mkdtempSync(join(tmpdir(), 'scalelab-bench-report-'));

/** A study of `trials` trials, written with the search's own Study and trial codec (no training). */
async function writeStudy(trials: number): Promise<string> {
  // γ solved from α and β on a 0.004 lattice: 10,909 feasible points.
  const config = resolveConfig([parseConfigInput({ name: `trials-${trials}`, dataset: 'synthetic', resolution: 16, space: { step: 0.004, mode: 'solve' }, budget: { epochs: 10 }, workers: 2 }, 'benchmark')]);
  const plan = planStudy(config, zooModel('proxy-b0'), { name: 'synthetic', channels: 3, classes: 10, trainCount: 800, testCount: 200 }, studyDir(out, config.name));
  if (plan.candidates.length < trials) throw new Error(`grid has ${plan.candidates.length} points, fewer than ${trials}`);
  await (await Study.create(plan)).close();
  const journal = join(plan.dir, JOURNAL_FILE);
  const storage = JournalFileStorage.openForAppend(journal, readJournalFile(journal));
  const random = seededRandom(1);
  for (let i = 0; i < trials; i++) {
    const index = Math.floor((i * plan.points.length) / trials);
    const c = plan.candidates[index];
    const point = plan.points[index];
    if (c === undefined || point === undefined) break;
    const id = await storage.createTrial(pointTemplate(point, null, 0, null));
    const u = random();
    const final = 0.9 + 0.05 * Math.sin(3 * c.alpha) * Math.cos(2 * c.beta) + 0.02 * random();
    const epochs = u < 0.1 ? 3 : 10;
    await storage.append([
      ...userAttrOps(id, { backend: 'wasm' }),
      ...Array.from({ length: epochs }, (_, e) => ({ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: id, step: e + 1, intermediate_value: final * (1 - Math.exp(-(e + 1) / 2.5)) }) as const),
      ...(u < 0.05 ? failOps(id, 'training diverged: the loss became NaN at step 12') : u < 0.15 ? [finishOp(id, 'PRUNED', null)] : [...userAttrOps(id, { accuracy: final }), finishOp(id, 'COMPLETE', final)]),
    ]);
  }
  await storage.close();
  return plan.dir;
}

const pages: { name: string; html: string; bytes: number; writeSeconds: number }[] = [];
const floorPage = join(out, 'plotly-only.html');
writeFileSync(floorPage, `<!doctype html><html><body><script>${plotlySource()}</script><script>document.documentElement.setAttribute('data-first-screen', '0'); document.documentElement.setAttribute('data-rendered', '0')</script></body></html>`);
pages.push({ name: 'plotly-only', html: floorPage, bytes: statSync(floorPage).size, writeSeconds: 0 });
for (const trials of SIZES) {
  const dir = await writeStudy(trials);
  const t0 = performance.now();
  const written = writeReport(dir);
  pages.push({ name: `${trials} trials`, html: written.html, bytes: statSync(written.html).size, writeSeconds: (performance.now() - t0) / 1000 });
}

const times = new Map(pages.map((p) => [p.name, { firstScreen: [] as number[], allFigures: [] as number[] }]));
const browser = await launchChromium();
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round, so drift in the machine's speed falls on every page alike.
    for (const p of round % 2 === 0 ? pages : [...pages].reverse()) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(pathToFileURL(p.html).href);
      await page.waitForSelector('html[data-first-screen], html[data-render-error]', { timeout: 300_000 });
      const first = (performance.now() - start) / 1000;
      await page.evaluate('window.scalelabRenderAll && window.scalelabRenderAll()');
      await page.waitForSelector('html[data-rendered], html[data-render-error]', { timeout: 300_000 });
      const all = (performance.now() - start) / 1000;
      const error = await page.getAttribute('html', 'data-render-error');
      if (error !== null) throw new Error(`${p.name}: ${error}`);
      times.get(p.name)?.firstScreen.push(first);
      times.get(p.name)?.allFigures.push(all);
      await context.close();
    }
  }
} finally {
  await browser.close();
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const floor = median(times.get('plotly-only')?.firstScreen ?? []);
const result = {
  benchmark: 'report',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, browser: 'Debian chromium, headless, software WebGL' },
  method: `${ROUNDS} rounds, pages alternated; each load in a fresh browser context at 1400×900; seconds from navigation`,
  plotlyOnlyPage: { bytes: pages[0]?.bytes, seconds: times.get('plotly-only')?.firstScreen, median: floor },
  reports: pages.slice(1).map((p) => {
    const t = times.get(p.name) ?? { firstScreen: [], allFigures: [] };
    return {
      trials: Number.parseInt(p.name, 10),
      htmlBytes: p.bytes,
      dataBytesBeyondPlotly: p.bytes - (pages[0]?.bytes ?? 0),
      writeReportSeconds: p.writeSeconds,
      firstScreenSeconds: { runs: t.firstScreen, median: median(t.firstScreen) },
      firstScreenOverFloorSeconds: median(t.firstScreen) - floor,
      everyFigureSeconds: { runs: t.allFigures, median: median(t.allFigures) },
      target: 'first screen ≤ floor + 1 s',
      met: median(t.firstScreen) - floor <= 1,
    };
  }),
};
const dir = join(process.cwd(), 'results/benchmarks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
