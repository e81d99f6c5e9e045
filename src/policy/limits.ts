import { UserInputError } from '../errors.js';
import { currentPolicy, DEFAULT_MAX_INPUT_BYTES } from './input-policy.js';

export interface Caps {
  maxUnits: number;
  maxParams: number;
  maxRows: number;
  maxInputBytes: number;
}

/** A spec's `limits` section, as far as caps go (structural: policy sits below config and does not import it). */
export type CapSettings = Partial<Caps>;

/**
 * Defaults sized for what nnaudit audits (MLPs and small CNNs on tabular/image data) with room to spare:
 * 65,536 units is wider than any layer in the shared corpus by 30x; 50M parameters is ~200 MB of float32
 * weights plus the same again for Adam's moments, within a 2 GB worker; 5M rows of 100 floats is 2 GB.
 */
export const DEFAULT_CAPS: Caps = {
  maxUnits: 65_536,
  maxParams: 50_000_000,
  maxRows: 5_000_000,
  maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
};

const lower = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));

/** The caps that apply: on the CLI the spec's own values replace the defaults; under a worker they can only lower them. */
export function effectiveCaps(spec: CapSettings | undefined): Caps {
  const worker = currentPolicy().origin === 'worker';
  const pick = (v: number | undefined, d: number) => (worker ? lower(v, d) : (v ?? d));
  return {
    maxUnits: pick(spec?.maxUnits, DEFAULT_CAPS.maxUnits),
    maxParams: pick(spec?.maxParams, DEFAULT_CAPS.maxParams),
    maxRows: pick(spec?.maxRows, DEFAULT_CAPS.maxRows),
    maxInputBytes: pick(spec?.maxInputBytes, currentPolicy().maxInputBytes),
  };
}

export function checkParamCount(params: number, caps: Caps, where: string): void {
  if (params > caps.maxParams) {
    throw new UserInputError(
      'limits',
      `${where}: the model has ${params.toLocaleString('en-US')} parameters, over the cap of ${caps.maxParams.toLocaleString('en-US')} (limits.maxParams)`,
    );
  }
}

/**
 * Numbers one dataset array may hold (2^28 float32 = 1 GiB): checked from a header or a spec before the array
 * is allocated, so a shape like (1e6, 1e6) is a message, not "Invalid typed array length" or a worker killed
 * for memory. Far above what nnaudit audits (5M rows x 50 features).
 */
export const MAX_DATA_VALUES = 2 ** 28;

/** Throws unless `dims` multiply to at most MAX_DATA_VALUES (computed without overflow); `fix` says what to change. */
export function checkValueCount(dims: readonly number[], where: string, fix: string): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > MAX_DATA_VALUES) {
      throw new UserInputError(
        'limits',
        `${where}: shape (${dims.join(', ')}) holds more than ${MAX_DATA_VALUES.toLocaleString('en-US')} values (1 GiB of float32), the cap of one data array; ${fix}`,
      );
    }
  }
  return n;
}

export function checkRowCount(rows: number, caps: Caps, source: string): void {
  if (rows > caps.maxRows)
    throw new UserInputError(
      'limits',
      `${source}: ${rows} rows is over the cap of ${caps.maxRows} (limits.maxRows); use a sample of the data`,
    );
}
