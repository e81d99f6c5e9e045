import path from 'node:path';
import { tf } from './tf.js';
import { ModelLoadError } from '../errors.js';
import { readTrainingConfig, type LoadedModel } from './load-model.js';
import { checkedPath, openFileSync } from '../policy/open-input.js';
import { checkHdf5Signature, quietHdf5 } from './quiet-hdf5.js';

interface H5Attr { value: unknown }
interface H5Node { attrs: Record<string, H5Attr>; keys?(): string[] }
interface H5Dataset extends H5Node { shape: number[] | null; dtype: string; value: unknown }
interface H5File extends H5Node { file_id: bigint | number; get(p: string): H5Node | H5Dataset | null; close(): void }
interface H5Module { ready: Promise<unknown>; File: new (filename: string, mode: 'r') => H5File }

let h5: Promise<H5Module> | null = null;

/** h5wasm (libhdf5 compiled to WebAssembly): reads HDF5 without Python or a native addon. Loaded on first use. */
function h5wasm(): Promise<H5Module> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    const mod = (m as unknown as { default: H5Module }).default;
    await mod.ready;
    return mod;
  });
  return h5;
}

const text = (a: H5Attr | undefined): string | null => (a === undefined ? null : typeof a.value === 'string' ? a.value : Array.isArray(a.value) ? String(a.value[0]) : String(a.value));
const strings = (a: H5Attr | undefined): string[] => (a === undefined ? [] : Array.isArray(a.value) ? a.value.map(String) : [String(a.value)]).filter((s) => s.length > 0);

/**
 * Loads a Keras 2 HDF5 model (`model.save('m.h5')`) directly: model_config becomes the LayersModel topology,
 * weights come from the model_weights groups, and training_config gives the loss and optimizer. For a
 * weights-only file (`save_weights`), pass the architecture JSON from `model.to_json()`.
 */
export async function loadKerasH5(file: string, architectureFile?: string): Promise<LoadedModel> {
  const real = checkedPath(file, 'Keras model file', ModelLoadError); // policy chokepoint: confinement, regular file, size cap
  checkHdf5Signature(real);
  const mod = await h5wasm();
  let f: H5File;
  try {
    f = quietHdf5(() => new mod.File(real, 'r'));
    // h5wasm does not throw when libhdf5 cannot open the file (truncated): it returns a negative id.
    if (Number(f.file_id) < 0) throw new Error('libhdf5 could not read its superblock');
  } catch (e) {
    throw new ModelLoadError(`${file}: not a readable HDF5 file (truncated or damaged): ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const configText = architectureFile ? readArchitecture(architectureFile) : quietHdf5(() => text(f.attrs['model_config']));
    if (!configText) {
      throw new ModelLoadError(`${file}: a weights-only HDF5 file (no model_config): also give the architecture JSON from model.to_json() ` +
        '(--architecture arch.json, or model.load.architecture)');
    }
    let topology: { class_name?: string; config?: unknown; [k: string]: unknown };
    try {
      let parsed: unknown = JSON.parse(configText);
      // json.dump(model.to_json(), f) writes the JSON text as a JSON string: unwrap it.
      if (typeof parsed === 'string') parsed = JSON.parse(parsed);
      topology = parsed as typeof topology;
    } catch (e) {
      throw new ModelLoadError(`${architectureFile ?? file}: model config is not valid JSON: ${(e as Error).message}`);
    }
    // Keras <= 2.2 wrote Sequential configs as a bare list of layers.
    if (topology.class_name === 'Sequential' && Array.isArray(topology.config)) topology = { ...topology, config: { layers: topology.config } };
    const weightsRoot = quietHdf5(() => f.get('model_weights')) ?? f; // save_weights() files keep the layer groups at the root
    const { specs, data } = quietHdf5(() => readWeights(f, weightsRoot === f ? '' : 'model_weights/', weightsRoot, file));
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology as tf.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData: data.buffer as ArrayBuffer }));
    } catch (e) {
      const msg = (e as Error).message;
      const lambda = /Lambda/.test(msg) ? ' It has a Lambda layer: Python code that cannot run outside Python; replace it with a built-in layer (e.g. Rescaling) and save again.' : '';
      throw new ModelLoadError(`${file}: TensorFlow.js could not build this Keras model (Keras ${text(f.attrs['keras_version']) ?? '?'}): ` +
        `${msg.length > 300 ? `${msg.slice(0, 300)}…` : msg}${lambda}`);
    }
    const trainingText = text(f.attrs['training_config']);
    const training = trainingText ? readTrainingConfig({ trainingConfig: JSON.parse(trainingText) as never }) : {};
    return { model, training, source: file };
  } finally {
    quietHdf5(() => f.close());
  }
}

function readArchitecture(p: string): string {
  return openFileSync(p, 'architecture file', ModelLoadError).toString('utf8');
}

/**
 * Weights in the layer order Keras wrote, renamed to what tfjs expects: `<layer>/<weight>`. Keras 2 / TF1 files
 * store uniquified scope names (`dense_1_87/kernel:0` inside group `dense_1`) and nested models add their own
 * scope (`sequential_1/dense_3/kernel:0`): keep the innermost layer name and the weight name.
 */
function readWeights(f: H5File, prefix: string, root: H5Node, file: string): { specs: tf.io.WeightsManifestEntry[]; data: Float32Array } {
  const layerNames = strings(root.attrs['layer_names']);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Float32Array[] = [];
  for (const layer of layerNames) {
    const group = f.get(`${prefix}${layer}`);
    if (!group) throw new ModelLoadError(`${file}: layer_names lists "${layer}" but the file has no such weight group`);
    for (const weightName of strings(group.attrs['weight_names'])) {
      const ds = f.get(`${prefix}${layer}/${weightName}`) as H5Dataset | null;
      if (!ds || ds.shape === null) throw new ModelLoadError(`${file}: weight "${layer}/${weightName}" is missing`);
      const values = ds.value;
      const floats = values instanceof Float32Array ? values : values instanceof Float64Array ? Float32Array.from(values) : null;
      if (!floats) throw new ModelLoadError(`${file}: weight "${weightName}" has dtype ${ds.dtype}; only float weights are supported`);
      const segments = weightName.replace(/:\d+$/, '').split('/');
      const weight = segments[segments.length - 1]!;
      const owner = segments.length >= 3 ? segments[segments.length - 2]! : layer;
      specs.push({ name: `${owner}/${weight}`, shape: ds.shape, dtype: 'float32' });
      parts.push(floats);
    }
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const p of parts) { data.set(p, off); off += p.length; }
  return { specs, data };
}

export function isKerasFile(p: string): 'h5' | 'keras3' | null {
  const ext = path.extname(p).toLowerCase();
  return ext === '.h5' || ext === '.hdf5' ? 'h5' : ext === '.keras' ? 'keras3' : null;
}
