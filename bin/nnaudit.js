#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/ by `npm install`'s prepare step).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('nnaudit: not built yet: run `npm install` (or `npm run build`) in the nnaudit folder first.\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
await main();
