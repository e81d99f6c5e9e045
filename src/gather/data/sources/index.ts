import { statSync } from 'node:fs';
import type { DataSpec } from '../../../config/spec-schema.js';
import type { Dataset } from '../dataset.js';
import { SOURCE_KEYS, type DataSource, type SourceContext, type SourceKey, type SpecOf } from './source.js';
import generator from './generator.js';
import csv from './csv.js';
import json from './json.js';
import images from './images.js';
import npy from './npy.js';
import npz from './npz.js';
import idx from './idx.js';

/** Every data source, by its spec key. A new format: its module, its test, one line here (and its spec schema). */
const SOURCES: { [K in SourceKey]: DataSource<K> } = { generator, csv, json, images, npy, npz, idx };

export function sourceKeyOf(spec: DataSpec): SourceKey {
  const key = SOURCE_KEYS.find((k) => k in spec);
  if (!key) throw new Error('data spec without a source key (the schema should have refused it)');
  return key;
}

/** Opens the dataset a data spec names, with whichever source reads it. */
export function openDataset(spec: DataSpec, ctx: SourceContext): Promise<Dataset> {
  const key = sourceKeyOf(spec);
  const source = SOURCES[key] as DataSource<typeof key>;
  return source.open(spec as SpecOf<typeof key>, ctx);
}

/** The source that reads a path given on the command line (--data), or null when none recognises it. */
export function detectSource(file: string): SourceKey | null {
  let isDir: boolean;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    return null;
  }
  for (const key of SOURCE_KEYS) if (SOURCES[key].detect?.(file, isDir)) return key;
  return null;
}
