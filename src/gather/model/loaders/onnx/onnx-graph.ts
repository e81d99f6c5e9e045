import { ModelLoadError } from '../../../../errors.js';

/** A constant: a float weight (float32) or an integer tensor (shapes, axes, indices). NaN in ints marks the batch size. */
export interface ConstTensor {
  dims: number[];
  float?: Float32Array;
  ints?: number[];
}

/** A graph input's shape as exported: null for a dynamic dimension (the batch). */
export type ValueShape = Array<number | null>;

export type OnnxAttr = { f?: number; i?: number; s?: string; floats?: number[]; ints?: number[]; t?: ConstTensor };

export interface OnnxNode {
  index: number;
  op: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttr>;
}

export interface OnnxGraph {
  file: string;
  opset: number;
  nodes: OnnxNode[];
  constants: Map<string, ConstTensor>;
  inputs: Array<{ name: string; shape: ValueShape }>;
  outputs: string[];
  params: number;
}

/** protobufjs gives int64 fields as a Long object or a number. */
export function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** Where a node is, for messages: its name when the exporter gave one, else its position. */
export function nodeLabel(node: OnnxNode): string {
  return `${node.op} node '${node.name || `#${node.index}`}'`;
}

export function unsupported(graph: OnnxGraph, node: OnnxNode, what: string): ModelLoadError {
  return new ModelLoadError(`${graph.file}: ${nodeLabel(node)}: ${what} is not supported`);
}

export const attrInt = (n: OnnxNode, name: string, fallback: number): number => n.attrs.get(name)?.i ?? fallback;
export const attrFloat = (n: OnnxNode, name: string, fallback: number): number => n.attrs.get(name)?.f ?? fallback;
export const attrInts = (n: OnnxNode, name: string): number[] | undefined => n.attrs.get(name)?.ints;
export const attrString = (n: OnnxNode, name: string, fallback: string): string => n.attrs.get(name)?.s ?? fallback;

/** The elements of a constant as numbers, whatever its type. */
export function constValues(c: ConstTensor): number[] {
  return c.ints ?? Array.from(c.float ?? []);
}

export function constSize(c: ConstTensor): number {
  return c.dims.reduce((a, b) => a * b, 1);
}
