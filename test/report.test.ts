/**
 * `scalelab report` end to end: a small real study (halving, so some trials are PRUNED; an objective that is
 * NaN for the two cheapest candidates, so some FAIL; a hostile description), its tables, and the HTML opened
 * from file:// in Debian's Chromium driven by playwright-core: every figure drawn, no console error, no network
 * request, the description shown as text. Saves a screenshot under results/screenshots/.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CLI = join(process.cwd(), 'packages/cli/dist/main.js');
const OUT = mkdtempSync(join(tmpdir(), 'scalelab-report-'));
const HOSTILE = '<img src=x onerror=alert(1)> & "quotes" </script><script>alert(2)</script>';
const DIR = join(OUT, 'hostile');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.before(() => {
  // 16-px candidates of proxy-b0 have 414,768 MACs (α-only) up to 569,520: log(macs − 420,000) is NaN for two.
  const r = cli('search', '--name', 'hostile', '--description', HOSTILE, '--out', OUT, '--dataset', 'synthetic', '--resolution', '16', '--step', '0.25', '--tolerance', '0.3', '--steps', '4', '--batch', '32', '--halving', '2', '--objective', 'accuracy + log(macs - 420000) / 100', '--workers', '2');
  if (r.code !== 0) throw new Error(`search failed: ${r.stderr}`);
});

test.serial('report writes the HTML and the tables; numbers formatted as in papers', (t) => {
  const r = cli('report', DIR);
  t.is(r.code, 0, r.stderr);
  for (const f of ['report.html', 'trials.csv', 'trials.md', 'family.md', 'trials.tex', 'family.tex']) t.true(existsSync(join(DIR, f)), f);
  const csv = readFileSync(join(DIR, 'trials.csv'), 'utf8').trim().split('\r\n');
  t.is(csv[0]?.split(',')[0], 'trial');
  const states = csv.slice(1).map((line) => line.split(',')[2]);
  t.true(states.includes('COMPLETE') && states.includes('PRUNED') && states.includes('FAIL'), states.join(' '));
  const tex = readFileSync(join(DIR, 'trials.tex'), 'utf8');
  t.regex(tex, /\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
  t.regex(tex, /\d+(\.\d)?K &/); // params of 16-px proxies: e.g. 209K
  const family = readFileSync(join(DIR, 'family.md'), 'utf8').trim().split('\n');
  t.is(family.length, 2 + 7); // head, rule, φ = 1…7
  const html = readFileSync(join(DIR, 'report.html'), 'utf8');
  t.false(html.includes(HOSTILE));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.false(/<script[^>]+src=/i.test(html), 'no external script');
  t.false(/<link[^>]+href=/i.test(html), 'no external stylesheet');
});

test.serial('a crashed study (a trial left RUNNING, a torn last line) is reported read-only', (t) => {
  const crashed = join(OUT, 'crashed');
  mkdirSync(crashed);
  const lines = readFileSync(join(DIR, 'journal.log'), 'utf8').trim().split('\n');
  // Drop the last trial's final state line: it is RUNNING, as after a SIGKILL; then a torn write.
  const lastState = lines.map((l) => (JSON.parse(l) as { op_code: number }).op_code).lastIndexOf(6);
  const journal = `${[...lines.slice(0, lastState), ...lines.slice(lastState + 1)].join('\n')}\n{"op_code": 7, "worker_id": "x", "tri`;
  writeFileSync(join(crashed, 'journal.log'), journal);
  const r = cli('report', crashed);
  t.is(r.code, 0, r.stderr);
  const states = readFileSync(join(crashed, 'trials.csv'), 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',')[2]);
  t.true(states.includes('RUNNING'), states.join(' '));
  t.is(readFileSync(join(crashed, 'journal.log'), 'utf8'), journal, 'the journal is not touched');
});

test.serial('a missing or unreadable journal is a one-line error with exit 2', (t) => {
  const missing = cli('report', join(OUT, 'nothing-here'));
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no study at/);
  mkdirSync(join(OUT, 'empty'));
  const empty = cli('report', join(OUT, 'empty'));
  t.is(empty.code, 2);
  t.regex(empty.stderr, /no journal at/);
});

test.serial('in headless Chromium from file://: every figure drawn, no console error, no network request, the hostile description as text', async (t) => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const url = pathToFileURL(join(DIR, 'report.html')).href;
    page.on('request', (r) => {
      if (r.url() !== url && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) requests.push(r.url());
    });
    await page.goto(url);
    await page.waitForSelector('html[data-first-screen], html[data-render-error]', { timeout: 120_000 });
    // Figures below the first screen are drawn when scrolled to; scrolling the whole page draws them all.
    for (let y = 0; y < 20_000; y += 600) await page.mouse.wheel(0, 600);
    await page.waitForSelector('html[data-rendered], html[data-render-error]', { timeout: 120_000 });
    t.is(await page.getAttribute('html', 'data-render-error'), null);
    const plots = await page.$$eval('.plot', (els) => els.map((el) => ({ id: el.id, svg: el.querySelector('svg.main-svg') !== null })));
    t.is(plots.length, 8);
    for (const p of plots) t.true(p.svg, `${p.id} has an SVG`);
    t.deepEqual(errors, []);
    t.deepEqual(requests, []);
    t.deepEqual(dialogs, []);
    t.is(await page.textContent('#study-description'), HOSTILE);
    t.is(await page.$$eval('img', (imgs) => imgs.length), 0);
    const dir = join(process.cwd(), 'results/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    t.true(statSync(join(dir, 'report.png')).size > 50_000);
  } finally {
    await browser.close();
  }
});

test.serial('a hostile journal (grid ids with links and formulas) is shown as text in every format; the CSP holds', async (t) => {
  const dir = join(OUT, 'hostile-ids');
  mkdirSync(dir);
  const LINK = '<a href="https://evil.example/">click</a>';
  const FORMULA = '=HYPERLINK("https://evil.example","x")';
  let text = readFileSync(join(DIR, 'journal.log'), 'utf8');
  const ids = [...new Set([...text.matchAll(/"grid_id":"([^"]+)"/g)].map((m) => m[1] ?? ''))];
  text = text.split(`"grid_id":"${ids[0] ?? ''}"`).join(`"grid_id":${JSON.stringify(LINK)}`).split(`"grid_id":"${ids[1] ?? ''}"`).join(`"grid_id":${JSON.stringify(FORMULA)}`);
  writeFileSync(join(dir, 'journal.log'), text);
  const r = cli('report', dir);
  t.is(r.code, 0, r.stderr);
  const csv = readFileSync(join(dir, 'trials.csv'), 'utf8');
  t.true(csv.includes(`"'=HYPERLINK(""https://evil.example"",""x"")"`), 'the formula is prefixed and quoted');
  t.false(/(^|,)=HYPERLINK/m.test(csv));
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  t.regex(csp, /script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
  t.false(csp.includes('unsafe-eval'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => { document.documentElement.dataset.violations = (document.documentElement.dataset.violations || '') + ' ' + e.violatedDirective; });" });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.evaluate('window.scalelabRenderAll()');
    await page.waitForSelector('html[data-rendered], html[data-render-error]', { timeout: 120_000 });
    t.is(await page.getAttribute('html', 'data-render-error'), null);
    // Hover every point of the cost figure: hover labels are where plotly renders a trial's grid id.
    const box = await page.locator('#plot-cost').boundingBox();
    for (let x = 0; box !== null && x < box.width; x += 12) await page.mouse.move(box.x + x, box.y + box.height / 2);
    t.is(await page.$$eval('a[href*="evil"]', (as) => as.length), 0, 'no live link anywhere');
    t.true((await page.textContent('#trials-table'))?.includes(LINK) ?? false, 'the trials table shows the grid id as text');
    t.is(await page.getAttribute('html', 'data-violations'), null, 'no CSP violation');
  } finally {
    await browser.close();
  }
});

test.serial('--png and --pdf print the same page through headless Chromium', (t) => {
  const r = cli('report', DIR, '--out', join(OUT, 'export', 'study.html'), '--png', '--pdf');
  t.is(r.code, 0, r.stderr);
  t.deepEqual([...readFileSync(join(OUT, 'export', 'study.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  t.is(readFileSync(join(OUT, 'export', 'study.pdf')).subarray(0, 5).toString(), '%PDF-');
  t.true(existsSync(join(OUT, 'export', 'trials.csv')));
});
