import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { detectFormat, loadLayersModel } from '../../src/gather/model/load-model.js';
import { execFileSync } from 'node:child_process';
import { readCompileConfig } from '../../src/gather/model/loaders/training-config.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { ModelLoadError, SpecError } from '../../src/errors.js';
import { obtainModel } from '../../src/gather/model/obtain-model.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { tf } from '../../src/gather/tf.js';
import { DTYPE_POLICY, dense, inputLayer, tensorRef, writeKerasArchive, type Var } from '../helpers/keras3-archive.js';

const wineDir = path.join(fixturesDir(), 'models', 'wine-mlp');
let tmp: string;

/** A copy of the wine model whose model.json is edited by `edit`. */
function variant(name: string, edit: (json: { weightsManifest: Array<{ paths: string[] }> }) => void): string {
  const dir = path.join(tmp, name);
  cpSync(wineDir, dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

beforeAll(async () => {
  await selectBackend();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-load-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadLayersModel', () => {
  it('loads a LayersModel and its Keras training config', async () => {
    const loaded = await loadLayersModel(path.join(wineDir, 'model.json'));
    expect(loaded.model.layers.map((l) => l.name)).toEqual(['hidden', 'output']);
    expect(loaded.training).toMatchObject({
      loss: 'categoricalCrossentropy',
      optimizer: { name: 'adam', learningRate: 0.01 },
    });
    loaded.model.dispose();
  });

  it.each([
    ['a missing file', () => path.join(tmp, 'nope', 'model.json'), /model.json: model file not found/],
    [
      'invalid JSON',
      () => {
        const f = path.join(tmp, 'bad.json');
        writeFileSync(f, '{"format": ');
        return f;
      },
      /bad.json: invalid JSON/,
    ],
    [
      'a graph model',
      () => path.join(fixturesDir(), 'models', 'graph-model', 'model.json'),
      /graph model .*not a LayersModel.*tfjs_layers_model/,
    ],
    [
      'a shard path with ../',
      () =>
        variant('escape', (j) => {
          j.weightsManifest[0]!.paths = ['../../etc/passwd'];
        }),
      /weight shard "..\/..\/etc\/passwd" points outside the model's folder/,
    ],
    [
      'an absolute shard path',
      () =>
        variant('absolute', (j) => {
          j.weightsManifest[0]!.paths = ['/etc/passwd'];
        }),
      /points outside the model's folder/,
    ],
    [
      'a missing shard',
      () =>
        variant('missing', (j) => {
          j.weightsManifest[0]!.paths = ['gone.bin'];
        }),
      /gone.bin: weight shard not found/,
    ],
    [
      'JSON that is not a model',
      () => {
        const f = path.join(tmp, 'other.json');
        writeFileSync(f, '{"a": 1}');
        return f;
      },
      /no "modelTopology"/,
    ],
  ])('rejects %s with a clear ModelLoadError', async (_name, makePath, message) => {
    const p = makePath();
    await expect(loadLayersModel(p)).rejects.toThrow(ModelLoadError);
    await expect(loadLayersModel(p)).rejects.toThrow(message);
  });

  describe('over http', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const url = req.url ?? '/';
        if (url === '/escape/model.json') {
          const json = JSON.parse(readFileSync(path.join(wineDir, 'model.json'), 'utf8')) as {
            weightsManifest: Array<{ paths: string[] }>;
          };
          json.weightsManifest[0]!.paths = ['../secret.bin'];
          res.end(JSON.stringify(json));
          return;
        }
        const m = /^\/wine\/(model\.json|weights\.bin)$/.exec(url);
        if (!m) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        res.end(readFileSync(path.join(wineDir, m[1]!)));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('loads model.json and shards from a URL', async () => {
      const loaded = await loadLayersModel(`${base}/wine/model.json`);
      expect(loaded.model.countParams()).toBe(13 * 16 + 16 + 16 * 3 + 3);
      loaded.model.dispose();
    });

    it('refuses a shard URL outside the model folder and reports HTTP errors', async () => {
      await expect(loadLayersModel(`${base}/escape/model.json`)).rejects.toThrow(/points outside the model's folder/);
      await expect(loadLayersModel(`${base}/missing/model.json`)).rejects.toThrow(/HTTP 404/);
    });
  });
});

const W = (shape: number[], f: (i: number) => number): Var => ({
  shape,
  data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
});
const matVec = (x: number[], k: Var, b: Var): number[] =>
  b.data.map((bias, o) => x.reduce((acc, xi, i) => acc + xi * k.data[i * k.shape[1]! + o]!, bias));

describe('Keras 3 .keras archives', () => {
  // Functional: one input, two branches (relu; tanh with an L2 regularizer), Add, then a nested Sequential head.
  const left = [W([4, 3], (i) => Math.sin(i + 1) * 0.5), W([3], (i) => 0.1 * i)];
  const right = [W([4, 3], (i) => Math.cos(i * 0.7) * 0.4), W([3], (i) => -0.05 * i)];
  const head = [W([3, 2], (i) => (i % 2 ? 0.8 : -0.6) + i * 0.1), W([2], (i) => 0.2 - 0.3 * i)];
  const functional = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    registered_name: 'Functional',
    config: {
      name: 'branchy',
      trainable: true,
      layers: [
        { ...inputLayer('features', [null, 4]), name: 'features', inbound_nodes: [] },
        {
          ...dense('left', 3, 'relu', 4),
          name: 'left',
          inbound_nodes: [{ args: [tensorRef('features', 4)], kwargs: {} }],
        },
        {
          ...dense('right', 3, 'tanh', 4, {
            kernel_regularizer: {
              module: 'keras.regularizers',
              class_name: 'L2',
              config: { l2: 0.01 },
              registered_name: null,
            },
          }),
          name: 'right',
          inbound_nodes: [{ args: [tensorRef('features', 4)], kwargs: {} }],
        },
        {
          module: 'keras.layers',
          class_name: 'Add',
          registered_name: null,
          config: { name: 'add', trainable: true, dtype: DTYPE_POLICY },
          build_config: {
            input_shape: [
              [null, 3],
              [null, 3],
            ],
          },
          name: 'add',
          inbound_nodes: [{ args: [[tensorRef('left', 3), tensorRef('right', 3)]], kwargs: {} }],
        },
        {
          module: 'keras',
          class_name: 'Sequential',
          registered_name: null,
          build_config: { input_shape: [null, 3] },
          config: {
            name: 'head',
            trainable: true,
            dtype: DTYPE_POLICY,
            layers: [inputLayer('head_input', [null, 3]), dense('head_out', 2, 'softmax', 3)],
          },
          name: 'head',
          inbound_nodes: [{ args: [tensorRef('add', 3)], kwargs: {} }],
        },
      ],
      // Keras 3 writes a single input or output without the enclosing list.
      input_layers: ['features', 0, 0],
      output_layers: ['head', 0, 0],
    },
    compile_config: {
      optimizer: {
        module: 'keras.optimizers',
        class_name: 'SGD',
        config: { name: 'SGD', learning_rate: 0.05, momentum: 0.9, nesterov: false },
        registered_name: null,
      },
      loss: {
        module: 'keras.losses',
        class_name: 'CategoricalCrossentropy',
        config: { name: 'categorical_crossentropy', from_logits: false },
        registered_name: null,
      },
      metrics: ['accuracy'],
    },
  };
  const functionalVars = { 'layers/dense': left, 'layers/dense_1': right, 'layers/sequential/layers/dense': head };

  it('loads a Functional model with branches and a nested Sequential, with the weights where Keras put them', async () => {
    const file = path.join(tmp, 'branchy.keras');
    await writeKerasArchive(file, functional, functionalVars);
    const loaded = await loadLayersModel(file);
    expect(loaded.training).toMatchObject({
      loss: 'categoricalCrossentropy',
      optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
      metrics: ['accuracy'],
    });
    const rows = [
      [0.5, -1, 2, 0.25],
      [-0.3, 0.8, 0.1, -1.5],
    ];
    const x = tf.tensor2d(rows);
    const y = loaded.model.predict(x) as tf.Tensor;
    const got = (await y.array()) as number[][];
    rows.forEach((r, i) => {
      const l = matVec(r, left[0]!, left[1]!).map((v) => Math.max(0, v));
      const rr = matVec(r, right[0]!, right[1]!).map(Math.tanh);
      const z = matVec(
        l.map((v, j) => v + rr[j]!),
        head[0]!,
        head[1]!,
      );
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      e.map((v) => v / e.reduce((a, b) => a + b, 0)).forEach((p, j) => expect(got[i]![j]).toBeCloseTo(p, 5));
    });
    tf.dispose([x, y]);
    loaded.model.dispose();
  });

  it('loads a Sequential with BatchNormalization: trainable variables first, then the moving statistics', async () => {
    const bn = [W([4], () => 2), W([4], () => 0.5), W([4], (i) => i), W([4], () => 4)]; // gamma, beta, moving mean, moving variance
    const d1 = [W([3, 4], (i) => (i % 5) * 0.2), W([4], () => 0)];
    const d2 = [W([4, 1], (i) => 0.3 * (i + 1)), W([1], () => -1)];
    const config = {
      module: 'keras',
      class_name: 'Sequential',
      registered_name: null,
      config: {
        name: 'seq',
        trainable: true,
        dtype: DTYPE_POLICY,
        layers: [
          inputLayer('in', [null, 3]),
          dense('d1', 4, 'linear', 3),
          {
            module: 'keras.layers',
            class_name: 'BatchNormalization',
            registered_name: null,
            config: {
              name: 'bn',
              trainable: true,
              dtype: DTYPE_POLICY,
              axis: -1,
              momentum: 0.99,
              epsilon: 0.001,
              center: true,
              scale: true,
              beta_initializer: {
                module: 'keras.initializers',
                class_name: 'Zeros',
                config: {},
                registered_name: null,
              },
              gamma_initializer: {
                module: 'keras.initializers',
                class_name: 'Ones',
                config: {},
                registered_name: null,
              },
              moving_mean_initializer: {
                module: 'keras.initializers',
                class_name: 'Zeros',
                config: {},
                registered_name: null,
              },
              moving_variance_initializer: {
                module: 'keras.initializers',
                class_name: 'Ones',
                config: {},
                registered_name: null,
              },
              beta_regularizer: null,
              gamma_regularizer: null,
              beta_constraint: null,
              gamma_constraint: null,
              synchronized: false,
            },
          },
          dense('d2', 1, 'sigmoid', 4),
        ],
      },
      compile_config: { optimizer: 'rmsprop', loss: 'binary_crossentropy', metrics: [] },
    };
    const file = path.join(tmp, 'bn.keras');
    await writeKerasArchive(file, config, {
      'layers/dense': d1,
      'layers/batch_normalization': bn,
      'layers/dense_1': d2,
    });
    const loaded = await loadLayersModel(file);
    expect(loaded.training).toMatchObject({
      loss: 'binaryCrossentropy',
      optimizer: { name: 'rmsprop', learningRate: 0.001 },
    });
    const r = [1, -2, 0.5];
    const h = matVec(r, d1[0]!, d1[1]!).map((v, j) => (2 * (v - j)) / Math.sqrt(4 + 0.001) + 0.5);
    const want = 1 / (1 + Math.exp(-matVec(h, d2[0]!, d2[1]!)[0]!));
    const x = tf.tensor2d([r]);
    const y = loaded.model.predict(x) as tf.Tensor;
    expect((await y.data())[0]).toBeCloseTo(want, 5);
    tf.dispose([x, y]);
    loaded.model.dispose();
  });

  it('reads a Keras 2.13-2.15 archive, whose weight groups sit under _layer_checkpoint_dependencies', async () => {
    const file = path.join(tmp, 'keras213.keras');
    const renamed = Object.fromEntries(
      Object.entries(functionalVars).map(([k, v]) => [k.replace(/layers\//g, '_layer_checkpoint_dependencies/'), v]),
    );
    await writeKerasArchive(file, functional, renamed, '2.13.1');
    const loaded = await loadLayersModel(file);
    const x = tf.tensor2d([[0.5, -1, 2, 0.25]]);
    const y = loaded.model.predict(x) as tf.Tensor;
    const l = matVec([0.5, -1, 2, 0.25], left[0]!, left[1]!).map((v) => Math.max(0, v));
    const r = matVec([0.5, -1, 2, 0.25], right[0]!, right[1]!).map(Math.tanh);
    const z = matVec(
      l.map((v, j) => v + r[j]!),
      head[0]!,
      head[1]!,
    );
    expect((await y.data())[0]).toBeCloseTo(1 / (1 + Math.exp(z[1]! - z[0]!)), 5);
    tf.dispose([x, y]);
    loaded.model.dispose();
  });

  it('loads an LSTM, whose variables Keras keeps in its cell', async () => {
    const units = 3;
    const kernel = W([2, 4 * units], (i) => Math.sin(i) * 0.3);
    const recurrent = W([units, 4 * units], (i) => Math.cos(i) * 0.2);
    const bias = W([4 * units], (i) => 0.01 * i);
    const out = [W([units, 1], (i) => 0.5 - i * 0.2), W([1], () => 0.1)];
    const lstm = {
      module: 'keras.layers',
      class_name: 'LSTM',
      registered_name: null,
      config: {
        name: 'lstm',
        trainable: true,
        dtype: DTYPE_POLICY,
        return_sequences: false,
        return_state: false,
        go_backwards: false,
        stateful: false,
        unroll: false,
        zero_output_for_mask: false,
        units,
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        use_bias: true,
        kernel_initializer: {
          module: 'keras.initializers',
          class_name: 'GlorotUniform',
          config: { seed: null },
          registered_name: null,
        },
        recurrent_initializer: {
          module: 'keras.initializers',
          class_name: 'Orthogonal',
          config: { seed: null, gain: 1.0 },
          registered_name: null,
        },
        bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
        unit_forget_bias: true,
        kernel_regularizer: null,
        recurrent_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        recurrent_constraint: null,
        bias_constraint: null,
        dropout: 0.0,
        recurrent_dropout: 0.0,
        seed: null,
      },
    };
    const config = {
      module: 'keras',
      class_name: 'Sequential',
      registered_name: null,
      config: {
        name: 'rnn',
        trainable: true,
        dtype: DTYPE_POLICY,
        layers: [inputLayer('in', [null, 5, 2]), lstm, dense('out', 1, 'sigmoid', units)],
      },
    };
    const file = path.join(tmp, 'lstm.keras');
    await writeKerasArchive(file, config, { 'layers/lstm/cell': [kernel, recurrent, bias], 'layers/dense': out });
    const loaded = await loadLayersModel(file);
    // The same network built directly in tfjs with the same weights.
    const ref = tf.sequential({
      layers: [
        tf.layers.lstm({ units, inputShape: [5, 2], recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    ref.setWeights([kernel, recurrent, bias, ...out].map((v) => tf.tensor(v.data, v.shape)));
    const x = tf.randomNormal([4, 5, 2], 0, 1, 'float32', 9);
    const [a, b] = [loaded.model.predict(x) as tf.Tensor, ref.predict(x) as tf.Tensor];
    const [pa, pb] = [await a.data(), await b.data()];
    pa.forEach((v, i) => expect(v).toBeCloseTo(pb[i]!, 6));
    expect(new Set(pa).size).toBeGreaterThan(1);
    tf.dispose([x, a, b]);
    loaded.model.dispose();
    ref.dispose();
  });

  it('does not open a FIFO to sniff its format (it would block)', async () => {
    const fifo = path.join(tmp, 'model.json.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await detectFormat(fifo)).toBe('tfjs-layers');
  });

  it('an archive saved without compile(): the error asks for --loss and names compile_config, not model.json', async () => {
    const { compile_config: _, ...uncompiled } = functional;
    const file = path.join(tmp, 'uncompiled.keras');
    await writeKerasArchive(file, uncompiled, functionalVars);
    const spec = validateSpec({ model: { load: { path: file } }, data: { generator: 'blobs' } }, 'test');
    const err = await obtainModel(spec, [], tmp).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(
      /uncompiled\.keras: the Keras file has no compile_config \(saved without compile\(\)\); say which loss it was trained with: --loss/,
    );
  });

  it('recognizes an archive by its bytes whatever its name', async () => {
    const file = path.join(tmp, 'renamed.bin');
    await writeKerasArchive(file, functional, functionalVars);
    const loaded = await loadLayersModel(file);
    expect(loaded.model.name).toBe('branchy');
    loaded.model.dispose();
  });

  it.each([
    [
      'an archive without config.json',
      async (f: string) => {
        writeFileSync(f, zipOf({ 'metadata.json': '{}' }));
      },
      /has no config.json/,
    ],
    [
      'an archive without weights',
      async (f: string) => {
        writeFileSync(f, zipOf({ 'config.json': JSON.stringify(functional) }));
      },
      /has no model.weights.h5 .*save the model again/,
    ],
    [
      'a subclassed model',
      async (f: string) => {
        await writeKerasArchive(f, { ...functional, class_name: 'MyModel' }, {});
      },
      /"MyModel" \(a subclassed Model.*Functional/,
    ],
    [
      'a layer with the wrong number of weights',
      async (f: string) => {
        await writeKerasArchive(f, functional, { ...functionalVars, 'layers/dense': [left[0]!] });
      },
      /layer "left" \(Dense\) has 2 weights in TensorFlow.js but 1 in model.weights.h5 at layers\/dense\/vars/,
    ],
    [
      'a weight of the wrong shape',
      async (f: string) => {
        await writeKerasArchive(f, functional, {
          ...functionalVars,
          'layers/dense_1': [W([3, 4], () => 0), right[1]!],
        });
      },
      /weight layers\/dense_1\/vars\/0 of layer "right" has shape \[3, 4\], the model expects \[4, 3\]/,
    ],
    [
      'a file that is not a zip',
      async (f: string) => {
        writeFileSync(f, 'PK\u0003\u0004 not really');
      },
      /not a readable .keras \(zip\) archive/,
    ],
  ])('rejects %s with a ModelLoadError that says what is wrong', async (name, make, message) => {
    const file = path.join(tmp, `${name.replace(/\W+/g, '-')}.keras`);
    await make(file);
    const before = tf.memory().numTensors;
    const err = await loadLayersModel(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before); // a half-built model is disposed
  });
});

function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
}

describe('readCompileConfig: Keras 2 training_config and Keras 3 compile_config', () => {
  const adam = (learning_rate: unknown) => ({
    module: 'keras.optimizers',
    class_name: 'Adam',
    config: { name: 'adam', learning_rate },
    registered_name: null,
  });
  it.each([
    [
      'Keras 2 names',
      {
        loss: 'mse',
        optimizer_config: { class_name: 'Custom>Adam', config: { learning_rate: 0.02 } },
        metrics: ['mae'],
      },
      {
        loss: 'meanSquaredError',
        fromLogits: false,
        optimizer: { name: 'adam', learningRate: 0.02 },
        metrics: ['mae'],
      },
    ],
    [
      'a Keras 3 Loss object',
      {
        loss: {
          module: 'keras.losses',
          class_name: 'BinaryCrossentropy',
          config: { name: 'binary_crossentropy', from_logits: false },
        },
        optimizer: adam(0.01),
      },
      { loss: 'binaryCrossentropy', fromLogits: false, optimizer: { name: 'adam', learningRate: 0.01 } },
    ],
    [
      'a loss on logits (mapped, from_logits kept)',
      { loss: { class_name: 'SparseCategoricalCrossentropy', config: { from_logits: true } }, optimizer: 'sgd' },
      {
        rawLoss: 'SparseCategoricalCrossentropy(from_logits=True)',
        loss: 'sparseCategoricalCrossentropy',
        fromLogits: true,
        optimizer: { name: 'sgd', learningRate: 0.001 },
      },
    ],
    [
      'a learning-rate schedule (its initial rate)',
      {
        loss: 'categorical_crossentropy',
        optimizer: adam({
          module: 'keras.optimizers.schedules',
          class_name: 'ExponentialDecay',
          config: { initial_learning_rate: 0.1, decay_steps: 100 },
        }),
      },
      { loss: 'categoricalCrossentropy', fromLogits: false, optimizer: { name: 'adam', learningRate: 0.1 } },
    ],
    [
      'Keras 3 float32 rates widened to doubles (0.0010000000474974513 is what 0.001 saves as)',
      { loss: 'mse', optimizer: adam(0.0010000000474974513) },
      { loss: 'meanSquaredError', fromLogits: false, optimizer: { name: 'adam', learningRate: 0.001 } },
    ],
    [
      'a double that is not a float32 stays as written',
      { loss: 'mse', optimizer: adam(0.0010000000000000002) },
      { loss: 'meanSquaredError', fromLogits: false, optimizer: { name: 'adam', learningRate: 0.0010000000000000002 } },
    ],
    [
      'metrics as objects, per output',
      {
        loss: 'mse',
        metrics: [
          [{ module: 'keras.metrics', class_name: 'MeanAbsoluteError', config: { name: 'mean_absolute_error' } }],
          ['mse', 'auc'],
        ],
      },
      { loss: 'meanSquaredError', fromLogits: false, metrics: ['mae', 'mse'] },
    ],
  ])('%s', (_name, config, expected) => {
    expect(readCompileConfig(config)).toEqual({ rawLoss: expect.any(String) as unknown, ...expected });
  });
});
