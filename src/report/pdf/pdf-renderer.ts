import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'puppeteer-core';
import { findBrowserSync } from './find-browser.js';
import { startChromium, stopChromium, type ChromiumProcess } from './chromium-process.js';

/** How long Chromium may take to start and answer (puppeteer.launch's default). */
const LAUNCH_TIMEOUT_MS = 30_000;

export interface PdfOptions {
  format?: 'A4' | 'Letter';
}

/**
 * Renders report HTML to PDF in one warm, hardened Chromium: JavaScript off for report pages, every network
 * request aborted, a fresh profile per browser. Reused across renders (a render worker keeps one); relaunched
 * when it crashed. Call close() when done.
 */
export class PdfRenderer {
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private chromium: ChromiumProcess | null = null;
  /** Requests the last render tried to make (all aborted): lets tests prove nothing was fetched. */
  blockedRequests: string[] = [];
  private page: Page | null = null;
  private pageOf: Browser | null = null;

  /** Renders one at a time: the warm page holds one document. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The blank document the next render starts from, loaded after the previous render returned (see render). */
  private blank: Promise<boolean> | null = null;

  /**
   * Starts Chromium now, without waiting for it: a caller that has HTML to build first (writeOutputs) lets the
   * browser boot meanwhile. A failure (no Chromium) is reported by the next render, not here.
   */
  warmUp(): void {
    if (this.browser?.connected || this.launching) return;
    this.launching = this.launch();
    this.launching.catch(() => undefined);
  }

  render(html: string, options: PdfOptions = {}): Promise<Uint8Array> {
    const next = this.queue.then(() => this.renderNow(html, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async renderNow(html: string, options: PdfOptions): Promise<Uint8Array> {
    const page = await this.readyPage();
    this.blockedRequests = [];
    try {
      await page.setContent(html, { waitUntil: 'load', timeout: 30_000 });
      const pdf = await page.pdf({
        format: options.format ?? 'A4',
        printBackground: true,
        preferCSSPageSize: false,
        margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
        // Page numbers come from the report's own CSS (@page margin boxes): Chromium's header/footer templates
        // are laid out as a separate document for every page, which cost about 35 ms a report (bench/report.ts).
        displayHeaderFooter: false,
      });
      // A fresh document per report: setContent writes into the current one, which would keep this report's
      // Content-Security-Policy and anything else bound to the document. Loading it now, after the PDF is
      // returned, takes it off the next render's path (a worker is idle or building HTML meanwhile).
      this.blank = this.loadBlank(page);
      return pdf;
    } catch (e) {
      // A page that timed out or lost its renderer is not reused: the next render opens a fresh one.
      await this.dropPage();
      throw e;
    }
  }

  /** Never rejects (nobody may be waiting for it yet): false when the page could not load it. */
  private async loadBlank(page: Page): Promise<boolean> {
    try {
      await page.goto('about:blank', { waitUntil: 'load', timeout: 30_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** The warm page on a blank document; a page whose blank load failed (crashed, timed out) is replaced. */
  private async readyPage(): Promise<Page> {
    const blank = this.blank;
    this.blank = null;
    if (blank && !(await blank)) await this.dropPage();
    return this.ensurePage();
  }

  /**
   * One warm page per browser, reused for every render: opening and closing a tab cost about as much as
   * laying out a report (measured in bench/report.ts). Safe to reuse because report pages run no JavaScript,
   * and each report gets a fresh document (about:blank, loaded after the previous render).
   */
  private async ensurePage(): Promise<Page> {
    const browser = await this.ensureBrowser();
    if (this.page && !this.page.isClosed() && this.pageOf === browser) return this.page;
    await this.dropPage();
    // The tab Chromium opened at start (about:blank): opening another cost as much as laying out a report.
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      // setContent loads no URL; anything requested after it is an external reference: block it.
      if (req.url().startsWith('data:')) {
        void req.continue();
        return;
      }
      this.blockedRequests.push(req.url());
      void req.abort('blockedbyclient');
    });
    this.page = page;
    this.pageOf = browser;
    return page;
  }

  private async dropPage(): Promise<void> {
    const page = this.page;
    // Closing a page while its blank document loads never returns (puppeteer-core 24, seen in a loop of renders
    // followed by close()): let the load finish first; it never rejects and times out after 30 s.
    const blank = this.blank;
    this.blank = null;
    if (blank) await blank;
    this.page = null;
    this.pageOf = null;
    if (page && !page.isClosed()) await page.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.dropPage();
    const b = this.browser;
    const launching = this.launching;
    this.browser = null;
    this.launching = null;
    if (launching && !b) await launching.catch(() => undefined); // a warm-up still starting: stop it too
    const chromium = this.chromium;
    this.chromium = null;
    if (chromium) {
      // Killed, not asked to close: its profile is thrown away, and a clean shutdown took ~150 ms.
      await stopChromium(chromium.child);
      chromium.transport.close();
      await rm(chromium.profileDir, { recursive: true, force: true }).catch(() => undefined);
    }
    if (b) await b.disconnect().catch(() => undefined);
  }

  private async ensureBrowser(): Promise<Browser> {
    if (this.browser?.connected) return this.browser;
    // Crashed or disconnected: start over with a fresh profile (a warm-up still starting is waited for instead).
    if (!this.launching && (this.browser || this.chromium)) await this.close();
    this.launching ??= this.launch();
    try {
      this.browser = await this.launching;
      return this.browser;
    } finally {
      this.launching = null;
    }
  }

  private async launch(): Promise<Browser> {
    // Synchronous up to the spawn (see warmUp); Puppeteer is imported while Chromium boots.
    const chromium = startChromium(findBrowserSync());
    this.chromium = chromium;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Chromium did not answer within ${LAUNCH_TIMEOUT_MS / 1000} s`)),
        LAUNCH_TIMEOUT_MS,
      );
    });
    let browser: Browser;
    try {
      const { default: puppeteer } = await import('puppeteer-core');
      browser = await Promise.race([puppeteer.connect({ transport: chromium.transport }), chromium.exited, timeout]);
    } catch (e) {
      // Ends a connect still waiting for an answer (its protocol timeout would hold this process for 3 minutes).
      chromium.transport.abort();
      await stopChromium(chromium.child);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = null;
    });
    return browser;
  }
}
