import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { runCli, ROOT } from '../helpers/cli.js';
import { specFromFlags } from '../../src/cli/spec-from-flags.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-data-flag-'));
const wine = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/data/wine-standardized.json'), 'utf8')) as { x: number[][]; y: number[] };

/** A float32 .npy file (format 1.0), written here to hand the CLI NumPy-format data. */
function npy(shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const data = Float32Array.from(values);
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]), Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]);
}

describe('--data picks the source by its path', () => {
  const x = npy([wine.x.length, 13], wine.x.flat());
  const y = npy([wine.y.length], wine.y);
  writeFileSync(path.join(tmp, 'x.npy'), x);
  writeFileSync(path.join(tmp, 'y.npy'), y);
  writeFileSync(path.join(tmp, 'wine.npz'), zipSync({ 'x.npy': x, 'y.npy': y }));

  it.each([
    [['--data', 'x.npy'], { npy: { x: 'x.npy', y: path.join('y.npy') } }],
    [['--data', 'wine.npz'], { npz: 'wine.npz' }],
    [['--data', path.join(ROOT, 'fixtures/data/images')], { images: path.join(ROOT, 'fixtures/data/images') }],
    [['--data', path.join(ROOT, 'fixtures/data/wine.csv'), '--label', 'a,b'], { csv: path.join(ROOT, 'fixtures/data/wine.csv'), label: ['a', 'b'] }],
  ])('%j', (flags, expected) => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const f: Record<string, string> = { model: 'm/model.json' };
      for (let i = 0; i < flags.length; i += 2) f[flags[i]!.slice(2)] = flags[i + 1]!;
      expect(specFromFlags(f).spec.data).toMatchObject(expected);
    } finally {
      process.chdir(cwd);
    }
  });

  it('audits a saved model on .npy arrays from the command line, and says what it cannot recognise', async () => {
    const out = path.join(tmp, 'out');
    const r = await runCli(['audit', '--model', path.join(ROOT, 'fixtures/models/wine-mlp/model.json'), '--data', path.join(tmp, 'x.npy'), '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as { data: { source: string }; evaluation: { metrics: { accuracy: number } } };
    expect(result.data.source).toMatch(/^npy:/);
    expect(result.evaluation.metrics.accuracy).toBeGreaterThan(0.9);
    const bad = await runCli(['audit', '--model', path.join(ROOT, 'fixtures/models/wine-mlp/model.json'), '--data', path.join(ROOT, 'README.md'), '-q']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/README.md: not a format nnaudit recognises; give a folder of class folders \(images\), a .csv/);
  }, 120_000);
});
