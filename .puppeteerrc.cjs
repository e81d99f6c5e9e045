/**
 * Puppeteer must not download its own browser at install time (no internet on the build machines):
 * nnaudit uses a system Chromium instead (PUPPETEER_EXECUTABLE_PATH, or /usr/bin/chromium from the
 * Debian package `chromium`). See src/report/pdf/browser.ts.
 * @type {import("puppeteer").Configuration}
 */
module.exports = {
  skipDownload: true,
  chrome: { skipDownload: true },
  'chrome-headless-shell': { skipDownload: true },
  firefox: { skipDownload: true },
};
