import { tf } from '../../../tf.js';
import { ModelLoadError } from '../../../../errors.js';
import { nodeLabel, type ConstTensor, type OnnxGraph, type OnnxNode } from './onnx-graph.js';
import { layerBaseName } from './onnx-names.js';

/**
 * How an ONNX value is held while the tfjs graph is built. PyTorch's 4-D maps are NCHW; tfjs' conv and pooling
 * layers are channels-last, so a map lives as NHWC ('nhwc', semantic [N, C, H, W] held as [N, H, W, C]) and is
 * permuted back only where the order shows (a flatten, a reshape, a transpose). 'pooled' is a global pool's
 * [N, C, 1, 1] held as [N, C]. 'plain' is held exactly as ONNX shapes it.
 */
export type Form = 'plain' | 'nhwc' | 'pooled';
export interface SymValue {
  kind: 'sym';
  t: tf.SymbolicTensor;
  form: Form;
}
export interface ConstValue {
  kind: 'const';
  c: ConstTensor;
}
export type Value = SymValue | ConstValue;

/** The shape ONNX sees, batch dimension left out. */
export function semanticShape(v: SymValue): number[] {
  const s = v.t.shape.slice(1).map((d) => d ?? -1);
  if (v.form === 'nhwc') return [s[2]!, s[0]!, s[1]!];
  if (v.form === 'pooled') return [s[0]!, 1, 1];
  return s;
}

/** ONNX axis (counting the batch) of a value to the axis of the tensor that holds it. */
export function actualAxis(v: SymValue, axis: number): number {
  const rank = semanticShape(v).length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (v.form === 'nhwc') return [0, 3, 1, 2][a]!;
  return a;
}

export class BuildContext {
  readonly values = new Map<string, Value>();
  private readonly names = new Set<string>();
  /** How many nodes (and graph outputs) read each value: an activation fuses only into a layer nobody else reads. */
  readonly readers = new Map<string, number>();
  /** Nodes already folded into an earlier layer (a fused activation). */
  readonly done = new Set<number>();
  node: OnnxNode | null = null;

  constructor(readonly graph: OnnxGraph) {
    for (const [name, c] of graph.constants) this.values.set(name, { kind: 'const', c });
    for (const n of graph.nodes) for (const i of n.inputs) if (i) this.readers.set(i, (this.readers.get(i) ?? 0) + 1);
    for (const o of graph.outputs) this.readers.set(o, (this.readers.get(o) ?? 0) + 1);
  }

  fail(what: string): ModelLoadError {
    return new ModelLoadError(`${this.graph.file}: ${this.node ? nodeLabel(this.node) : 'graph'}: ${what}`);
  }

  get(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw this.fail(`reads '${name}', which no earlier node produces`);
    return v;
  }

  sym(name: string): SymValue {
    const v = this.get(name);
    if (v.kind !== 'sym') throw this.fail(`expects a computed tensor as input, not the constant '${name}'`);
    return v;
  }

  constant(name: string | undefined): ConstTensor | null {
    if (!name) return null;
    const v = this.values.get(name);
    return v?.kind === 'const' ? v.c : null;
  }

  /** A unique layer name for the current node: the PyTorch module path, then a role ('pad', 'nchw'...). */
  layerName(role?: string): string {
    const base = this.node ? layerBaseName(this.node, this.graph) : 'onnx';
    const wanted = role ? `${base}.${role}` : base;
    let name = wanted;
    for (let k = 1; this.names.has(name); k++) name = `${wanted}_${k}`;
    this.names.add(name);
    return name;
  }

  apply(layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
    return layer.apply(input) as tf.SymbolicTensor;
  }

  toNhwc(v: SymValue): SymValue {
    if (v.form === 'nhwc') return v;
    const s = semanticShape(v);
    if (s.length !== 3) throw this.fail(`needs a 4-D [N, C, H, W] input, got [N, ${s.join(', ')}]`);
    const layer =
      v.form === 'pooled'
        ? tf.layers.reshape({ targetShape: [1, 1, s[0]!], name: this.layerName('nhwc') })
        : tf.layers.permute({ dims: [2, 3, 1], name: this.layerName('nhwc') });
    return { kind: 'sym', t: this.apply(layer, v.t), form: 'nhwc' };
  }

  toPlain(v: SymValue): SymValue {
    if (v.form === 'plain') return v;
    const layer =
      v.form === 'pooled'
        ? tf.layers.reshape({ targetShape: semanticShape(v), name: this.layerName('nchw') })
        : tf.layers.permute({ dims: [3, 1, 2], name: this.layerName('nchw') });
    return { kind: 'sym', t: this.apply(layer, v.t), form: 'plain' };
  }

  setOutput(index: number, v: Value): void {
    const name = this.node?.outputs[index];
    if (name) this.values.set(name, v);
  }
}
