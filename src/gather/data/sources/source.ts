import type { DataSpec } from '../../../config/spec-schema.js';
import type { Dataset } from '../dataset.js';

/** The spec keys that name a source: exactly one of them is present in a data spec. */
export const SOURCE_KEYS = ['generator', 'csv', 'json', 'images', 'npy', 'npz', 'idx'] as const;
export type SourceKey = (typeof SOURCE_KEYS)[number];
export type SpecOf<K extends SourceKey> = Extract<DataSpec, Record<K, unknown>>;

export interface SourceContext {
  /** Folder relative paths resolve against. */
  baseDir: string;
  seed: number;
  /**
   * The model's per-sample input shape when known before reading (a loaded model, or model.train.inputShape);
   * null dimensions are free. Image sources resize to it.
   */
  inputShape: ReadonlyArray<number | null> | null;
  /**
   * How the model lays out an image: 'channelsFirst' ([C, H, W], a PyTorch export) makes image sources write their
   * pixels in that order; arrays (.npy/.npz) are taken as they are, and their channel axis read the same way.
   */
  inputLayout?: 'channelsFirst' | 'channelsLast';
  /**
   * Throws a DataError when a per-sample shape cannot fit the model. Sources call it as soon as they know the
   * shape (a header), before reading the rows.
   */
  checkShape(featureShape: readonly number[], where: string, note?: string): void;
}

/**
 * One data format. `open` returns every row (up to the spec's caps) as a Dataset; `detect` says whether a path
 * given to `--data` is this format, so the CLI can pick the source. A new format is one module + its test + one
 * line in the registry (sources/index.ts).
 */
export interface DataSource<K extends SourceKey> {
  key: K;
  /** For --data: whether this path is in this format, and the spec fragment that reads it. */
  detect?(file: string, isDirectory: boolean): boolean;
  open(spec: SpecOf<K>, ctx: SourceContext): Promise<Dataset>;
}

export function defineSource<K extends SourceKey>(s: DataSource<K>): DataSource<K> {
  return s;
}
