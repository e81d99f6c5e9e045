import { tf } from '../tf.js';
import type { LayerInfo, ModelInfo } from '../../artifacts/schema.js';
import { ModelLoadError } from '../../errors.js';

/** The tfjs-layers internals the probe executor walks; typed narrowly since tfjs does not export them. */
export interface SymbolicRef {
  id: number;
}
export interface GraphNode {
  inboundLayers: tf.layers.Layer[];
  inputTensors: SymbolicRef[];
  outputTensors: SymbolicRef[];
}
export interface ActivationFn {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}
export type GraphLayer = tf.layers.Layer & { inboundNodes: GraphNode[]; activation?: ActivationFn | null };

export function asGraphLayer(layer: tf.layers.Layer): GraphLayer {
  return layer as GraphLayer;
}

/** Layers to execute, in topological order (tfjs keeps `model.layers` topologically sorted). */
export function executableLayers(model: tf.LayersModel): GraphLayer[] {
  if (model.outputs.length !== 1) {
    throw new ModelLoadError(
      `model "${model.name}" has ${model.outputs.length} outputs; nnaudit audits single-output models`,
    );
  }
  return model.layers.map(asGraphLayer).filter((l) => l.getClassName() !== 'InputLayer');
}

/** The activation a layer applies, by name (null for layers without one). */
export function activationName(layer: tf.layers.Layer): string | null {
  const cls = layer.getClassName();
  if (cls === 'ReLU') return 'relu';
  if (cls === 'LeakyReLU') return 'leakyRelu';
  if (cls === 'ELU') return 'elu';
  if (cls === 'Softmax') return 'softmax';
  const act = layer.getConfig()['activation'];
  return typeof act === 'string' ? act : null;
}

function shapeOf(s: tf.Shape | tf.Shape[]): Array<number | null> {
  const first = (Array.isArray(s[0]) ? s[0] : s) as Array<number | null>;
  return [...first];
}

/** Plain-JSON description of the model: layers, shapes, params and the layer graph. */
export function describeModel(
  model: tf.LayersModel,
  source: ModelInfo['source'],
  location: string | null,
  loss: string | null,
  optimizer: ModelInfo['optimizer'],
): ModelInfo {
  const layers: LayerInfo[] = model.layers.map((l) => {
    const g = asGraphLayer(l);
    const config = g.getConfig();
    const units = config['units'] ?? config['filters'];
    const bias = config['useBias'] ?? config['center'];
    const rate = config['rate'];
    return {
      name: l.name,
      className: l.getClassName(),
      activation: activationName(l),
      outputShape: shapeOf(l.outputShape),
      params: l.countParams(),
      inputs: (g.inboundNodes[0]?.inboundLayers ?? []).map((p) => p.name),
      units: typeof units === 'number' ? units : null,
      trainable: l.trainable,
      bias: typeof bias === 'boolean' ? bias : null,
      dropoutRate: /Dropout$/.test(l.getClassName()) && typeof rate === 'number' ? rate : null,
    };
  });
  const known = new Set(layers.map((l) => l.name));
  const nodes = layers.map((l) => ({ id: l.name, className: l.className }));
  // Sequential models hide their InputLayer from `layers`: add it so the graph starts somewhere.
  for (const l of layers)
    for (const i of l.inputs)
      if (!known.has(i)) {
        known.add(i);
        nodes.unshift({ id: i, className: 'InputLayer' });
      }
  const edges = layers.flatMap((l) => l.inputs.map((from) => ({ from, to: l.name })));
  const trainable = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
  return {
    name: model.name,
    source,
    location,
    inputShape: shapeOf(model.inputs[0]!.shape),
    outputShape: shapeOf(model.outputs[0]!.shape),
    params: model.countParams(),
    trainableParams: trainable,
    layers,
    graph: { nodes, edges },
    loss,
    optimizer,
  };
}
