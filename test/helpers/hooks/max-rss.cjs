// Preloaded (node --require) into a CLI child by the bad-input table: at exit it writes the process's peak
// resident set (KiB, process.resourceUsage().maxRSS) to NNAUDIT_TEST_MAX_RSS_FILE. Portable where GNU time
// is not installed, and it measures the CLI process itself, not a wrapper.
const fs = require('node:fs');
const file = process.env.NNAUDIT_TEST_MAX_RSS_FILE;
if (file) process.on('exit', () => { try { fs.writeFileSync(file, String(process.resourceUsage().maxRSS)); } catch { /* the test reports a missing reading */ } });
