import { tf } from '../../tf.js';
import { DEFAULT_CAPS, type Caps } from '../../../policy/limits.js';
import { checkTopology } from './topology-check.js';
import { ModelLoadError } from '../../../errors.js';
import type { LoadedModel } from './loaded-model.js';
import { readCompileConfig, type KerasCompileConfig } from './training-config.js';
import { toTfjsTopology, type Json } from './keras3-config.js';
import { checkedPath, openFileSync } from '../../../policy/open-input.js';
import { checkHdf5Signature, quietHdf5 } from './quiet-hdf5.js';
import { attrStrings, attrText, floatValues, openH5, type H5Dataset, type H5File, type H5Node } from './h5.js';

/**
 * Loads a Keras HDF5 model (`model.save('m.h5')`, Keras 2 or 3) directly: model_config becomes the LayersModel
 * topology (Keras 3 configs rewritten to the Keras 2 dialect tfjs reads), weights come from the model_weights
 * groups, and training_config gives the loss and optimizer. For a weights-only file (`save_weights`), pass the
 * architecture JSON from `model.to_json()`.
 */
export async function loadKerasH5(
  file: string,
  architectureFile?: string,
  caps: Caps = DEFAULT_CAPS,
): Promise<LoadedModel> {
  const real = checkedPath(file, 'Keras model file', ModelLoadError); // policy chokepoint: confinement, regular file, size cap
  checkHdf5Signature(real);
  const f = await openH5(real, file);
  try {
    const configText = architectureFile
      ? readArchitecture(architectureFile)
      : quietHdf5(() => attrText(f.attrs['model_config']));
    if (!configText) {
      throw new ModelLoadError(
        `${file}: a weights-only HDF5 file (no model_config): also give the architecture JSON from model.to_json() ` +
          '(--architecture arch.json, or model.load.architecture)',
      );
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(configText) as Json;
      // json.dump(model.to_json(), f) writes the JSON text as a JSON string: unwrap it.
      if (typeof parsed === 'string') parsed = JSON.parse(parsed) as Json;
    } catch (e) {
      throw new ModelLoadError(`${architectureFile ?? file}: model config is not valid JSON: ${(e as Error).message}`);
    }
    // Keras <= 2.2 wrote Sequential configs as a bare list of layers.
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      parsed['class_name'] === 'Sequential' &&
      Array.isArray(parsed['config'])
    ) {
      parsed = { ...parsed, config: { layers: parsed['config'] } };
    }
    checkTopology(parsed, architectureFile ?? file, caps); // before the weights are read and the model built
    const topology = toTfjsTopology(parsed, architectureFile ?? file);
    const weightsRoot = quietHdf5(() => f.get('model_weights')) ?? f; // save_weights() files keep the layer groups at the root
    const { specs, data } = quietHdf5(() =>
      readWeights(f, weightsRoot === f ? '' : 'model_weights/', weightsRoot, file),
    );
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'],
          weightSpecs: specs,
          weightData: data.buffer as ArrayBuffer,
        }),
      );
    } catch (e) {
      throw buildFailure(file, attrText(f.attrs['keras_version']) ?? '?', e);
    }
    const trainingText = attrText(f.attrs['training_config']);
    const training = trainingText ? readCompileConfig(JSON.parse(trainingText) as KerasCompileConfig) : {};
    return { model, training, source: file };
  } finally {
    quietHdf5(() => f.close());
  }
}

/** The error for a Keras config tfjs cannot build, with the fix for the usual cause. */
export function buildFailure(file: string, kerasVersion: string, e: unknown): ModelLoadError {
  const msg = (e as Error).message;
  const lambda = /Lambda/.test(msg)
    ? ' It has a Lambda layer: Python code that cannot run outside Python; replace it with a built-in layer (e.g. Rescaling) and save again.'
    : '';
  return new ModelLoadError(
    `${file}: TensorFlow.js could not build this Keras model (Keras ${kerasVersion}): ` +
      `${msg.length > 300 ? `${msg.slice(0, 300)}…` : msg}${lambda}`,
  );
}

function readArchitecture(p: string): string {
  return openFileSync(p, 'architecture file', ModelLoadError).toString('utf8');
}

/**
 * Weights in the layer order Keras wrote, renamed to what tfjs expects: `<layer>/<weight>`. Keras 2 / TF1 files
 * store uniquified scope names (`dense_1_87/kernel:0` inside group `dense_1`) and nested models add their own
 * scope (`sequential_1/dense_3/kernel:0`; Keras 3 writes `sequential_2/dense_6/kernel`): keep the innermost
 * layer name and the weight name.
 */
function readWeights(
  f: H5File,
  prefix: string,
  root: H5Node,
  file: string,
): { specs: tf.io.WeightsManifestEntry[]; data: Float32Array } {
  const layerNames = attrStrings(root.attrs['layer_names']);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Float32Array[] = [];
  for (const layer of layerNames) {
    const group = f.get(`${prefix}${layer}`);
    if (!group) throw new ModelLoadError(`${file}: layer_names lists "${layer}" but the file has no such weight group`);
    for (const weightName of attrStrings(group.attrs['weight_names'])) {
      const ds = f.get(`${prefix}${layer}/${weightName}`) as H5Dataset | null;
      if (!ds || ds.shape === null) throw new ModelLoadError(`${file}: weight "${layer}/${weightName}" is missing`);
      const floats = floatValues(ds, `${file}: weight "${weightName}"`);
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
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { specs, data };
}
