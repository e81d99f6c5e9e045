import type { OnnxGraph, OnnxNode } from './onnx-graph.js';

/** Ops that are a module's own computation: the layer takes the module's name (`layer1.c1`), not `layer1.c1.conv`. */
const MODULE_OPS = new Set(['Conv', 'Gemm', 'MatMul', 'BatchNormalization', 'PRelu']);

/**
 * The PyTorch module path torch.onnx.export leaves in a node's name: `/layer1/c1/Conv` is module `layer1.c1`;
 * `/stem/stem.0/Conv` is `stem.0` (a Sequential child repeats its parent's path); `/Relu_2` has none. Nodes
 * without a path fall back to the weight they read (`fc1.weight` -> `fc1`), then to the op.
 */
export function modulePath(node: OnnxNode): string | null {
  if (!node.name.startsWith('/')) return null;
  const parts = node.name.split('/').filter(Boolean).slice(0, -1);
  const kept: string[] = [];
  for (const p of parts) {
    const prev = kept[kept.length - 1];
    if (prev !== undefined && p.startsWith(`${prev}.`)) kept[kept.length - 1] = p;
    else kept.push(p);
  }
  const path = kept.join('.');
  return path.length ? path : null;
}

const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');

/** The name a node's layer gets, before de-duplication. */
export function layerBaseName(node: OnnxNode, graph: OnnxGraph): string {
  const op = node.op.charAt(0).toLowerCase() + node.op.slice(1);
  const path = modulePath(node);
  // A numbered child of a Sequential (`stem.2`, `features.0.2`) is the module that ran the op (nn.ReLU() itself);
  // a named one (`layer1`) is a block whose forward() called it (F.relu): `layer1.relu`.
  const ownModule = MODULE_OPS.has(node.op) || /(^|\.)\d+$/.test(path ?? '');
  if (path) return clean(ownModule ? path : `${path}.${op}`);
  const weight = node.inputs.find((i) => graph.constants.has(i) && /\.weight$/.test(i));
  if (weight && MODULE_OPS.has(node.op)) return clean(weight.replace(/\.weight$/, '')) || op;
  return clean(node.name) || `${op}_${node.index}`;
}
