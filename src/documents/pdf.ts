import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { LanternError } from '../errors.ts';

/**
 * PDFs are printed from the page's own HTML by Chromium (docs/DECISIONS.md 24): the same tables,
 * status colours and charts as the page, as a tagged PDF (a structure tree with headings, tables,
 * their header cells and the document's language) with an outline of its headings.
 *
 * One browser per process, launched on the first document and kept; each document gets a fresh
 * context with scripts off and no network: every request is refused, so the HTML must carry its
 * styles inline (data: images are not requests and still load). A browser that cannot be found or
 * started, or a document that takes longer than the time limit, is LANTERN_E_DOCUMENT_UNAVAILABLE
 * (a 503 page), never a 500.
 */
export class PdfPrinter {
  private browser: Promise<Browser> | undefined;

  constructor(
    private readonly executablePath: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Whether the configured Chromium is there at all (the page can say so before anyone asks). */
  available(): boolean {
    return fs.existsSync(this.executablePath);
  }

  private launch(): Promise<Browser> {
    if (this.browser) return this.browser;
    // playwright-core is loaded with the first PDF: most servers print none, and it is large to load.
    const launching = import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.executablePath,
        headless: true,
        timeout: this.timeoutMs,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      }),
    );
    this.browser = launching;
    const forget = () => {
      if (this.browser === launching) this.browser = undefined;
    };
    // A browser that failed to start, crashed or was closed is launched afresh next time.
    launching.then((b) => b.on('disconnected', forget), forget);
    return launching;
  }

  /** A tagged A4 PDF of a complete HTML document whose styles are inline. */
  async print(html: string): Promise<Buffer> {
    if (!this.available()) throw new LanternError('LANTERN_E_DOCUMENT_UNAVAILABLE', `no Chromium at ${this.executablePath} (LANTERN_CHROMIUM_PATH)`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LanternError('LANTERN_E_DOCUMENT_UNAVAILABLE', `PDF not printed within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([this.printWith(html), timeout]);
    } catch (error) {
      if (error instanceof LanternError) throw error;
      throw new LanternError('LANTERN_E_DOCUMENT_UNAVAILABLE', `Chromium could not print: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async printWith(html: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      await context.route('**/*', (route) => route.abort('blockedbyclient'));
      const page = await context.newPage();
      page.setDefaultTimeout(this.timeoutMs);
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        tagged: true,
        outline: true,
        margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
      });
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  /** Closes the browser, if one was started (the server's shutdown). */
  async close(): Promise<void> {
    const launching = this.browser;
    this.browser = undefined;
    const browser = await launching?.catch(() => undefined);
    await browser?.close();
  }
}
