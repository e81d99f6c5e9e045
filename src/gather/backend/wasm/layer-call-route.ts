import { tf } from '../../tf.js';

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * Routes one tfjs-layers class's `call` through `route` for every layer of that class however it was built (spec,
 * ONNX, Keras): a call with one input tensor for which `route` returns a computation runs it in a tidy scope; every
 * other call runs the class's own `call`. The registered class is patched once (`tag` marks it), not a new instance:
 * creating a layer would advance tfjs' layer-name counter.
 *
 * @returns false when tfjs-layers has no class of that name.
 */
export function routeLayerCall<L>(
  className: string,
  tag: string,
  route: (layer: L, x: tf.Tensor, kwargs: Record<string, unknown>) => (() => tf.Tensor) | null,
): boolean {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (registered === undefined) return false;
  const proto = registered[0].prototype as unknown as { call: LayerCall } & Record<symbol, true | undefined>;
  const mark = Symbol.for(tag);
  if (proto[mark]) return true;
  const original = proto.call;
  proto.call = function (this: L, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
    const run = x === null ? null : route(this, x, kwargs);
    return run === null ? original.call(this, inputs, kwargs) : tf.tidy(run);
  };
  proto[mark] = true;
  return true;
}
