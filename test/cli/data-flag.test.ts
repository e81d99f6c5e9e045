import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { runCli, ROOT } from '../helpers/cli.js';
import { specFromFlags } from '../../src/cli/spec-from-flags.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-data-flag-'));
const wine = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/data/wine-standardized.json'), 'utf8')) as {
  x: number[][];
  y: number[];
};

/** A float32 .npy file (format 1.0), written here to hand the CLI NumPy-format data. */
function npy(shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const data = Float32Array.from(values);
  return Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]),
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer),
  ]);
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
    [
      ['--data', path.join(ROOT, 'fixtures/data/wine.csv'), '--label', 'a,b'],
      { csv: path.join(ROOT, 'fixtures/data/wine.csv'), label: ['a', 'b'] },
    ],
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
    const r = await runCli([
      'audit',
      '--model',
      path.join(ROOT, 'fixtures/models/wine-mlp/model.json'),
      '--data',
      path.join(tmp, 'x.npy'),
      '--out',
      out,
      '-q',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as {
      data: { source: string };
      evaluation: { metrics: { accuracy: number } };
    };
    expect(result.data.source).toMatch(/^npy:/);
    expect(result.evaluation.metrics.accuracy).toBeGreaterThan(0.9);
    const bad = await runCli([
      'audit',
      '--model',
      path.join(ROOT, 'fixtures/models/wine-mlp/model.json'),
      '--data',
      path.join(ROOT, 'README.md'),
      '-q',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /README.md: not a format nnaudit recognises; give a folder of class folders \(images\), a .csv/,
    );
  }, 120_000);
});

describe('data and fit options as flags (no spec needed for class order, rescale, ids, categoricals)', () => {
  const images = path.join(ROOT, 'fixtures/data/images');
  const csv = path.join(ROOT, 'fixtures/data/wine.csv');
  const flags = (f: Record<string, string | number>) => specFromFlags({ model: 'm/model.json', ...f }).spec;

  it.each<[Record<string, string | number>, Record<string, unknown>]>([
    [
      { data: images, classes: 'trouser, bag', rescale: '1/255', offset: '-0.5', size: '28,28,1' },
      { images, classes: ['trouser', 'bag'], rescale: 1 / 255, offset: -0.5, size: [28, 28, 1] },
    ],
    [
      {
        data: csv,
        label: 'label',
        exclude: 'ash',
        features: 'alcohol,hue',
        categorical: 'magnesium,proline:ordinal',
        normalize: 'standardize',
        limit: 50,
      },
      {
        csv,
        label: 'label',
        exclude: ['ash'],
        features: ['alcohol', 'hue'],
        categorical: ['magnesium', { column: 'proline', encode: 'ordinal' }],
        normalize: 'standardize',
        limit: 50,
      },
    ],
  ])('%j', (f, expected) => {
    expect(flags(f).data).toEqual(expect.objectContaining(expected));
  });

  it('--validation-split and --batch-size go to model.load', () => {
    expect(flags({ data: csv, label: 'label', validationSplit: 0, batchSize: 8 }).model).toMatchObject({
      load: { validationSplit: 0, batchSize: 8 },
    });
  });

  it.each<[Record<string, string | number>, RegExp]>([
    [{ data: images, exclude: 'id' }, /--exclude applies to a CSV or JSON records file, and --data is an image folder/],
    [{ data: csv, label: 'label', classes: 'a,b' }, /--classes applies to an image folder, and --data is a csv file/],
    [{ data: images, rescale: '1/x' }, /--rescale 1\/x: not a number; give e.g. --rescale 1\/255/],
    [{ data: images, size: '28,28' }, /--size 28,28: give height,width,channels/],
    [{ data: csv, label: 'label', categorical: 'proline:label' }, /the encoding after ":" is ordinal or one-hot/],
    [
      { spec: path.join(ROOT, 'fixtures/specs/iris.json'), rescale: '1/255' },
      /--rescale goes with --model, not with a spec file: set it in the spec/,
    ],
    [
      { data: path.join(images, 'bag') },
      /images\/bag: a folder of images with no class subfolders; .* if this folder is one class, give its parent folder/,
    ],
  ])('refuses %j, naming the flag', (f, message) => {
    expect(() =>
      specFromFlags({ model: f['spec'] ? undefined : 'm/model.json', ...f } as Parameters<typeof specFromFlags>[0]),
    ).toThrow(message);
  });

  it('audits a saved model on an image folder given class order and rescale as flags', async () => {
    const out = path.join(tmp, 'out-flags');
    const r = await runCli([
      'audit',
      '--model',
      path.join(ROOT, 'fixtures/models/wine-mlp/model.json'),
      '--data',
      images,
      '--classes',
      'trouser,bag',
      '--rescale',
      '1/255',
      '-q',
      '--out',
      out,
    ]);
    // The wine MLP takes 13 features, not images: the point is that the flags reach the source, which says so.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/images are \[height, width, channels\], but the model's input is \[13\]/);
  }, 120_000);
});
