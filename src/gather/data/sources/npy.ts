import path from 'node:path';
import { DataError } from '../../../errors.js';
import { parseNpy, readNpyHeader } from '../npy-format.js';
import { arraysToDataset } from '../array-dataset.js';
import { readBytes, readHead } from './read-bytes.js';
import { defineSource } from './source.js';
import { scalePixels } from '../pixels.js';

/** Two NumPy .npy files, x [rows, ...] and y [rows] or [rows, k]; x's shape is checked from its header first. */
export default defineSource({
  key: 'npy',
  async open(spec, ctx) {
    const xFile = path.resolve(ctx.baseDir, spec.npy.x);
    const yFile = path.resolve(ctx.baseDir, spec.npy.y);
    const head = readNpyHeader(readHead(xFile, 65_536), xFile);
    ctx.checkShape(head.shape.slice(1), xFile, `array shape (${head.shape.join(', ')})`);
    if ((head.shape[0] ?? 0) > spec.maxRows)
      throw new DataError(
        `${xFile}: ${head.shape[0]} rows, more than data.maxRows (${spec.maxRows}); raise it to read the file`,
      );
    const x = parseNpy(readBytes(xFile), xFile);
    // Taken in the layout it was saved in: (N, C, H, W) for a channels-first model, whose channel axis is then the first.
    scalePixels(x.data, x.shape.slice(1), spec, ctx.inputLayout === 'channelsFirst' ? 'first' : 'last', xFile);
    const y = parseNpy(readBytes(yFile), yFile);
    return arraysToDataset(x, y, { x: xFile, y: yFile }, spec.task, spec.labelKind, `npy:${xFile}`);
  },
});
