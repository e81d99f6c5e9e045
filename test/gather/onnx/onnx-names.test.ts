import { describe, expect, it } from 'vitest';
import { layerBaseName, modulePath } from '../../../src/gather/model/loaders/onnx/onnx-names.js';
import type { OnnxGraph, OnnxNode } from '../../../src/gather/model/loaders/onnx/onnx-graph.js';

const node = (name: string, op: string, inputs: string[] = []): OnnxNode => ({
  index: 7,
  op,
  domain: '',
  name,
  inputs,
  outputs: [],
  attrs: new Map(),
});
const graph = (constants: string[] = []): OnnxGraph => ({
  file: 'm.onnx',
  opset: 17,
  nodes: [],
  constants: new Map(constants.map((c) => [c, { dims: [1], float: new Float32Array(1) }])),
  inputs: [],
  outputs: [],
  params: 0,
});

describe('ONNX layer names are PyTorch module paths', () => {
  it.each([
    ['/layer1/c1/Conv', 'layer1.c1'],
    ['/stem/stem.0/Conv', 'stem.0'],
    ['/layer1/layer1.0/conv1/Conv', 'layer1.0.conv1'],
    ['/Relu_2', null],
    ['Conv_12', null],
  ])('%s is module %s', (name, path) => {
    expect(modulePath(node(name, 'Conv'))).toBe(path);
  });

  it.each([
    [node('/layer1/c1/Conv', 'Conv'), 'layer1.c1'],
    [node('/stem/stem.2/Relu', 'Relu'), 'stem.2'], // nn.ReLU() as a Sequential child
    [node('/layer1/Relu_1', 'Relu'), 'layer1.relu'], // F.relu inside the block's forward
    [node('/0/Gemm', 'Gemm'), '0'],
    [node('Gemm_3', 'Gemm', ['x', 'fc1.weight']), 'fc1'], // no path: the weight's name
    [node('', 'Add'), 'add_7'],
  ])('%s -> %s', (n, name) => {
    expect(layerBaseName(n, graph(['fc1.weight']))).toBe(name);
  });
});
