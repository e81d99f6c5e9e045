import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** The nnaudit package folder (holding package.json, fixtures/, reports/), from src/ or dist/src/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'reports'))) return (cached = dir);
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the nnaudit package folder above ${fileURLToPath(import.meta.url)}`);
}
