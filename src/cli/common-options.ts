import type { Argv } from 'yargs';
import { AGGREGATES } from '../result/vocabulary.js';
import { BACKENDS } from '../gather/backend-names.js';

/** Options every auditing command shares. */
export function withRunOptions<T>(y: Argv<T>) {
  return y
    .option('backend', { choices: ['auto', ...BACKENDS] as const, default: 'auto' as const, describe: 'TensorFlow.js backend (also NNAUDIT_BACKEND); auto = tfjs-node > wasm > cpu' })
    .option('seed', { type: 'number', describe: 'Override the spec seed (training is deterministic per seed and backend)' })
    .option('seeds', { type: 'number', describe: 'Train N times (seed, seed+1, ...) and aggregate each analyzer: some problems appear in only part of the runs' })
    .option('aggregate', { choices: AGGREGATES, describe: 'With --seeds: report each analyzer\'s median, worst or best run (default median)' })
    .option('epochs', { type: 'number', describe: 'Override the number of training epochs (for a loaded model: train it this many epochs first)' })
    .option('probe-size', { type: 'number', describe: 'Rows of the probe set used for gradients and activations (default 256)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' });
}

export function withModelFlags<T>(y: Argv<T>) {
  return y
    .option('model', { type: 'string', describe: 'A TensorFlow.js LayersModel model.json (path or http(s) URL), a Keras .h5 or a Keras 3 .keras file, instead of a spec' })
    .option('data', { type: 'string', describe: 'Data for --model, recognised by path: a folder of class folders (images), .csv (with --label), .json, .npy (x; y via --label), .npz, or an IDX images file' })
    .option('label', { type: 'string', describe: 'The label column(s) of a --data CSV (a,b,c for several), or the y/labels file of .npy/IDX data' })
    .option('loss', { type: 'string', describe: 'The loss the model was trained with, when model.json has no training config' })
    .option('architecture', { type: 'string', describe: 'For a weights-only Keras .h5 given as --model: the architecture JSON from model.to_json()' })
    .option('history', { type: 'string', describe: 'Training history of a loaded model: Keras history JSON dict or CSVLogger file' });
}
