import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { artifactsSchema, type Artifacts } from './schema.js';
import { ArtifactError } from '../errors.js';
import { openFileSync } from '../policy/open-input.js';
import { formatZodIssues } from '../util/zod-issues.js';

/** Writes a file, creating its folder first. */
export async function writeFileCreatingDir(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, data);
}

export function writeJson(file: string, value: unknown): Promise<void> {
  return writeFileCreatingDir(file, `${JSON.stringify(value, null, 1)}\n`);
}

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  // The chokepoint: a FIFO or device given as a result file must be refused, not block the CLI.
  text = openFileSync(file, what, ArtifactError).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ArtifactError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
}

/** Reads and validates an artifacts.json written by `nnaudit gather` (or another framework). */
export async function readArtifacts(file: string): Promise<Artifacts> {
  const raw = await readJsonFile(file, 'artifacts file');
  const parsed = artifactsSchema.safeParse(raw);
  if (!parsed.success)
    throw new ArtifactError(`${file}: not a valid artifacts document:\n${formatZodIssues(parsed.error, raw)}`);
  return parsed.data;
}
