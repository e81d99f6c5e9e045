import { realpathSync } from 'node:fs';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { ModelLoadError } from '../../../../errors.js';
import { checkParamCount, type Caps } from '../../../../policy/limits.js';
import { openFileSync } from '../../../../policy/open-input.js';
import {
  toNumber,
  type ConstTensor,
  type OnnxAttr,
  type OnnxGraph,
  type OnnxNode,
  type ValueShape,
} from './onnx-graph.js';

// onnx-proto is CommonJS: Node's ESM loader sees only its default export.
const { onnx } = onnxProto;

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const DOUBLE = 11;
const BOOL = 9;

/**
 * Reads an ONNX file (what `torch.onnx.export` writes) into plain nodes and constant tensors. The file is untrusted:
 * it goes through the same size cap and confinement as every input, the parameter count is checked against
 * limits.maxParams from the initializers' dims before any weight is decoded into floats, and external-data files
 * must be regular files inside the model's own folder. A file that does not decode is one line, never a trace.
 */
export function readOnnxFile(file: string, caps: Caps): OnnxGraph {
  const bytes = openFileSync(file, 'ONNX model', ModelLoadError);
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    throw new ModelLoadError(
      `${file}: not a readable ONNX model (the protobuf does not decode: is the file complete?)`,
    );
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length)
    throw new ModelLoadError(`${file}: the ONNX file has no graph (export the model with torch.onnx.export)`);
  const opset =
    (model.opsetImport ?? [])
      .filter((o) => !o.domain || o.domain === 'ai.onnx')
      .map((o) => toNumber(o.version ?? 0))[0] ?? 0;
  const initializers = graph.initializer ?? [];
  const params = initializers
    .filter((t) => t.dataType === FLOAT || t.dataType === DOUBLE)
    .reduce((sum, t) => sum + (t.dims ?? []).reduce((p: number, d) => p * toNumber(d), 1), 0);
  checkParamCount(params, caps, file);

  const constants = new Map<string, ConstTensor>();
  for (const t of initializers) constants.set(t.name ?? '', decodeTensor(t, file, `initializer ${constants.size}`));
  const inputs = (graph.input ?? [])
    .filter((i) => !constants.has(i.name ?? ''))
    .map((i) => ({ name: i.name ?? '', shape: valueShape(i) }));
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  const nodes: OnnxNode[] = graph.node.map((n, index) => ({
    index,
    op: n.opType ?? '',
    domain: n.domain ?? '',
    name: n.name ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', readAttr(a, file)])),
  }));
  return { file, opset, nodes, constants, inputs, outputs, params };
}

function valueShape(v: OnnxTypes.IValueInfoProto): ValueShape {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return dims.map((d) =>
    d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : null,
  );
}

function readAttr(a: OnnxTypes.IAttributeProto, file: string): OnnxAttr {
  switch (a.type) {
    case onnx.AttributeProto.AttributeType.FLOAT:
      return { f: a.f ?? 0 };
    case onnx.AttributeProto.AttributeType.INT:
      return { i: toNumber(a.i ?? 0) };
    case onnx.AttributeProto.AttributeType.STRING:
      return {
        s: Buffer.from(a.s ?? new Uint8Array())
          .toString('utf8')
          .slice(0, 64),
      };
    case onnx.AttributeProto.AttributeType.FLOATS:
      return { floats: a.floats ?? [] };
    case onnx.AttributeProto.AttributeType.INTS:
      return { ints: (a.ints ?? []).map(toNumber) };
    case onnx.AttributeProto.AttributeType.TENSOR:
      return { t: decodeTensor(a.t ?? {}, file, `attribute ${a.name ?? ''}`) };
    default:
      return {};
  }
}

/** Float tensors as float32 (what tfjs trains in); integer tensors (shapes, axes, indices) as plain numbers. */
function decodeTensor(t: OnnxTypes.ITensorProto, file: string, what: string): ConstTensor {
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw =
    t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL ? readExternal(t, file, what) : (t.rawData ?? null);
  const bad = () => new ModelLoadError(`${file}: ${what} holds fewer values than its shape [${dims.join(', ')}] needs`);
  if (t.dataType === FLOAT || t.dataType === DOUBLE) {
    let data: Float32Array;
    if (raw && raw.length) {
      const size = t.dataType === FLOAT ? 4 : 8;
      if (raw.length < count * size) throw bad();
      const view = new DataView(raw.buffer, raw.byteOffset, count * size);
      data = new Float32Array(count);
      for (let k = 0; k < count; k++)
        data[k] = size === 4 ? view.getFloat32(k * 4, true) : view.getFloat64(k * 8, true);
    } else {
      data = Float32Array.from(t.dataType === FLOAT ? (t.floatData ?? []) : (t.doubleData ?? []));
      if (data.length < count) throw bad();
    }
    return { dims, float: data };
  }
  if (t.dataType === INT64 || t.dataType === INT32 || t.dataType === BOOL) {
    let ints: number[];
    if (raw && raw.length) {
      const size = t.dataType === INT64 ? 8 : t.dataType === INT32 ? 4 : 1;
      if (raw.length < count * size) throw bad();
      const view = new DataView(raw.buffer, raw.byteOffset, count * size);
      ints = Array.from({ length: count }, (_, k) =>
        size === 8 ? Number(view.getBigInt64(k * 8, true)) : size === 4 ? view.getInt32(k * 4, true) : view.getUint8(k),
      );
    } else {
      ints = (t.dataType === INT64 ? (t.int64Data ?? []) : (t.int32Data ?? [])).map(toNumber);
      if (ints.length < count) throw bad();
    }
    return { dims, ints };
  }
  throw new ModelLoadError(
    `${file}: ${what} has ONNX data type ${t.dataType ?? '?'}; nnaudit reads float32/float64 weights and int32/int64 shapes`,
  );
}

/**
 * Large exports keep weights in a side file (`model.onnx.data`) named by `location`, read from `offset` for
 * `length` bytes. Only a file in the model's own folder is read: a location like ../../etc/passwd is refused
 * before anything is opened.
 */
function readExternal(t: OnnxTypes.ITensorProto, file: string, what: string): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location') ?? '';
  const folder = path.dirname(path.resolve(file));
  const target = path.resolve(folder, location);
  const inside = (p: string, root: string) => p.startsWith(root + path.sep);
  if (!location || path.isAbsolute(location) || !inside(target, folder)) {
    throw new ModelLoadError(
      `${file}: ${what} keeps its data in an external file outside the model's folder; only files next to the model are read`,
    );
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new ModelLoadError(
      `${file}: ${what} keeps its data in ${path.basename(target)}, which is not next to the model (copy the .onnx.data file with it)`,
    );
  }
  if (!inside(real, realpathSync(folder)))
    throw new ModelLoadError(
      `${file}: ${what}'s external data file links outside the model's folder; only files next to the model are read`,
    );
  const bytes = openFileSync(real, 'ONNX external data', ModelLoadError);
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : bytes.length - offset;
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > bytes.length
  ) {
    throw new ModelLoadError(
      `${file}: ${what}'s external data range (offset ${offset}, length ${length}) lies outside ${path.basename(real)} (${bytes.length} bytes)`,
    );
  }
  return bytes.subarray(offset, offset + length);
}
