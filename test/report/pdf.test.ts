import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render-html.js';
import { PdfRenderer } from '../../src/report/pdf/pdf-renderer.js';
import { sampleResult, sampleResults } from '../helpers/results.js';
import { describeWith } from '../helpers/requirements.js';
import { pageFills } from './pdf-pages.js';
import { ROOT, runCli } from '../helpers/cli.js';

/**
 * Real Chromium (PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium). Without one these tests are skipped with a
 * line saying how to install it; CI (NNAUDIT_REQUIRE_CHROMIUM=1) makes them required.
 */
async function pdfText(pdf: Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

let renderer: PdfRenderer;

describeWith(['chromium'], 'PDF report', () => {
  beforeAll(() => {
    renderer = new PdfRenderer();
  });
  afterAll(async () => {
    await renderer.close();
  });

  it.each(['dead-relu', 'overfitting', 'healthy', 'wine-loaded'])(
    '%s: the PDF text holds the verdict and every finding title',
    async (name) => {
      const r = sampleResult(name);
      // A line may end at a hyphen ("dead-" / "relu"), which the PDF's text drops: compare without hyphens.
      const flat = (t: string) => t.replace(/\s+/g, ' ').replace(/-\s?/g, '');
      const text = flat(await pdfText(await renderer.render(renderHtml(r))));
      expect(text).toContain(r.gate.verdict);
      for (const f of r.findings)
        expect(text, f.id).toContain(
          flat(f.status === 'notApplicable' ? `not applicable: ${f.displayValue.split('; ')[0]}` : f.title),
        );
    },
  );

  // Issue 22 measured 6 pages for this PASS and 17 for vanishing-gradients (on the 18-analyzer sample results); the
  // targets are 3 and 8.
  it('a PASS of a small MLP fits in 3 pages, and page 1 holds the verdict, the count of passed checks and the gate', async () => {
    const r = sampleResult('healthy');
    expect(r.gate.verdict).toBe('PASS');
    const parser = new PDFParse({ data: await renderer.render(renderHtml(r)) });
    try {
      const pages = (await parser.getText()).pages;
      expect(pages.length).toBeLessThanOrEqual(3);
      const first = pages[0]!.text.replace(/\s+/g, ' ');
      expect(first).toMatch(/\d+ checks passed, \d+ not applicable: listed at the end/);
      expect(first).toMatch(/Gate: \d+ of \d+ gate assertions met/);
      expect(first).toContain('Training at a glance');
      // Page numbers come from the report's CSS margin boxes, not from the renderer.
      pages.forEach((p, i) => expect(p.text).toContain(`nnaudit · page ${i + 1} of ${pages.length}`));
    } finally {
      await parser.destroy();
    }
  });

  it("the vanishing-gradients FAIL fits in 8 pages, and page 1 says what to change, causes first, with the root cause's chart", async () => {
    const parser = new PDFParse({ data: await renderer.render(renderHtml(sampleResult('vanishing-gradients'))) });
    try {
      const pages = (await parser.getText()).pages;
      expect(pages.length).toBeLessThanOrEqual(8);
      const first = pages[0]!.text.replace(/\s+/g, ' ');
      expect(first).toContain('What to change, causes first');
      expect(first).toContain('Root cause: vanishing-gradients');
      expect(first.indexOf('vanishing-gradients')).toBeLessThan(first.indexOf('underfitting'));
    } finally {
      await parser.destroy();
    }
  });

  // A finding box kept whole moved to the next page and left the one before it two thirds empty (exploding-gradients:
  // a page filled to 27%, another to 30%).
  it.each(sampleResults().map(([n]) => n))('%s: no page but the last is under half full', async (name) => {
    const fills = await pageFills(await renderer.render(renderHtml(sampleResult(name))));
    const underHalf = fills.slice(0, -1).flatMap((f, i) => (f < 0.5 ? [`page ${i + 1}: ${f.toFixed(2)}`] : []));
    expect(underHalf).toEqual([]);
  });

  describe('hardening', () => {
    let server: Server;
    let hits: string[];
    let port: number;
    beforeAll(async () => {
      hits = [];
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('x');
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it('escapes hostile layer names, fetches nothing, runs no script', async () => {
      const r = sampleResult('dead-relu');
      const evil = `<script>document.title="pwned"</script><img src="http://127.0.0.1:${port}/x">`;
      const old = r.model.layers[1]!.name;
      r.model.name = evil;
      r.model.layers[1]!.name = evil;
      r.model.graph.nodes.forEach((n) => {
        if (n.id === old) n.id = evil;
      });
      r.model.graph.edges.forEach((e) => {
        if (e.from === old) e.from = evil;
        if (e.to === old) e.to = evil;
      });
      for (const f of r.findings) {
        f.displayValue = `${f.displayValue} in ${evil}`;
        f.affectedLayers = f.affectedLayers.map((l) => (l === old ? evil : l));
      }
      const html = renderHtml(r);
      expect(html).not.toContain('<script>document.title');
      expect(html).not.toContain(`<img src="http://127.0.0.1:${port}/x">`);
      expect(html).toContain('&lt;script&gt;');
      // The raw markup also reaches the browser through an <img> planted deliberately: interception must stop it.
      const planted = html.replace(
        '</body>',
        `<img src="http://127.0.0.1:${port}/planted"><link rel="stylesheet" href="http://127.0.0.1:${port}/css"></body>`,
      );
      const pdf = await renderer.render(planted);
      const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
      expect(text).toContain('<script>document.title="pwned"</script>');
      expect(hits).toEqual([]);
      // Two layers stop it: the page's Content-Security-Policy, and request interception on its own.
      const noCsp = planted.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(noCsp).not.toContain('Content-Security-Policy');
      await renderer.render(noCsp);
      expect(renderer.blockedRequests.some((u) => u.includes('/planted'))).toBe(true);
      expect(hits).toEqual([]);
    });

    it('does not run JavaScript in the report page', async () => {
      const html = `<!DOCTYPE html><html><body><p id="t">static</p><script>document.getElementById('t').textContent = 'SCRIPT RAN'; fetch('http://127.0.0.1:${port}/js');</script></body></html>`;
      const text = await pdfText(await renderer.render(html));
      expect(text).toContain('static');
      expect(text).not.toContain('SCRIPT RAN');
      expect(hits).toEqual([]);
    });
  });

  it('close() right after a render returns, while the next blank document is still loading', async () => {
    // Closing the page during that load never returned (puppeteer-core 24): close() must wait for it first.
    const own = new PdfRenderer();
    const html = renderHtml(sampleResult('iris'));
    for (let i = 0; i < 4; i++) {
      const pdf = await own.render(html);
      await own.close();
      expect(await pdfText(pdf)).toContain('PASS');
    }
  });

  it('reuses one browser and relaunches it after a crash', async () => {
    const html = renderHtml(sampleResult('iris'));
    await renderer.render(html);
    const first = (renderer as unknown as { browser: unknown }).browser;
    await renderer.render(html);
    expect((renderer as unknown as { browser: unknown }).browser).toBe(first);
    (renderer as unknown as { chromium: { child: { kill(s: string): boolean } } }).chromium.child.kill('SIGKILL');
    await new Promise((ok) => setTimeout(ok, 300));
    const text = await pdfText(await renderer.render(html));
    expect(text).toContain('PASS');
    expect((renderer as unknown as { browser: unknown }).browser).not.toBe(first);
  });
});

describe('a browser that dies at start', () => {
  it('nnaudit render --pdf writes the HTML, says so and exits 2 at once (no wait for a protocol timeout)', async () => {
    // nnaudit starts Chromium before Puppeteer has loaded: one that has exited by then must still end the connect.
    const out = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-deadbrowser-'));
    try {
      const r = await runCli(
        ['render', path.join(ROOT, 'fixtures', 'results', 'iris.json'), '--pdf', '--out', out, '-q'],
        { env: { PUPPETEER_EXECUTABLE_PATH: '/bin/false' } },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/Chromium exited \(code 1\)/);
      expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
