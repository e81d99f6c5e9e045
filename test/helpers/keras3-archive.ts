/**
 * Writes a small Keras 3 `.keras` archive (zip of config.json, metadata.json, model.weights.h5) the way
 * keras/src/saving/saving_lib.py lays it out, so loader tests need no Python. Weights go to
 * `<group>/vars/<i>` in the order given.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';

interface H5Group {
  create_group(name: string): H5Group;
  create_dataset(a: { name: string; data: Float32Array; shape: number[]; dtype: string }): unknown;
}
interface H5Writable extends H5Group {
  get(p: string): H5Group | null;
  close(): void;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (p: string, mode: 'w') => H5Writable;
}

export interface Var {
  shape: number[];
  data: number[];
}

export async function writeKerasArchive(
  file: string,
  config: unknown,
  vars: Record<string, Var[]>,
  kerasVersion = '3.10.0',
): Promise<void> {
  const h5 = ((await import('h5wasm/node')) as unknown as { default: H5Module }).default;
  await h5.ready;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keras3-fixture-'));
  const weightsFile = path.join(dir, 'model.weights.h5');
  const f = new h5.File(weightsFile, 'w');
  const group = (p: string): H5Group => {
    let at = '';
    let g: H5Group = f;
    for (const part of p.split('/')) {
      at = at ? `${at}/${part}` : part;
      g = f.get(at) ?? g.create_group(part);
    }
    return g;
  };
  group('vars'); // the model's own (empty) variables, as Keras writes them
  for (const [p, list] of Object.entries(vars)) {
    const g = group(`${p}/vars`);
    list.forEach((v, i) =>
      g.create_dataset({ name: String(i), data: Float32Array.from(v.data), shape: v.shape, dtype: '<f' }),
    );
  }
  f.close();
  const zip = zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: kerasVersion, date_saved: '2026-01-01@00:00:00' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': new Uint8Array(readFileSync(weightsFile)),
  });
  writeFileSync(file, zip);
  rmSync(dir, { recursive: true, force: true });
}

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const init = (cls: string) => ({
  module: 'keras.initializers',
  class_name: cls,
  config: cls === 'Zeros' ? {} : { seed: null },
  registered_name: null,
});

/** A Keras 3 Dense layer entry as get_config + serialize_keras_object write it. */
export function dense(
  name: string,
  units: number,
  activation: string,
  inputDim: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    module: 'keras.layers',
    class_name: 'Dense',
    registered_name: null,
    build_config: { input_shape: [null, inputDim] },
    config: {
      name,
      trainable: true,
      dtype: policy,
      units,
      activation,
      use_bias: true,
      kernel_initializer: init('GlorotUniform'),
      bias_initializer: init('Zeros'),
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      ...extra,
    },
  };
}

export function inputLayer(name: string, batchShape: Array<number | null>): Record<string, unknown> {
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    registered_name: null,
    config: { batch_shape: batchShape, dtype: 'float32', sparse: false, name },
  };
}

/** A reference to a layer's output inside a Functional config's inbound node. */
export function tensorRef(layer: string, units: number, node = 0): Record<string, unknown> {
  return {
    class_name: '__keras_tensor__',
    config: { shape: [null, units], dtype: 'float32', keras_history: [layer, node, 0] },
  };
}

export const DTYPE_POLICY = policy;
