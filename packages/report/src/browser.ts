/**
 * Headless Chromium through playwright-core (no browser download: the system's Chromium), for `--png` / `--pdf`
 * exports of the report. The launch flags keep Chromium off the network entirely.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { ReportError } from './errors.js';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  const fromEnv = process.env.SCALELAB_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-quic'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new ReportError('NO_BROWSER', `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}; set SCALELAB_CHROMIUM to its path)`);
  // Loaded on demand: playwright-core takes a second to import, and only --png / --pdf need it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Open the report from file://, draw every figure, then print it as PNG (full page) or PDF. */
export async function exportReport(htmlPath: string, outputs: { png?: string; pdf?: string }): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pathToFileURL(htmlPath).href);
    // Figures draw as they scroll into view; a printout needs them all.
    await page.evaluate('window.scalelabRenderAll && window.scalelabRenderAll()').catch(() => undefined);
    await page.waitForSelector('html[data-rendered], html[data-render-error]', { timeout: 120_000 });
    const error = await page.getAttribute('html', 'data-render-error');
    if (error !== null) throw new ReportError('RENDER_FAILED', `the report did not render: ${error}`);
    if (outputs.png !== undefined) await page.screenshot({ path: outputs.png, fullPage: true });
    if (outputs.pdf !== undefined) {
      await page.emulateMedia({ media: 'screen' });
      await page.pdf({ path: outputs.pdf, format: 'A4', landscape: true, printBackground: true, scale: 0.6 });
    }
  } finally {
    await browser.close();
  }
}
