/**
 * One figure as a PNG, drawn by plotly in headless Chromium (the same library and page rules as the report): for
 * notebooks (tslab's display.png shows it in every front end, GitHub's viewer included) and for papers.
 */
import { escapeHtml } from './escape.js';
import type { Figure } from './figures.js';
import { launchChromium } from './browser.js';
import { plotlySource } from './render.js';

export interface FigureImageOptions {
  readonly width?: number;
  readonly height?: number;
  /** Device pixels per CSS pixel (2: sharp on high-density screens). */
  readonly scale?: number;
}

/** A report figure drawn by plotly in headless Chromium, as PNG bytes (for notebooks and papers). */
export async function figurePng(figure: Pick<Figure, 'data' | 'layout'> & { readonly title?: string }, options: FigureImageOptions = {}): Promise<Uint8Array> {
  const width = options.width ?? 900;
  const height = options.height ?? Number((figure.layout as { height?: unknown }).height ?? 450);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: options.scale ?? 1.5 });
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(figure.title ?? 'figure')}</title></head><body style="margin:0"><div id="f" style="width:${width}px;height:${height}px"></div></body></html>`);
    await page.addScriptTag({ content: plotlySource() });
    await page.evaluate(
      async ({ data, layout, w, h }) => {
        const plotly = (globalThis as unknown as { Plotly: { newPlot: (el: unknown, d: unknown, l: unknown, c: unknown) => Promise<unknown> } }).Plotly;
        await plotly.newPlot('f', data, { ...layout, width: w, height: h }, { staticPlot: true });
      },
      { data: figure.data, layout: figure.layout, w: width, h: height },
    );
    return await page.locator('#f').screenshot({ type: 'png' });
  } finally {
    await browser.close();
  }
}
