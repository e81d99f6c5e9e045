#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli, compiled to dist/. In a clone, dist/ is built here when it is missing or
// older than the sources (with a one-line note on stderr), so neither npx nor a fresh checkout needs a build step.
import { pathToFileURL } from 'node:url';
import { ENTRY, ensureBuilt } from './build-if-stale.js';

if (!ensureBuilt()) process.exit(2);
const { main } = await import(pathToFileURL(ENTRY).href);
await main();
