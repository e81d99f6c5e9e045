import type { Argv } from 'yargs';
import { AGGREGATES } from '../result/vocabulary.js';
import { BACKENDS } from '../gather/backend/backend-names.js';
import { LOSSES } from '../config/spec-schema.js';
import { DATA_OPTION_NAMES } from './data-options.js';

/** Options every auditing command shares. */
export function withRunOptions<T>(y: Argv<T>) {
  return withSpecOverrides(y)
    .option('backend', {
      choices: ['auto', ...BACKENDS] as const,
      default: 'auto' as const,
      describe: 'TensorFlow.js backend (also NNAUDIT_BACKEND); auto = tfjs-node > wasm > cpu',
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' });
}

/** The flags that change the spec itself, so `enqueue` (whose worker picks its own backend) takes the same ones as `audit`. */
export function withSpecOverrides<T>(y: Argv<T>) {
  return y
    .option('seed', {
      type: 'number',
      describe: 'Override the spec seed (training is deterministic per seed and backend)',
    })
    .option('seeds', {
      type: 'number',
      describe:
        'Train N times (seed, seed+1, ...) and aggregate each analyzer: some problems appear in only part of the runs',
    })
    .option('aggregate', {
      choices: AGGREGATES,
      describe: "With --seeds: report each analyzer's median, worst or best run (default median)",
    })
    .option('epochs', {
      type: 'number',
      describe: 'Override the number of training epochs (for a loaded model: train it this many epochs first)',
    })
    .option('probe-size', {
      type: 'number',
      describe: 'Rows of the probe set used for gradients and activations (default 256)',
    });
}

export function withModelFlags<T>(y: Argv<T>) {
  return y
    .option('model', {
      type: 'string',
      describe:
        'A TensorFlow.js LayersModel model.json (path or http(s) URL), a Keras .h5, a Keras 3 .keras, or a PyTorch ONNX export (.onnx), instead of a spec',
    })
    .option('data', {
      type: 'string',
      describe:
        'Data for --model, recognised by path: a folder of class folders (images), .csv (with --label), .json, .npy (x; y via --label), .npz, or an IDX images file',
    })
    .option('label', {
      type: 'string',
      describe: 'The label column(s) of a --data CSV (a,b,c for several), or the y/labels file of .npy/IDX data',
    })
    .option('loss', {
      choices: LOSSES,
      describe: 'The loss the model was trained with, when the model file has no training config (--loss wins over it)',
    })
    .option('from-logits', {
      type: 'boolean',
      describe:
        'The loss took logits (PyTorch CrossEntropyLoss/BCEWithLogitsLoss, Keras from_logits=True); --no-from-logits: it took probabilities. Default: from the file, else detected from the output layer',
    })
    .option('architecture', {
      type: 'string',
      describe: 'For a weights-only Keras .h5 given as --model: the architecture JSON from model.to_json()',
    })
    .option('history', {
      type: 'string',
      describe:
        'Training history of a loaded model: Keras history JSON dict or CSVLogger file, Lightning metrics.csv, or Hugging Face trainer_state.json',
    })
    .option('validation-split', {
      type: 'number',
      describe:
        'Share of rows held out for validation and evaluation (default 0.2; 0: evaluate a loaded model on every row, as saved)',
    })
    .option('batch-size', { type: 'number', describe: 'Batch size for training and evaluation (default 32)' })
    .group(
      ['model', 'data', 'label', 'loss', 'from-logits', 'architecture', 'history', 'validation-split', 'batch-size'],
      'Model and data, without a spec:',
    )
    .option('classes', {
      type: 'string',
      describe: 'Image folder: class folder names in class-id order (default: sorted names, as Keras does)',
    })
    .option('rescale', {
      type: 'string',
      describe:
        'Images, IDX, .npy/.npz: multiply each value, e.g. 1/255 (Keras rescale=1./255, torchvision ToTensor; default 1)',
    })
    .option('offset', {
      type: 'string',
      describe: 'Images, IDX, .npy/.npz: add after --rescale, e.g. -1 with --rescale 1/127.5 for [-1, 1] (default 0)',
    })
    .option('mean', {
      type: 'string',
      describe:
        'Images, IDX, .npy/.npz: subtract after rescale/offset, one value or one per channel (torchvision Normalize mean), e.g. 0.2860',
    })
    .option('std', {
      type: 'string',
      describe:
        'Images, IDX, .npy/.npz: then divide, one value or one per channel (torchvision Normalize std), e.g. 0.3530',
    })
    .option('size', {
      type: 'string',
      describe:
        'Image folder: height,width,channels when the model does not fix it, or to flatten into an MLP input (28,28,1 for 784)',
    })
    .option('exclude', { type: 'string', describe: 'CSV/JSON: columns to ignore, e.g. RowNumber,CustomerId' })
    .option('features', {
      type: 'string',
      describe: 'CSV/JSON: feature columns in the order the model expects (default: all but label and excluded)',
    })
    .option('categorical', {
      type: 'string',
      describe:
        'CSV/JSON: columns to one-hot encode (categories from the training split); Gender:ordinal for 0..k-1 codes',
    })
    .option('normalize', {
      choices: ['none', 'standardize', 'minmax'] as const,
      describe: 'Scale features with training-split statistics (default none)',
    })
    .option('limit', { type: 'number', describe: 'Use at most this many rows (a seeded random subset)' })
    .group([...DATA_OPTION_NAMES], 'Data options for --data (in a spec: the data section):');
}
