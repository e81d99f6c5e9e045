import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditResult } from '../result/schema.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';

export interface OutputPaths {
  result?: string;
  junit?: string;
  markdown?: string;
}

/** Writes result.json into `outDir` (when given) and the CI files where asked. Returns the paths written. */
export async function writeOutputs(r: AuditResult, opts: { outDir?: string; junit?: string; markdown?: string }): Promise<OutputPaths> {
  const written: OutputPaths = {};
  const put = async (file: string, text: string) => {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text);
  };
  if (opts.outDir) {
    written.result = path.join(opts.outDir, 'result.json');
    await put(written.result, `${JSON.stringify(r, null, 1)}\n`);
  }
  if (opts.junit) { await put(opts.junit, junitXml(r)); written.junit = opts.junit; }
  if (opts.markdown) { await put(opts.markdown, markdownSummary(r)); written.markdown = opts.markdown; }
  return written;
}
