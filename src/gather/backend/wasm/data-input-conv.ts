import { tf } from '../../tf.js';
import { wasmKernelOverridesEnabled } from './kernel-types.js';
import { routeLayerCall } from './layer-call-route.js';

/** A layer upstream of the conv, as far as this path reads it. */
interface UpstreamLayer {
  trainableWeights: unknown[];
  inboundNodes: Array<{ inboundLayers: UpstreamLayer[] }>;
}

/** The parts of tfjs-layers' Conv2D (and its inbound nodes) this path reads. */
interface ConvLayer {
  rank: number;
  strides: number[];
  padding: 'same' | 'valid' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number[];
  kernel: { read(): tf.Variable };
  bias: { read(): tf.Variable } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor };
  inboundNodes: Array<{ inboundLayers: UpstreamLayer[] }>;
}

let enabled = process.env['NNAUDIT_WASM_DATA_INPUT_CONV'] !== '0';

/**
 * A layer-call argument saying the call will be differentiated by the weights although it is not training: a probe
 * (inference mode, gradients of the loss). Such a call of a data-input conv takes the unfused path too.
 */
export const WEIGHT_GRADIENTS = 'nnauditWeightGradients';

/** For tests and benchmarks: the fused conv of tfjs-layers for every layer while the other wasm kernels stay on. */
export function setDataInputConv(on: boolean): void {
  enabled = on;
}

/**
 * A Conv2D that reads the data (the first layer of a CNN, also behind weightless layers such as the channels-last
 * Permute of an ONNX import) trained without the input gradient. tfjs-layers runs a conv with a linear activation
 * (a conv before batch norm) through tfjs' fused conv, whose gradient computes the input gradient eagerly even when
 * the input is data: a 28x28 1->16 Conv2DBackpropInput, about a tenth of a Fashion-MNIST CNN step for nothing. The
 * same layer as conv2d + add + activation lets the engine's tape skip what no weight needs. The result is the same
 * computation; other layers, other backends, and the overrides switched off run tfjs-layers' own call.
 */
export function registerDataInputConv(): string[] {
  const routed = routeLayerCall<ConvLayer>('Conv2D', 'nnaudit.dataInputConv', (layer, x, kwargs) =>
    usable(layer, x, kwargs) ? () => unfusedConv(layer, x) : null,
  );
  return routed ? ['Conv2D (data input)'] : [];
}

function unfusedConv(layer: ConvLayer, x: tf.Tensor): tf.Tensor {
  const [sh, sw] = layer.strides as [number, number];
  const [dh, dw] = layer.dilationRate as [number, number];
  const pad = layer.padding as 'same' | 'valid';
  let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, layer.kernel.read() as tf.Tensor4D, [sh, sw], pad, 'NHWC', [dh, dw]);
  if (layer.bias !== null) y = tf.add(y, layer.bias.read());
  return layer.activation.apply(y);
}

function usable(layer: ConvLayer, x: tf.Tensor, kwargs: Record<string, unknown>): boolean {
  return (
    enabled &&
    (kwargs['training'] === true || kwargs[WEIGHT_GRADIENTS] === true) &&
    layer.rank === 2 &&
    layer.dataFormat === 'channelsLast' &&
    layer.padding !== 'causal' &&
    x.rank === 4 &&
    x.dtype === 'float32' &&
    layer.inboundNodes.length > 0 &&
    readsOnlyData(layer) &&
    tf.getBackend() === 'wasm' &&
    wasmKernelOverridesEnabled()
  );
}

/**
 * Whether no trainable weight lies upstream of the layer's input, through every inbound node: the input is the data,
 * maybe reshaped or permuted (an ONNX import puts a Permute into channels-last before the first conv). Then no weight
 * needs the input gradient. Where one does (a probe's zero variable on a weightless layer's output, for that layer's
 * output gradient), the tape still asks conv2d for it: this path only lets it skip what nothing needs.
 */
function readsOnlyData(layer: ConvLayer): boolean {
  const seen = new Set<UpstreamLayer>();
  const pending = layer.inboundNodes.flatMap((n) => n.inboundLayers);
  while (pending.length > 0) {
    const l = pending.pop()!;
    if (seen.has(l)) continue;
    seen.add(l);
    if (l.trainableWeights.length > 0) return false;
    for (const n of l.inboundNodes) pending.push(...n.inboundLayers);
  }
  return true;
}
