import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/gather/data/prepare.js';
import type { DataSpec } from '../../src/config/spec-schema.js';

const loadDataset = (spec: DataSpec, seed: number, baseDir: string) =>
  openDataset(spec, { baseDir, seed, inputShape: null, checkShape: () => undefined });
import { encodeTargets } from '../../src/gather/reference/targets.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { tf } from '../../src/gather/tf.js';

/** Issue #9 point 6: `Math.max(...labels)` overflowed the stack on a 200k-row CSV. */
describe('a 200,000-row CSV', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('loads and encodes its labels without a stack overflow', async () => {
    const rows = 200_000;
    const lines = ['a,b,y'];
    for (let i = 0; i < rows; i++) lines.push(`${i % 7},${(i * 13) % 11},${i % 3}`);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'nnaudit-200k-')), 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const spec = validateSpec({
      model: {
        train: { layers: [{ type: 'dense', units: 3, activation: 'softmax' }], loss: 'categoricalCrossentropy' },
      },
      data: { csv: file, label: 'y' },
    });
    const d = await loadDataset(spec.data, 1, path.dirname(file));
    expect(d.y.length).toBe(rows);
    expect(d.numClasses).toBe(3);
    const before = tf.memory().numTensors;
    const y = encodeTargets(d, 'categoricalCrossentropy', 3);
    expect(y.shape).toEqual([rows, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
