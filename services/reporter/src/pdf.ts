import { existsSync } from 'node:fs';
import { ConfigError } from '@commune-pulse/runtime';
import { type Browser, chromium } from 'playwright-core';
import { escapeHtml } from './render.ts';

export type { Browser } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless Chromium as a batch renderer: no GPU, no sync or component updates, no first-run pages, and nothing
 * in the background reaching the network. Playwright gives every launch a fresh temporary profile.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Debian's Chromium (never a downloaded browser build), driven over Playwright's pipe. */
export async function launchChromium(executablePath = DEFAULT_CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new ConfigError(
      `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

export interface PdfRenderer {
  render(html: string, footer: string, pageWord: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Renders HTML to A4 landscape PDF pages; the browser starts on first use and serves every later report. */
export function pdfRenderer(executablePath = DEFAULT_CHROMIUM_PATH): PdfRenderer {
  let browser: Promise<Browser> | undefined;
  return {
    async render(html, footer, pageWord) {
      browser ??= launchChromium(executablePath);
      const context = await (await browser).newContext();
      try {
        const page = await context.newPage();
        // The report is self-contained: a request would mean something is missing from the file, so none is let out.
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({
          format: 'A4',
          landscape: true,
          printBackground: true,
          preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: `<div style="font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 8px; color: #666; width: 100%; padding: 0 10mm; display: flex; justify-content: space-between;"><span>${escapeHtml(footer)}</span><span>${escapeHtml(pageWord)} <span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`,
          margin: { top: '12mm', bottom: '14mm', left: '10mm', right: '10mm' },
        });
      } finally {
        await context.close();
      }
    },
    async close() {
      const launched = await browser?.catch(() => undefined);
      browser = undefined;
      await launched?.close();
    },
  };
}
