/**
 * Rendering a 1,000-trial study's report: a journal written as a search writes it (1,000 candidates of a fine
 * grid, 10-epoch curves, 5% FAIL, 10% PRUNED), `writeReport`, then the HTML opened from file:// in headless
 * Chromium (playwright-core), timed from navigation to every figure drawn. Target: under 5 s.
 * Writes results/benchmarks/report.json.
 *
 *   npm run bench:report
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zooModel } from '@scalelab/arch';
import { seededRandom } from '@scalelab/engine';
import { JOURNAL_FILE, JournalFileStorage, OP, Study, candidateOps, failOps, finishOp, optunaDatetime, parseConfigInput, planStudy, readJournalFile, resolveConfig, studyDir, userAttrOps } from '@scalelab/search';
import { launchChromium, plotlySource, writeReport } from '@scalelab/report';

const TRIALS = 1000;
const out = mkdtempSync(join(tmpdir(), 'scalelab-bench-report-'));
const config = resolveConfig([parseConfigInput({ name: 'thousand', dataset: 'synthetic', resolution: 16, space: { step: 0.005, tolerance: 0.02 }, budget: { epochs: 10 }, workers: 2 }, 'benchmark')]);
const plan = planStudy(config, zooModel('proxy-b0'), { name: 'synthetic', channels: 3, classes: 10, trainCount: 800, testCount: 200 }, studyDir(out, config.name));
if (plan.candidates.length < TRIALS) throw new Error(`grid has ${plan.candidates.length} points, fewer than ${TRIALS}`);
// A study created as a search creates it; its trials appended with the search's own trial codec (no training).
await (await Study.create(plan)).close();
const journal = join(plan.dir, JOURNAL_FILE);
const storage = JournalFileStorage.openForAppend(journal, readJournalFile(journal));
const random = seededRandom(1);
const distribution = { low: 1, high: 2, step: 0.005 };
const distributions = { alpha: distribution, beta: { ...distribution, high: 1.5 }, gamma: { ...distribution, high: 1.5 } };
for (let i = 0; i < TRIALS; i++) {
  const c = plan.candidates[Math.floor((i * plan.candidates.length) / TRIALS)];
  if (c === undefined) break;
  const id = await storage.createTrial(optunaDatetime(new Date()));
  await storage.append([...candidateOps(id, c, 1, 0, distributions, null), ...userAttrOps(id, { backend: 'wasm' })]);
  const u = random();
  const final = 0.9 + 0.05 * Math.sin(3 * c.alpha) * Math.cos(2 * c.beta) + 0.02 * random();
  const epochs = u < 0.1 ? 3 : 10;
  for (let e = 1; e <= epochs; e++) await storage.append([{ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, trial_id: id, step: e, intermediate_value: final * (1 - Math.exp(-e / 2.5)) }]);
  if (u < 0.05) await storage.append(failOps(id, 'training diverged: the loss became NaN at step 12'));
  else if (u < 0.15) await storage.append([finishOp(id, 'PRUNED', null)]);
  else await storage.append([...userAttrOps(id, { accuracy: final }), finishOp(id, 'COMPLETE', final)]);
}
await storage.close();

const t0 = performance.now();
const written = writeReport(plan.dir);
const writeSeconds = (performance.now() - t0) / 1000;

// The floor under any plotly.js-dist page: the same library inlined in an otherwise empty page.
const floorPage = join(out, 'plotly-only.html');
writeFileSync(floorPage, `<!doctype html><html><body><script>${plotlySource()}</script><script>document.documentElement.setAttribute('data-rendered', '0')</script></body></html>`);

const browser = await launchChromium();
const runs: number[] = [];
const floor: number[] = [];
try {
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(pathToFileURL(floorPage).href);
    await page.waitForSelector('html[data-rendered]', { timeout: 120_000 });
    floor.push((performance.now() - start) / 1000);
    await context.close();
  }
  for (let i = 0; i < 3; i++) {
    // A fresh context each time: no cache shared with the previous run.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(pathToFileURL(written.html).href);
    await page.waitForSelector('html[data-rendered], html[data-render-error]', { timeout: 120_000 });
    runs.push((performance.now() - start) / 1000);
    const error = await page.getAttribute('html', 'data-render-error');
    if (error !== null) throw new Error(error);
    await context.close();
  }
} finally {
  await browser.close();
}
const sorted = [...runs].sort((a, b) => a - b);
const result = {
  benchmark: 'report',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, browser: 'Debian chromium, headless, software WebGL' },
  trials: TRIALS,
  htmlBytes: statSync(written.html).size,
  writeReportSeconds: writeSeconds,
  renderSeconds: { runs, median: sorted[1], first: runs[0] },
  plotlyOnlyPageSeconds: { runs: floor, median: [...floor].sort((a, b) => a - b)[1] },
  reportOverPlotlySeconds: (sorted[1] ?? Number.NaN) - ([...floor].sort((a, b) => a - b)[1] ?? Number.NaN),
  targetSeconds: 5,
  met: (sorted[1] ?? Infinity) < 5,
};
const dir = join(process.cwd(), 'results/benchmarks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
