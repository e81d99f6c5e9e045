import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

/** One bad input: the CLI arguments (built in `dir`, the case's own folder), extra env, and the message expected. */
export interface BadInputCase {
  /** Builds the case's files in `dir` (its own folder) and returns the CLI arguments. */
  name: string;
  args: (dir: string) => string[] | Promise<string[]>;
  expect: RegExp;
  env?: Record<string, string>;
  /** Text planted in the input that the message must not repeat. */
  secret?: string;
  /**
   * Runs as a child process (measured, killed if it hangs or bloats): for inputs that could block or bomb, and
   * where the process matters (the backend is chosen once per process). The rest run in the test's process.
   */
  child?: boolean;
}

export const wineDir = path.join(ROOT, 'fixtures/models/wine-mlp');
export const wineData = path.join(ROOT, 'fixtures/data/wine-standardized.json');
export const put = (dir: string, name: string, text: string | Buffer) => {
  const f = path.join(dir, name);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
};
export const json = (v: unknown) => JSON.stringify(v);

/** A small valid spec; each case breaks one thing. */
export const good = () =>
  ({
    name: 'bad-input-case',
    model: {
      train: {
        layers: [
          { type: 'dense', units: 4, activation: 'relu' },
          { type: 'dense', units: 2, activation: 'softmax' },
        ],
        loss: 'categoricalCrossentropy',
        epochs: 1,
      },
    },
    data: { generator: 'moons', samples: 40 },
  }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data mutated freely

/** `audit <spec with one edit>`; the message must name the field. */
function specCase(name: string, edit: (s: ReturnType<typeof good>) => void, expect: RegExp): BadInputCase {
  return {
    name: `spec: ${name}`,
    args: (dir) => {
      const s = good();
      edit(s);
      return ['audit', put(dir, 'spec.json', json(s)), '--out', path.join(dir, 'out'), '-q'];
    },
    expect,
  };
}
const layer0 = (s: ReturnType<typeof good>) => s['model'].train.layers[0];
const train = (s: ReturnType<typeof good>) => s['model'].train;

/** A copy of the wine model with model.json edited, or a shard changed. */
export function wineVariant(dir: string, editJson?: (j: any) => void, editDir?: (d: string) => void): string {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = path.join(dir, 'model');
  cpSync(wineDir, d, { recursive: true });
  if (editJson) {
    const j = JSON.parse(readFileSync(path.join(d, 'model.json'), 'utf8'));
    editJson(j);
    writeFileSync(path.join(d, 'model.json'), json(j));
  }
  editDir?.(d);
  return path.join(d, 'model.json');
}
export const auditModel = (dir: string, model: string, ...rest: string[]) => [
  'audit',
  '--model',
  model,
  '--data',
  wineData,
  '--out',
  path.join(dir, 'out'),
  '-q',
  ...rest,
];
export const csv = (dir: string, text: string, ...rest: string[]) => [
  'audit',
  '--model',
  path.join(wineDir, 'model.json'),
  '--data',
  put(dir, 'd.csv', text),
  '--label',
  'label',
  '--out',
  path.join(dir, 'out'),
  '-q',
  ...rest,
];
export const header13 = `${Array.from({ length: 13 }, (_, i) => `f${i}`).join(',')},label`;
export const row13 = (v = '0.1', label = '0') => `${Array(13).fill(v).join(',')},${label}`;
export const dataSpec = (dir: string, data: unknown) => [
  'audit',
  put(dir, 'spec.json', json({ ...good(), data })),
  '--out',
  path.join(dir, 'out'),
  '-q',
];
const REDIS_DOWN = { REDIS_URL: 'redis://127.0.0.1:1' };

export const SPEC_CASES: BadInputCase[] = [
  specCase(
    'negative units',
    (s) => {
      layer0(s).units = -3;
    },
    /model\.train\.layers\.0\.units/,
  ),
  specCase(
    'zero units',
    (s) => {
      layer0(s).units = 0;
    },
    /model\.train\.layers\.0\.units/,
  ),
  specCase(
    'fractional units',
    (s) => {
      layer0(s).units = 1.5;
    },
    /model\.train\.layers\.0\.units/,
  ),
  specCase(
    'string units',
    (s) => {
      layer0(s).units = 'four';
    },
    /model\.train\.layers\.0\.units/,
  ),
  specCase(
    'a billion units (cap)',
    (s) => {
      layer0(s).units = 1e9;
    },
    /model\.train\.layers\.0: 1000000000 units is over the cap of 65536 \(limits\.maxUnits\)/,
  ),
  specCase(
    'units over a lowered cap',
    (s) => {
      s['limits'] = { maxUnits: 2 };
    },
    /model\.train\.layers\.0: 4 units is over the cap of 2 \(limits\.maxUnits\)/,
  ),
  specCase(
    'parameters over limits.maxParams',
    (s) => {
      s['limits'] = { maxParams: 5 };
    },
    /model\.train\.layers: the model has 22 parameters, over the cap of 5 \(limits\.maxParams\)/,
  ),
  specCase(
    '1e8-parameter model (cap)',
    (s) => {
      train(s).layers = [
        { type: 'dense', units: 20000 },
        { type: 'dense', units: 20000 },
        { type: 'dense', units: 2 },
      ];
    },
    /over the cap of 50,000,000 \(limits\.maxParams\)/,
  ),
  specCase(
    'rows over limits.maxRows',
    (s) => {
      s['limits'] = { maxRows: 10 };
    },
    /40 rows is over the cap of 10 \(limits\.maxRows\)/,
  ),
  specCase(
    'limits.memoryMb too small',
    (s) => {
      s['limits'] = { memoryMb: 10 };
    },
    /limits\.memoryMb/,
  ),
  specCase(
    'limits.timeoutSeconds zero',
    (s) => {
      s['limits'] = { timeoutSeconds: 0 };
    },
    /limits\.timeoutSeconds/,
  ),
  specCase(
    'unknown limit',
    (s) => {
      s['limits'] = { maxGpus: 1 };
    },
    /limits.*maxGpus|maxGpus/,
  ),
  specCase(
    'unknown activation',
    (s) => {
      layer0(s).activation = 'relux';
    },
    /model\.train\.layers\.0\.activation/,
  ),
  specCase(
    'unknown layer type',
    (s) => {
      layer0(s).type = 'lstm';
    },
    /model\.train\.layers\.0\.type/,
  ),
  specCase(
    'unknown layer field',
    (s) => {
      layer0(s).unitz = 3;
    },
    /model\.train\.layers\.0.*unitz/,
  ),
  specCase(
    'layer name with a space',
    (s) => {
      layer0(s).name = 'my layer';
    },
    /model\.train\.layers\.0\.name/,
  ),
  specCase(
    'unknown initializer',
    (s) => {
      layer0(s).kernelInitializer = 'xavier';
    },
    /model\.train\.layers\.0\.kernelInitializer/,
  ),
  specCase(
    'negative initializer stddev',
    (s) => {
      layer0(s).kernelInitializer = { name: 'randomNormal', stddev: -1 };
    },
    /model\.train\.layers\.0\.kernelInitializer/,
  ),
  specCase(
    'dropout rate 1',
    (s) => {
      train(s).layers.splice(1, 0, { type: 'dropout', rate: 1 });
    },
    /model\.train\.layers\.1\.rate/,
  ),
  specCase(
    'negative dropout rate',
    (s) => {
      train(s).layers.splice(1, 0, { type: 'dropout', rate: -0.1 });
    },
    /model\.train\.layers\.1\.rate/,
  ),
  specCase(
    'conv kernelSize 0',
    (s) => {
      train(s).layers.unshift({ type: 'conv2d', filters: 2, kernelSize: 0 });
    },
    /model\.train\.layers\.0\.kernelSize/,
  ),
  specCase(
    'conv filters missing',
    (s) => {
      train(s).layers.unshift({ type: 'conv2d', kernelSize: 3 });
    },
    /model\.train\.layers\.0\.filters/,
  ),
  specCase(
    'empty layers',
    (s) => {
      train(s).layers = [];
    },
    /model\.train\.layers/,
  ),
  specCase(
    'unknown loss',
    (s) => {
      train(s).loss = 'hinge';
    },
    /model\.train\.loss/,
  ),
  specCase(
    'missing loss',
    (s) => {
      delete train(s).loss;
    },
    /model\.train\.loss/,
  ),
  specCase(
    'unknown optimizer',
    (s) => {
      train(s).optimizer = { name: 'lion' };
    },
    /model\.train\.optimizer\.name/,
  ),
  specCase(
    'learning rate 0',
    (s) => {
      train(s).optimizer = { name: 'adam', learningRate: 0 };
    },
    /model\.train\.optimizer\.learningRate/,
  ),
  specCase(
    'negative learning rate',
    (s) => {
      train(s).optimizer = { name: 'sgd', learningRate: -1 };
    },
    /model\.train\.optimizer\.learningRate/,
  ),
  specCase(
    'momentum 1',
    (s) => {
      train(s).optimizer = { name: 'momentum', learningRate: 0.1, momentum: 1 };
    },
    /model\.train\.optimizer\.momentum/,
  ),
  specCase(
    'batchSize 0',
    (s) => {
      train(s).batchSize = 0;
    },
    /model\.train\.batchSize/,
  ),
  specCase(
    'epochs 0 for training',
    (s) => {
      train(s).epochs = 0;
    },
    /model\.train\.epochs/,
  ),
  specCase(
    'epochs 20000',
    (s) => {
      train(s).epochs = 20000;
    },
    /model\.train\.epochs/,
  ),
  specCase(
    'validationSplit 1',
    (s) => {
      train(s).validationSplit = 1;
    },
    /model\.train\.validationSplit/,
  ),
  specCase(
    'negative validationSplit',
    (s) => {
      train(s).validationSplit = -0.1;
    },
    /model\.train\.validationSplit/,
  ),
  specCase(
    'inputShape [0]',
    (s) => {
      train(s).inputShape = [0];
    },
    /model\.train\.inputShape/,
  ),
  specCase(
    'unknown metric',
    (s) => {
      train(s).metrics = ['f1'];
    },
    /model\.train\.metrics/,
  ),
  specCase(
    'negative seed',
    (s) => {
      s['seed'] = -1;
    },
    /seed/,
  ),
  specCase(
    'fractional seed',
    (s) => {
      s['seed'] = 1.5;
    },
    /seed/,
  ),
  specCase(
    'seeds 0',
    (s) => {
      s['seeds'] = 0;
    },
    /seeds/,
  ),
  specCase(
    'seeds 51',
    (s) => {
      s['seeds'] = 51;
    },
    /seeds/,
  ),
  specCase(
    'empty name',
    (s) => {
      s['name'] = '';
    },
    /name/,
  ),
  specCase(
    'unknown top-level field',
    (s) => {
      s['modle'] = {};
    },
    /modle/,
  ),
  specCase(
    'no model',
    (s) => {
      delete s['model'];
    },
    /model/,
  ),
  specCase(
    'no data',
    (s) => {
      delete s['data'];
    },
    /data/,
  ),
  specCase(
    'both train and load',
    (s) => {
      s['model'].load = { path: 'x.json' };
    },
    /model/,
  ),
  specCase(
    'unknown generator',
    (s) => {
      s['data'].generator = 'mnist';
    },
    /data/,
  ),
  specCase(
    'samples 0',
    (s) => {
      s['data'].samples = 0;
    },
    /data/,
  ),
  specCase(
    'samples 2e6',
    (s) => {
      s['data'].samples = 2e6;
    },
    /data/,
  ),
  specCase(
    'negative noise',
    (s) => {
      s['data'].noise = -1;
    },
    /data/,
  ),
  specCase(
    'classes 1',
    (s) => {
      s['data'].classes = 1;
    },
    /data/,
  ),
  specCase(
    'scale 0',
    (s) => {
      s['data'].scale = 0;
    },
    /data/,
  ),
  specCase(
    'labelNoise 2',
    (s) => {
      s['data'].labelNoise = 2;
    },
    /data/,
  ),
  specCase(
    'imageSize 2',
    (s) => {
      s['data'].imageSize = 2;
    },
    /data/,
  ),
  specCase(
    'probeSize 0',
    (s) => {
      s['data'].probeSize = 0;
    },
    /data/,
  ),
  specCase(
    'probeSize 5000',
    (s) => {
      s['data'].probeSize = 5000;
    },
    /data/,
  ),
  specCase(
    'probeEvery 0',
    (s) => {
      s['data'].probeEvery = 0;
    },
    /data/,
  ),
  specCase(
    'unknown normalize',
    (s) => {
      s['data'].normalize = 'zscore';
    },
    /data/,
  ),
  specCase(
    'limit 0',
    (s) => {
      s['data'].limit = 0;
    },
    /data/,
  ),
  specCase(
    'unknown analyzer id',
    (s) => {
      s['analyzers'] = { 'dead-reLu': false };
    },
    /analyzers.*dead-reLu/,
  ),
  specCase(
    'unknown threshold',
    (s) => {
      s['analyzers'] = { 'dead-relu': { failFraction: 0.5 } };
    },
    /analyzers\.dead-relu\.failFraction/,
  ),
  specCase(
    'threshold not a number',
    (s) => {
      s['analyzers'] = { 'dead-relu': { failLayerFraction: 'high' } };
    },
    /analyzers/,
  ),
  specCase(
    'unknown gate preset',
    (s) => {
      s['gate'] = { preset: 'lenient' };
    },
    /gate\.preset/,
  ),
  specCase(
    'unknown aggregate',
    (s) => {
      s['gate'] = { aggregate: 'mean' };
    },
    /gate\.aggregate/,
  ),
  specCase(
    'unknown assertion level',
    (s) => {
      s['gate'] = { assertions: { 'dead-relu': 'fatal' } };
    },
    /gate\.assertions/,
  ),
  specCase(
    'assertion on an unknown analyzer',
    (s) => {
      s['gate'] = { assertions: { 'dead-neurons': 'error' } };
    },
    /gate\.assertions.*dead-neurons|dead-neurons/,
  ),
  specCase(
    'assertion minScore 2',
    (s) => {
      s['gate'] = { assertions: { 'dead-relu': ['error', { minScore: 2 }] } };
    },
    /gate\.assertions/,
  ),
];

export const FILE_CASES: BadInputCase[] = [
  {
    name: 'spec: missing file',
    args: (d) => ['audit', path.join(d, 'missing.json'), '-q'],
    expect: /missing\.json: spec file not found/,
  },
  {
    name: 'spec: empty file',
    args: (d) => ['audit', put(d, 'empty.json', ''), '-q'],
    expect: /empty\.json: invalid JSON/,
  },
  {
    name: 'spec: invalid JSON',
    args: (d) => ['audit', put(d, 'broken.json', '{"model": '), '-q'],
    expect: /broken\.json: invalid JSON/,
  },
  {
    name: 'spec: invalid YAML',
    args: (d) => ['audit', put(d, 'broken.yaml', 'model: [unclosed'), '-q'],
    expect: /broken\.yaml: invalid YAML/,
  },
  {
    name: 'spec: a JSON array',
    args: (d) => ['audit', put(d, 'array.json', '[1,2]'), '-q'],
    expect: /array\.json: invalid spec/,
  },
  {
    name: 'spec: JSON null',
    args: (d) => ['audit', put(d, 'null.json', 'null'), '-q'],
    expect: /null\.json: invalid spec/,
  },
  { name: 'spec: a folder', args: (d) => ['audit', d, '-q'], expect: /spec file is a folder|not a regular file/ },
  {
    name: 'spec: /dev/zero',
    args: () => ['audit', '/dev/zero', '-q'],
    expect: /\/dev\/zero: spec file is not a regular file/,
  },
  {
    name: 'spec: binary bytes',
    args: (d) => ['audit', put(d, 'bin.json', Buffer.from([0, 159, 146, 150, 255])), '-q'],
    expect: /bin\.json: invalid JSON/,
  },
  {
    name: 'data: CSV missing',
    args: (d) => dataSpec(d, { csv: 'nope.csv', label: 'y' }),
    expect: /nope\.csv: data file not found/,
  },
  {
    name: 'data: CSV is /dev/zero',
    args: (d) => dataSpec(d, { csv: '/dev/zero', label: 'y' }),
    expect: /\/dev\/zero: data file is not a regular file/,
  },
  {
    name: 'data: CSV is a folder',
    args: (d) => dataSpec(d, { csv: d, label: 'y' }),
    expect: /data file is a folder|not a regular file/,
  },
  { name: 'data: empty CSV', args: (d) => csv(d, ''), expect: /d\.csv: needs a header row and at least one data row/ },
  {
    name: 'data: header only',
    args: (d) => csv(d, `${header13}\n`),
    expect: /d\.csv: needs a header row and at least one data row/,
  },
  { name: 'data: one row', args: (d) => csv(d, `${header13}\n${row13()}\n`), expect: /needs at least 2 rows, found 1/ },
  {
    name: 'data: ragged CSV',
    args: (d) => csv(d, `${header13}\n${row13()}\n0.1,0.2\n`),
    expect: /d\.csv: not a valid CSV/,
  },
  {
    name: 'data: no label column',
    args: (d) => [
      'audit',
      '--model',
      path.join(wineDir, 'model.json'),
      '--data',
      put(d, 'd.csv', `a,b\n1,2\n3,4\n`),
      '--label',
      'y',
      '-q',
    ],
    expect: /d\.csv: no label column "y"; columns are: a, b/,
  },
  {
    name: 'data: unknown feature column',
    args: (d) => dataSpec(d, { csv: put(d, 'd.csv', 'a,y\n1,0\n2,1\n'), label: 'y', features: ['b'] }),
    expect: /d\.csv: no feature column "b"/,
  },
  {
    name: 'data: NaN cell',
    args: (d) => csv(d, `${header13}\n${row13()}\n${row13('NaN')}\n`),
    expect: /d\.csv:3: column "f0" is "NaN", expected a finite number/,
  },
  {
    name: 'data: text cell',
    args: (d) => csv(d, `${header13}\n${row13()}\n${row13('abc')}\n`),
    // Every column of that row is text: each is named, and the fixes, without quoting the cells.
    expect: /d\.csv:3: columns "f0", "f1", .*"f12" are not numeric .*--categorical/,
  },
  {
    name: 'data: empty cell',
    args: (d) => csv(d, `${header13}\n${row13()}\n${row13('')}\n`),
    expect: /d\.csv:3: column "f0"/,
  },
  {
    name: 'data: width does not match the model',
    args: (d) => csv(d, 'a,b,label\n1,2,0\n3,4,1\n'),
    expect: /each sample has shape \[2\].*the model's input expects \[13\]/,
  },
  {
    name: 'data: 1000 string classes into 3 softmax units',
    args: (d) =>
      csv(
        d,
        `${header13}\n${Array.from({ length: 1000 }, (_, i) => row13('0.1', `class${i}`)).join('\n')}\n`,
        '--loss',
        'sparseCategoricalCrossentropy',
      ),
    expect: /d\.csv: the labels have 1000 classes \(ids up to 999\) but the model's last layer has 3 units/,
  },
  {
    name: 'data: labels above the output units',
    args: (d) => csv(d, `${header13}\n${row13('0.1', '0')}\n${row13('0.1', '7')}\n`),
    expect: /d\.csv: the labels have 8 classes \(ids up to 7\) but the model's last layer has 3 units/,
  },
  {
    name: 'data: regression label not a number',
    args: (d) => dataSpec(d, { csv: put(d, 'd.csv', 'a,y\n1,0.5\n2,x\n'), label: 'y', task: 'regression' }),
    expect: /d\.csv: label "y" row 2 is "x", expected a number/,
  },
  {
    name: 'data: JSON file missing',
    args: (d) => dataSpec(d, { json: 'nope.json' }),
    expect: /nope\.json: data file not found/,
  },
  {
    name: 'data: JSON invalid',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"x": [') }),
    expect: /d\.json: invalid JSON/,
  },
  {
    name: 'data: JSON without x',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"y": [1]}') }),
    expect: /d\.json: expected an object with arrays "x" \(rows\) and "y"/,
  },
  {
    name: 'data: JSON x/y lengths differ',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"x": [[1],[2]], "y": [1]}') }),
    expect: /d\.json: x has 2 rows but y has 1/,
  },
  {
    name: 'data: JSON ragged rows',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"x": [[1,2],[2]], "y": [0,1]}') }),
    expect: /d\.json: x\[1\] has 1 values, expected 2/,
  },
  {
    name: 'data: JSON string value',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"x": [[1],["a"]], "y": [0,1]}') }),
    expect: /d\.json: x\[1\]\[0\] is "a", expected a finite number/,
  },
  {
    name: 'data: JSON empty rows',
    args: (d) => dataSpec(d, { json: put(d, 'd.json', '{"x": [[]], "y": [0]}') }),
    expect: /d\.json: x\[0\] must be a non-empty array/,
  },
];

export const MODEL_CASES: BadInputCase[] = [
  {
    name: 'model: missing model.json',
    args: (d) => auditModel(d, path.join(d, 'none/model.json')),
    expect: /model\.json: model file not found/,
  },
  {
    name: 'model: invalid JSON',
    args: (d) => auditModel(d, put(d, 'm/model.json', '{"format": ')),
    expect: /model\.json: invalid JSON/,
  },
  {
    name: 'model: top level an array',
    args: (d) => auditModel(d, put(d, 'm/model.json', '[]')),
    expect: /model\.json: invalid JSON: top level is not an object/,
  },
  {
    name: 'model: graph model',
    args: (d) => auditModel(d, path.join(ROOT, 'fixtures/models/graph-model/model.json')),
    expect: /graph model/,
  },
  {
    name: 'model: no modelTopology',
    args: (d) => auditModel(d, put(d, 'm/model.json', '{"format": "layers-model"}')),
    expect: /no "modelTopology"/,
  },
  {
    name: 'model: weightsManifest not an array',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.weightsManifest = {};
        }),
      ),
    expect: /"weightsManifest" must be an array/,
  },
  {
    name: 'model: shard path with ../',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.weightsManifest[0].paths = ['../../x.bin'];
        }),
      ),
    expect: /points outside the model's folder/,
  },
  {
    name: 'model: absolute shard path',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.weightsManifest[0].paths = ['/etc/passwd'];
        }),
      ),
    expect: /points outside the model's folder/,
  },
  {
    name: 'model: missing shard',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.weightsManifest[0].paths = ['gone.bin'];
        }),
      ),
    expect: /gone\.bin: weight shard not found/,
  },
  {
    name: 'model: shard symlinked outside',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, undefined, (m) => {
          const t = put(d, 'elsewhere/w.bin', Buffer.alloc(1100));
          unlinkSync(path.join(m, 'weights.bin'));
          symlinkSync(t, path.join(m, 'weights.bin'));
        }),
      ),
    expect: /resolves \(through a symlink\) outside the model's folder/,
  },
  {
    name: 'model: shard longer than the manifest',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, undefined, (m) => appendFileSync(path.join(m, 'weights.bin'), Buffer.alloc(4))),
      ),
    expect: /weight shards hold 1104 bytes but weightsManifest declares 1100/,
  },
  {
    name: 'model: shard shorter than the manifest',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, undefined, (m) => writeFileSync(path.join(m, 'weights.bin'), Buffer.alloc(100))),
      ),
    expect: /weight shards hold 100 bytes but weightsManifest declares 1100/,
  },
  {
    name: 'model: shard is a folder',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, undefined, (m) => {
          unlinkSync(path.join(m, 'weights.bin'));
          mkdirSync(path.join(m, 'weights.bin'));
        }),
      ),
    expect: /weights\.bin: weight shard is (a folder|not a regular file)/,
  },
  {
    name: 'model: no training config, no --loss',
    args: (d) => auditModel(d, path.join(ROOT, 'fixtures/models/wine-mlp-no-training-config/model.json')),
    expect: /no training config; .*--loss/,
  },
  {
    name: 'model: unknown Keras loss',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.trainingConfig.loss = 'my_custom_loss';
        }),
      ),
    expect: /its loss "my_custom_loss" is not one nnaudit knows/,
  },
  {
    name: 'model: params over limits.maxParams',
    args: (d) => [
      'audit',
      put(
        d,
        'spec.json',
        json({
          model: { load: { path: path.join(wineDir, 'model.json') } },
          data: { json: wineData },
          limits: { maxParams: 10 },
        }),
      ),
      '-q',
    ],
    expect: /model\.json: the model has 275 parameters, over the cap of 10 \(limits\.maxParams\)/,
  },
  {
    name: 'model: truncated .h5',
    args: (d) =>
      auditModel(
        d,
        put(
          d,
          't.h5',
          Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 1)]),
        ),
      ),
    expect: /t\.h5: not a readable HDF5 file \(truncated or damaged\)/,
  },
  {
    name: 'model: random bytes .h5',
    args: (d) => auditModel(d, put(d, 'r.h5', Buffer.alloc(4096, 0x5a))),
    expect: /r\.h5: not an HDF5 file \(no HDF5 signature\)/,
  },
  {
    name: 'model: missing .h5',
    args: (d) => auditModel(d, path.join(d, 'gone.h5')),
    expect: /gone\.h5: Keras model file not found/,
  },
  { name: 'model: empty .h5', args: (d) => auditModel(d, put(d, 'e.h5', '')), expect: /e\.h5: not an HDF5 file/ },
  {
    name: 'model: Keras 3 archive',
    args: (d) => auditModel(d, put(d, 'm.keras', 'PK')),
    expect: /m\.keras: Keras 3 \.keras archives|m\.keras/,
  },
  {
    name: 'model: .h5 by URL',
    args: (d) => auditModel(d, 'http://127.0.0.1:1/m.h5'),
    expect: /m\.h5: Keras \.h5 files are read from a local path/,
  },
  {
    name: 'model: history file missing',
    args: (d) => auditModel(d, path.join(wineDir, 'model.json'), '--history', path.join(d, 'h.json')),
    expect: /h\.json: history file not found/,
  },
  {
    name: 'model: history invalid JSON',
    args: (d) => auditModel(d, path.join(wineDir, 'model.json'), '--history', put(d, 'h.json', '{')),
    expect: /h\.json: invalid JSON/,
  },
  {
    name: 'model: history not a dict',
    args: (d) => auditModel(d, path.join(wineDir, 'model.json'), '--history', put(d, 'h.json', '[1,2]')),
    expect: /h\.json: expected a Keras history dict/,
  },
  {
    name: 'url: connection refused',
    args: (d) => auditModel(d, 'http://127.0.0.1:1/model.json'),
    expect: /connection refused by 127\.0\.0\.1:1/,
  },
  {
    name: 'url: credentials in the URL',
    args: (d) => auditModel(d, 'http://user:pw@127.0.0.1:1/model.json'),
    expect: /URLs with credentials are not accepted/,
  },
  {
    name: 'url: not a URL after the scheme',
    args: (d) => auditModel(d, 'http://[bad/model.json'),
    expect: /not a valid URL/,
  },
];

export const RESULT_CASES: BadInputCase[] = [
  {
    name: 'render: missing result',
    args: (d) => ['render', path.join(d, 'result.json'), '-q'],
    expect: /result\.json/,
  },
  { name: 'render: invalid JSON', args: (d) => ['render', put(d, 'r.json', '{'), '-q'], expect: /r\.json/ },
  { name: 'render: not a result', args: (d) => ['render', put(d, 'r.json', '{"hello": 1}'), '-q'], expect: /r\.json/ },
  { name: 'render: a JSON array', args: (d) => ['render', put(d, 'r.json', '[]'), '-q'], expect: /r\.json/ },
  {
    name: 'render: --out under a file',
    args: (d) => [
      'render',
      path.join(ROOT, 'fixtures/results/iris.json'),
      '--out',
      path.join(put(d, 'f', 'x'), 'sub'),
      '-q',
    ],
    expect: /--out .*case-\d+\/f is a file/,
  },
  {
    name: 'analyze: missing artifacts',
    args: (d) => ['analyze', path.join(d, 'artifacts.json'), '-q'],
    expect: /artifacts\.json/,
  },
  { name: 'analyze: invalid JSON', args: (d) => ['analyze', put(d, 'a.json', '{'), '-q'], expect: /a\.json/ },
  { name: 'analyze: not artifacts', args: (d) => ['analyze', put(d, 'a.json', '{"x": 1}'), '-q'], expect: /a\.json/ },
];

export const FLAG_CASES: BadInputCase[] = [
  {
    name: 'flag: --seed abc',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--seed', 'abc', '-q'],
    expect: /--seed: not a number/,
  },
  {
    name: 'flag: --epochs abc',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--epochs', 'abc', '-q'],
    expect: /--epochs: not a number/,
  },
  {
    name: 'flag: --seeds abc',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--seeds', 'abc', '-q'],
    expect: /--seeds: not a number/,
  },
  {
    name: 'flag: --probe-size abc',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--probe-size', 'abc', '-q'],
    expect: /--probe-size: not a number/,
  },
  {
    name: 'flag: --seeds 0',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--seeds', '0', '-q'],
    expect: /seeds/,
  },
  {
    name: 'flag: --format bogus',
    args: (d) => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--format', 'docx', '--out', d, '-q'],
    expect: /--format docx: unknown output/,
  },
  {
    name: 'flag: --format html without --out',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--format', 'html', '-q'],
    expect: /--format html writes files: give --out/,
  },
  {
    name: 'flag: --out under a file',
    args: (d) => [
      'audit',
      path.join(ROOT, 'fixtures/specs/iris.json'),
      '--out',
      path.join(put(d, 'afile', 'x'), 'sub'),
      '-q',
    ],
    expect: /--out .*afile is a file/,
  },
  {
    name: 'flag: --out in /proc',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--out', '/proc/nnaudit-x', '-q'],
    expect: /--out \/proc\/nnaudit-x: \/proc is a system pseudo file system/,
  },
  {
    name: 'flag: --out in /sys',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--out', '/sys/x', '-q'],
    expect: /--out \/sys\/x: \/sys is a system pseudo/,
  },
  {
    name: 'flag: a spec and --model',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--model', 'm.json', '-q'],
    expect: /either a spec file or --model, not both/,
  },
  {
    name: 'flag: --model without --data',
    args: () => ['audit', '--model', path.join(wineDir, 'model.json'), '-q'],
    expect: /--model needs --data/,
  },
  {
    name: 'flag: CSV without --label',
    args: () => [
      'audit',
      '--model',
      path.join(wineDir, 'model.json'),
      '--data',
      path.join(ROOT, 'fixtures/data/wine.csv'),
      '-q',
    ],
    expect: /--label/,
  },
  { name: 'flag: nothing to audit', args: () => ['audit', '-q'], expect: /nothing to audit/ },
  { name: 'flag: unknown option', args: () => ['audit', '--modle', 'x'], expect: /Unknown argument: modle/ },
  { name: 'flag: unknown command', args: () => ['audti'], expect: /Unknown argument: audti|Did you mean/ },
  { name: 'flag: no command', args: () => [], expect: /Say which command to run/ },
  {
    name: 'flag: --preset bogus',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--preset', 'lenient'],
    expect: /preset/,
  },
  {
    name: 'flag: --backend bogus',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--backend', 'gpu'],
    expect: /backend/,
  },
  {
    name: 'flag: --aggregate bogus',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '--aggregate', 'mean'],
    expect: /aggregate/,
  },
  {
    name: 'env: NNAUDIT_BACKEND=gpu',
    args: () => ['audit', path.join(ROOT, 'fixtures/specs/iris.json'), '-q'],
    env: { NNAUDIT_BACKEND: 'gpu' },
    child: true,
    expect: /NNAUDIT_BACKEND=gpu is not a backend/,
  },
  {
    name: 'queue: enqueue a bad spec',
    args: (d) => ['enqueue', put(d, 's.json', json({ ...good(), seed: -1 }))],
    env: REDIS_DOWN,
    expect: /s\.json: invalid spec/,
  },
  {
    name: 'queue: enqueue a missing spec',
    args: (d) => ['enqueue', path.join(d, 'none.json')],
    env: REDIS_DOWN,
    expect: /none\.json: spec file not found/,
  },
  {
    name: 'queue: enqueue --email not an address',
    args: () => ['enqueue', path.join(ROOT, 'fixtures/specs/iris.json'), '--email', 'not-an-address'],
    env: REDIS_DOWN,
    expect: /email\.0: Invalid email address/,
  },
  {
    name: 'queue: enqueue with Redis down',
    args: () => ['enqueue', path.join(ROOT, 'fixtures/specs/iris.json')],
    env: REDIS_DOWN,
    expect: /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
  },
  {
    name: 'queue: enqueue with nothing to enqueue',
    args: () => ['enqueue'],
    env: REDIS_DOWN,
    expect: /nothing to enqueue: give a spec file \(nnaudit enqueue spec\.json\) or a model and its data/,
  },
  {
    name: 'queue: enqueue --model without --data',
    args: () => ['enqueue', '--model', path.join(wineDir, 'model.json')],
    env: REDIS_DOWN,
    expect: /--model needs --data/,
  },
  {
    name: 'queue: enqueue a spec and --data',
    args: () => ['enqueue', path.join(ROOT, 'fixtures/specs/iris.json'), '--data', 'd.csv'],
    env: REDIS_DOWN,
    expect: /--data goes with --model, not with a spec file/,
  },
  {
    name: 'flag: analyze --format bogus',
    args: (d) => ['analyze', path.join(d, 'artifacts.json'), '--format', 'docx', '--out', d],
    expect: /--format docx: unknown output/,
  },
  { name: 'queue: jobs with Redis down', args: () => ['jobs'], env: REDIS_DOWN, expect: /cannot reach Redis/ },
  { name: 'queue: status with Redis down', args: () => ['status', '1'], env: REDIS_DOWN, expect: /cannot reach Redis/ },
  { name: 'queue: cancel with Redis down', args: () => ['cancel', '1'], env: REDIS_DOWN, expect: /cannot reach Redis/ },
  {
    name: 'queue: REDIS_URL not a redis URL',
    args: () => ['jobs'],
    env: { REDIS_URL: 'http://x' },
    expect: /REDIS_URL/,
  },
  {
    name: 'queue: NNAUDIT_ATTEMPTS 0',
    args: () => ['jobs'],
    env: { NNAUDIT_ATTEMPTS: '0' },
    expect: /NNAUDIT_ATTEMPTS/,
  },
  {
    name: 'queue: NNAUDIT_JOB_MEMORY_MB too small',
    args: () => ['jobs'],
    env: { NNAUDIT_JOB_MEMORY_MB: '5' },
    expect: /NNAUDIT_JOB_MEMORY_MB/,
  },
  {
    name: 'queue: schedule add without a rule',
    args: () => ['schedule', 'add', 'n', path.join(ROOT, 'fixtures/specs/iris.json')],
    env: REDIS_DOWN,
    expect: /exactly one of --cron or --every/,
  },
  {
    name: 'queue: schedule --every 10',
    args: () => ['schedule', 'add', 'n', path.join(ROOT, 'fixtures/specs/iris.json'), '--every', '10'],
    env: REDIS_DOWN,
    expect: /--every 10: at least 1000 ms/,
  },
  {
    name: 'queue: schedule add without a name',
    args: () => ['schedule', 'add'],
    env: REDIS_DOWN,
    expect: /schedule add needs a name/,
  },
  {
    name: 'queue: schedule add without a spec',
    args: () => ['schedule', 'add', 'n', '--every', '5000'],
    env: REDIS_DOWN,
    expect: /schedule add needs a spec file/,
  },
  { name: 'queue: schedule unknown action', args: () => ['schedule', 'pause'], expect: /action|Invalid values/ },
  {
    name: 'queue: worker --concurrency 0',
    args: () => ['worker', '--concurrency', '0'],
    env: REDIS_DOWN,
    expect: /--concurrency 0: must be a whole number >= 1/,
  },
  {
    name: 'queue: worker --queue bogus',
    args: () => ['worker', '--queue', 'train'],
    env: REDIS_DOWN,
    expect: /--queue train: unknown queue/,
  },
  {
    name: 'queue: worker --shutdown-grace -1',
    args: () => ['worker', '--shutdown-grace', '-1'],
    env: REDIS_DOWN,
    expect: /--shutdown-grace -1/,
  },
];

export const ALL_CASES: BadInputCase[] = [...SPEC_CASES, ...FILE_CASES, ...MODEL_CASES, ...RESULT_CASES, ...FLAG_CASES];
