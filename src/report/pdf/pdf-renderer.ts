import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { findBrowser } from './find-browser.js';

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
  private profileDir: string | null = null;
  /** Requests the last render tried to make (all aborted): lets tests prove nothing was fetched. */
  blockedRequests: string[] = [];
  private page: Page | null = null;
  private pageOf: Browser | null = null;

  async render(html: string, options: PdfOptions = {}): Promise<Uint8Array> {
    const page = await this.ensurePage();
    this.blockedRequests = [];
    try {
      // A fresh document per report: setContent writes into the current one, which would keep the previous
      // report's Content-Security-Policy and anything else bound to the document.
      await page.goto('about:blank', { waitUntil: 'load' });
      await page.setContent(html, { waitUntil: 'load', timeout: 30_000 });
      return await page.pdf({
        format: options.format ?? 'A4', printBackground: true, preferCSSPageSize: false,
        margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: '<div style="font-size:8px;color:#9aa0a6;width:100%;text-align:center;font-family:Helvetica,Arial,sans-serif">nnaudit · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
      });
    } catch (e) {
      // A page that timed out or lost its renderer is not reused: the next render opens a fresh one.
      await this.dropPage();
      throw e;
    }
  }

  /**
   * One warm page per browser, reused for every render: opening and closing a tab cost about as much as
   * laying out a report (measured in bench/report.ts). Safe to reuse because report pages run no JavaScript,
   * and each report gets a fresh document (about:blank first).
   */
  private async ensurePage(): Promise<Page> {
    const browser = await this.ensureBrowser();
    if (this.page && !this.page.isClosed() && this.pageOf === browser) return this.page;
    await this.dropPage();
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      // setContent loads no URL; anything requested after it is an external reference: block it.
      if (req.url().startsWith('data:')) { void req.continue(); return; }
      this.blockedRequests.push(req.url());
      void req.abort('blockedbyclient');
    });
    this.page = page;
    this.pageOf = browser;
    return page;
  }

  private async dropPage(): Promise<void> {
    const page = this.page;
    this.page = null;
    this.pageOf = null;
    if (page && !page.isClosed()) await page.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.dropPage();
    const b = this.browser;
    this.browser = null;
    this.launching = null;
    if (b) await b.close().catch(() => undefined);
    if (this.profileDir) await rm(this.profileDir, { recursive: true, force: true }).catch(() => undefined);
    this.profileDir = null;
  }

  private async ensureBrowser(): Promise<Browser> {
    if (this.browser?.connected) return this.browser;
    if (this.browser) await this.close(); // crashed or disconnected: start over with a fresh profile
    this.launching ??= this.launch();
    try {
      this.browser = await this.launching;
      return this.browser;
    } finally {
      this.launching = null;
    }
  }

  private async launch(): Promise<Browser> {
    const executablePath = await findBrowser();
    const { default: puppeteer } = await import('puppeteer-core');
    this.profileDir = await mkdtemp(path.join(os.tmpdir(), 'nnaudit-chromium-'));
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir: this.profileDir,
      // A pipe instead of a WebSocket: Chromium exits when the pipe closes, i.e. when this process dies,
      // even by SIGKILL; a killed worker must not leave a browser behind.
      pipe: true,
      args: [
        // Root in containers has no usable sandbox; pages are our own static HTML with JavaScript disabled.
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
        '--disable-default-apps', '--mute-audio', '--font-render-hinting=none',
      ],
    });
    browser.on('disconnected', () => { if (this.browser === browser) this.browser = null; });
    return browser;
  }
}
