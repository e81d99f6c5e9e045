import { existsSync } from 'node:fs';
import { UserInputError } from '../../errors.js';

/**
 * Where a system Chromium usually is; PUPPETEER_EXECUTABLE_PATH wins. nnaudit depends on puppeteer-core, which
 * never downloads a browser, so installing nnaudit works offline and uses the machine's Chromium.
 */
export const CANDIDATE_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

export class BrowserNotFoundError extends UserInputError {
  constructor(tried: string[]) {
    super(
      'browser',
      `no Chromium/Chrome found for PDF rendering (tried: ${tried.join(', ')}). Install one ` +
        '(Debian/Ubuntu: apt-get install -y chromium) or set PUPPETEER_EXECUTABLE_PATH to a Chrome/Chromium binary. ' +
        'The HTML report does not need a browser.',
    );
  }
}

/** Resolves the browser binary to launch, or throws BrowserNotFoundError saying how to get one. */
export async function findBrowser(): Promise<string> {
  return findBrowserSync();
}

/** findBrowser without a promise: PdfRenderer starts Chromium in the same tick it is asked to. */
export function findBrowserSync(): string {
  const tried: string[] = [];
  const env = process.env['PUPPETEER_EXECUTABLE_PATH'];
  if (env) {
    if (existsSync(env)) return env;
    tried.push(`PUPPETEER_EXECUTABLE_PATH=${env} (missing)`);
  }
  for (const p of CANDIDATE_PATHS) {
    if (existsSync(p)) return p;
    tried.push(p);
  }
  throw new BrowserNotFoundError(tried);
}
