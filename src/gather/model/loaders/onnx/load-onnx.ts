import path from 'node:path';
import { DEFAULT_CAPS, type Caps } from '../../../../policy/limits.js';
import type { LoadedModel } from '../loaded-model.js';
import { buildOnnxModel } from './build-onnx-model.js';
import { readOnnxFile } from './onnx-file.js';
import './onnx-layers.js'; // registers the custom layers, so models holding them can be cloned

/**
 * Loads a PyTorch model exported with torch.onnx.export as a trainable tfjs model. An ONNX file records no loss
 * or optimizer: the audit takes them from the spec or flags. The input stays in PyTorch's layout (NCHW for
 * images), so image data is fed channels-first.
 */
export function loadOnnxModel(file: string, caps: Caps = DEFAULT_CAPS): LoadedModel {
  const graph = readOnnxFile(file, caps);
  const model = buildOnnxModel(
    graph,
    path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_-]/g, '_') || 'onnx',
  );
  const rank = model.inputs[0]!.shape.length - 1;
  return { model, training: {}, source: file, inputLayout: rank === 3 ? 'channelsFirst' : 'channelsLast' };
}
