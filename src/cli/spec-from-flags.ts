import path from 'node:path';
import { loadSpecFile, validateSpec, type LoadedSpec } from '../config/load-spec.js';
import { SpecError } from '../errors.js';
import { dataFromFlag } from './data-from-flag.js';
import { DATA_OPTION_NAMES, type DataOptionFlags, flagName } from './data-options.js';
import type { LossName } from '../config/spec-schema.js';

export interface SpecFlags extends DataOptionFlags {
  spec?: string;
  model?: string;
  data?: string;
  label?: string;
  loss?: string;
  fromLogits?: boolean;
  history?: string;
  architecture?: string;
  epochs?: number;
  seed?: number;
  preset?: string;
  probeSize?: number;
  seeds?: number;
  aggregate?: string;
  validationSplit?: number;
  batchSize?: number;
}

/** Flags that build a spec's data and model.load sections: with a spec file they would be silently lost. */
const MODEL_ONLY_FLAGS = [
  'data',
  'label',
  'loss',
  'fromLogits',
  'history',
  'architecture',
  'validationSplit',
  'batchSize',
  ...DATA_OPTION_NAMES,
] as const;

/** A spec from a file, or built from --model/--data/--label flags; flags override file values. */
export function specFromFlags(f: SpecFlags): LoadedSpec {
  // yargs turns "--seed abc" into NaN; blame the flag, not the spec the NaN would land in.
  for (const [flag, v] of [
    ['--seed', f.seed],
    ['--epochs', f.epochs],
    ['--seeds', f.seeds],
    ['--probe-size', f.probeSize],
    ['--validation-split', f.validationSplit],
    ['--batch-size', f.batchSize],
    ['--limit', f.limit],
  ] as const) {
    if (v !== undefined && !Number.isFinite(v))
      throw new SpecError(
        `${flag}: not a number; give ${flag === '--validation-split' ? 'a fraction, e.g. --validation-split 0.2' : `a whole number, e.g. ${flag} 3`}`,
      );
  }
  if (f.spec && f.model) throw new SpecError('give either a spec file or --model, not both');
  if (f.spec) {
    const given = MODEL_ONLY_FLAGS.filter((k) => f[k] !== undefined);
    if (given.length > 0) {
      throw new SpecError(
        `${given.map(flagName).join(', ')} ${given.length === 1 ? 'goes' : 'go'} with --model, not with a spec file: set ${given.length === 1 ? 'it' : 'them'} in the spec (data, model.load)`,
      );
    }
    const loaded = loadSpecFile(f.spec);
    const spec = structuredClone(loaded.spec);
    if (f.seed !== undefined) spec.seed = f.seed;
    if (f.preset !== undefined) spec.gate.preset = f.preset as typeof spec.gate.preset; // re-validated below
    if (f.epochs !== undefined) {
      if ('train' in spec.model) spec.model.train.epochs = f.epochs;
      else spec.model.load.epochs = f.epochs;
    }
    if (f.probeSize !== undefined) spec.data.probeSize = f.probeSize;
    if (f.seeds !== undefined) spec.seeds = f.seeds;
    if (f.aggregate !== undefined) spec.gate.aggregate = f.aggregate as typeof spec.gate.aggregate;
    return { ...loaded, spec: validateSpec(spec, f.spec) };
  }
  if (!f.model)
    throw new SpecError(
      'nothing to audit: give a spec file (nnaudit audit spec.json) or --model model.json --data data.csv --label y',
    );
  if (!f.data)
    throw new SpecError(
      '--model needs --data (a folder of class folders, a .csv with --label, .json, .npy, .npz or IDX file)',
    );
  const raw = {
    name: path.basename(path.dirname(path.resolve(f.model))),
    ...(f.seed !== undefined ? { seed: f.seed } : {}),
    model: {
      load: {
        path: f.model,
        ...(f.loss ? { loss: f.loss as LossName } : {}),
        ...(f.fromLogits !== undefined ? { fromLogits: f.fromLogits } : {}),
        ...(f.history ? { history: f.history } : {}),
        ...(f.architecture ? { architecture: f.architecture } : {}),
        ...(f.epochs !== undefined ? { epochs: f.epochs } : {}),
        ...(f.validationSplit !== undefined ? { validationSplit: f.validationSplit } : {}),
        ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
      },
    },
    data: { ...dataFromFlag(f.data, f.label, f), ...(f.probeSize ? { probeSize: f.probeSize } : {}) },
    ...(f.preset || f.aggregate
      ? { gate: { ...(f.preset ? { preset: f.preset } : {}), ...(f.aggregate ? { aggregate: f.aggregate } : {}) } }
      : {}),
    ...(f.seeds !== undefined ? { seeds: f.seeds } : {}),
  };
  return { spec: validateSpec(raw, 'command-line flags'), baseDir: process.cwd(), file: null };
}
