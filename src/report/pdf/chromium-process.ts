import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ConnectionTransport } from 'puppeteer-core';

/**
 * Chromium's switches for rendering our own static HTML to PDF. Puppeteer's launch() adds these of its defaults
 * that change a PDF (colour profile, tagged PDF with an outline) and headless display; the rest are the hardening
 * switches PdfRenderer always used (no sandbox: root in containers has none; pages run no JavaScript).
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--password-store=basic',
  '--use-mock-keychain',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--mute-audio',
  '--hide-scrollbars',
  '--font-render-hinting=none',
  '--force-color-profile=srgb',
  '--export-tagged-pdf',
  '--generate-pdf-document-outline',
];

export interface ChromiumProcess {
  child: ChildProcess;
  transport: PipeTransport;
  profileDir: string;
  /** Rejects when Chromium exits or fails to start before connect() is done with it. */
  exited: Promise<never>;
}

/**
 * Starts Chromium at once, synchronously, talking CDP over a pipe (fds 3 and 4): it exits when the pipe closes,
 * i.e. when this process dies, even by SIGKILL, so a killed worker leaves no browser behind. Starting it before
 * Puppeteer is even imported lets it boot (its own process, the other core) while this process builds the HTML.
 */
export function startChromium(executablePath: string): ChromiumProcess {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-chromium-'));
  const child = spawn(
    executablePath,
    [...CHROMIUM_ARGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`Chromium did not start (${executablePath}): ${e.message}`)));
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `Chromium exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
        ),
      ),
    );
  });
  exited.catch(() => undefined); // only connect() awaits it; a later exit is reported as a disconnect
  const transport = new PipeTransport(child.stdio[3] as Writable, child.stdio[4] as Readable);
  return { child, transport, profileDir, exited };
}

/** Stops Chromium now (its profile is thrown away, so nothing needs a clean shutdown) and waits for it to exit. */
export async function stopChromium(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }
  // A process it started may still hold our ends of its pipes open (stderr, fds 3 and 4): they would keep this
  // process alive until that one exits.
  for (const stream of child.stdio) stream?.destroy();
}

/** CDP over Chromium's debugging pipe: JSON messages, each ended by a NUL byte. */
export class PipeTransport implements ConnectionTransport {
  onmessage?: (message: string) => void;
  private pending: Buffer[] = [];
  private closed = false;
  private ended = false;
  private closeHandler: (() => void) | undefined;

  /**
   * Puppeteer's connection sets this when it is created, after Puppeteer has loaded: a Chromium that had died by
   * then is reported at once, or the connection would wait for its first answer until the protocol timeout (3 min).
   */
  get onclose(): (() => void) | undefined {
    return this.closeHandler;
  }
  set onclose(handler: (() => void) | undefined) {
    this.closeHandler = handler;
    if (this.ended && handler) setImmediate(handler);
  }

  constructor(
    private readonly out: Writable,
    private readonly input: Readable,
  ) {
    input.on('data', (b: Buffer) => this.receive(b));
    input.on('close', () => this.end());
    // A write after Chromium died: the 'close' above reports it.
    input.on('error', () => undefined);
    out.on('error', () => undefined);
  }

  send(message: string): void {
    if (this.closed) return;
    this.out.write(`${message}\0`);
  }

  close(): void {
    this.closed = true;
    this.out.end();
  }

  /** Closes both ends now and tells the connection, even if a process that inherited the pipe keeps it open. */
  abort(): void {
    this.close();
    this.input.destroy();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.closeHandler?.();
  }

  private receive(b: Buffer): void {
    this.pending.push(b);
    if (!b.includes(0)) return;
    const all = Buffer.concat(this.pending);
    let start = 0;
    for (let end = all.indexOf(0); end !== -1; end = all.indexOf(0, start)) {
      const message = all.toString('utf8', start, end);
      // Puppeteer expects messages on a later tick, as its own pipe transport delivers them.
      setImmediate(() => this.onmessage?.(message));
      start = end + 1;
    }
    this.pending = start < all.length ? [all.subarray(start)] : [];
  }
}
