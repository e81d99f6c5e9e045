import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { dataSchema, type DataSpec } from '../../src/config/spec-schema.js';
import { openDataset } from '../../src/gather/data/prepare.js';
import { prepareData } from '../../src/gather/data/prepare.js';
import { fitFeatureShape, inputMismatch } from '../../src/gather/model/check-fit.js';
import { detectSource } from '../../src/gather/data/sources/index.js';
import { takeRows } from '../../src/gather/data/dataset.js';
import { encodeCategoricals } from '../../src/gather/data/categorical.js';
import { ROOT } from '../helpers/cli.js';

const NPY = path.join(ROOT, 'fixtures/data/npy');
const IMAGES = path.join(ROOT, 'fixtures/data/images');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-sources-'));
const file = (name: string, content: string | Uint8Array) => {
  const f = path.join(tmp, name);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, content);
  return f;
};

/** Opens a data spec the way gather does, optionally against a model input shape (and layout). */
function open(
  input: Record<string, unknown>,
  inputShape: Array<number | null> | null = null,
  inputLayout: 'channelsFirst' | 'channelsLast' = 'channelsLast',
) {
  const spec = dataSchema.parse(input) as DataSpec;
  return openDataset(spec, {
    baseDir: tmp,
    seed: 1,
    inputShape,
    inputLayout,
    checkShape: (shape, where, note) => {
      if (inputShape && !fitFeatureShape(shape, inputShape)) throw inputMismatch(shape, inputShape, where, note);
    },
  });
}

describe('npy and npz (files written by NumPy: fixtures/data/npy/make-npy-fixtures.py)', () => {
  const expected = JSON.parse(readFileSync(path.join(NPY, 'expected.json'), 'utf8')) as Record<string, number[]>;
  it.each(Object.keys(expected))('reads %s exactly as NumPy wrote it', async (dtype) => {
    const d = await open({ npy: { x: path.join(NPY, `x-${dtype}.npy`), y: path.join(NPY, 'y.npy') } });
    expect(Array.from(d.x)).toEqual(expected[dtype]);
    expect(d.featureShape).toEqual([3]);
    expect(Array.from(d.y)).toEqual([0, 1, 0, 1]);
    expect(d).toMatchObject({ task: 'classification', numClasses: 2 });
  });

  it('reads big-endian arrays, and refuses Fortran order saying how to fix it', async () => {
    const d = await open({ npy: { x: path.join(NPY, 'x-float32-big-endian.npy'), y: path.join(NPY, 'y.npy') } });
    expect(Array.from(d.x)).toEqual(expected['float32']);
    await expect(open({ npy: { x: path.join(NPY, 'x-fortran.npy'), y: path.join(NPY, 'y.npy') } })).rejects.toThrow(
      /Fortran .* order; .*np.ascontiguousarray/,
    );
  });

  it('checks the shape from the .npy header against the model before decoding', async () => {
    await expect(
      open({ npy: { x: path.join(NPY, 'x-float32.npy'), y: path.join(NPY, 'y.npy') } }, [5]),
    ).rejects.toThrow(
      /x-float32.npy: each sample has shape \[3\] \(array shape \(4, 3\)\), but the model's input expects \[5\]/,
    );
    const images = await open({ npy: { x: path.join(NPY, 'images.npy'), y: path.join(NPY, 'y.npy') } }, [2, 2, 1]);
    expect(images.featureShape).toEqual([2, 2]);
    expect(fitFeatureShape(images.featureShape, [2, 2, 1])).toEqual([2, 2, 1]);
  });

  it('reads npz arrays x and y, or named arrays from a compressed archive (2-D y: several targets)', async () => {
    const d = await open({ npz: path.join(NPY, 'xy.npz') });
    expect(Array.from(d.x)).toEqual(expected['float32']);
    const named = await open({ npz: path.join(NPY, 'named-compressed.npz'), arrays: { x: 'features', y: 'targets' } });
    expect(named).toMatchObject({ task: 'regression', yWidth: 2 });
    expect(Array.from(named.y)).toEqual([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    await expect(open({ npz: path.join(NPY, 'named-compressed.npz') })).rejects.toThrow(
      /no arrays "x" and "y".*it holds features, targets: name them with data.arrays/,
    );
  });
});

describe('idx (MNIST format)', () => {
  const idx = (type: number, dims: number[], values: number[]) => {
    const head = new Uint8Array(4 + 4 * dims.length);
    const view = new DataView(head.buffer);
    head[2] = type;
    head[3] = dims.length;
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
    return new Uint8Array([...head, ...values]);
  };
  const images = idx(0x08, [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  const labels = idx(0x08, [3], [2, 0, 1]);

  it.each([
    ['plain', (b: Uint8Array) => b],
    ['gzip', (b: Uint8Array) => gzipSync(b)],
  ])('reads %s IDX files', async (name, enc) => {
    const d = await open({
      idx: {
        images: file(`${name}-images-idx3-ubyte`, enc(images)),
        labels: file(`${name}-labels-idx1-ubyte`, enc(labels)),
      },
    });
    expect(Array.from(d.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    expect(d.featureShape).toEqual([2, 2]);
    expect(Array.from(d.y)).toEqual([2, 0, 1]);
    expect(d.numClasses).toBe(3);
  });

  it("takes rescale, offset, mean and std: (x * rescale + offset - mean) / std, torchvision's ToTensor + Normalize", async () => {
    const d = await open({
      idx: { images: file('n-images-idx3-ubyte', images), labels: file('n-labels-idx1-ubyte', labels) },
      rescale: 1 / 255,
      offset: 0,
      mean: 0.286,
      std: 0.353,
    });
    const want = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255].map((v) => (v / 255 - 0.286) / 0.353);
    Array.from(d.x).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // A grey image without a channel axis fits PyTorch's [1, h, w] input as it fits Keras' [h, w, 1].
    await expect(
      open(
        { idx: { images: file('c-images-idx3-ubyte', images), labels: file('c-labels-idx1-ubyte', labels) } },
        [1, 2, 2],
        'channelsFirst',
      ),
    ).resolves.toMatchObject({ featureShape: [2, 2] });
  });

  it('refuses a file that is not IDX, and images that do not fit the model', async () => {
    await expect(
      open({ idx: { images: file('bad-idx', 'hello world'), labels: file('l-idx', labels) } }),
    ).rejects.toThrow(/not an IDX file/);
    await expect(
      open({ idx: { images: file('i2-idx', images), labels: file('l2-idx', labels) } }, [28, 28, 1]),
    ).rejects.toThrow(
      /each sample has shape \[2, 2\] \(array shape \(3, 2, 2\)\), but the model's input expects \[28, 28, 1\]/,
    );
  });
});

describe('image folders', () => {
  it('lists classes as sorted folder names (Keras default) and says so; data.classes sets the order', async () => {
    const d = await open({ images: IMAGES });
    expect(d.classes).toEqual({ names: ['bag', 'trouser'], order: expect.stringMatching(/sorted folder names/) });
    expect(d.featureShape).toEqual([28, 28, 3]);
    expect(Array.from(d.y)).toEqual([0, 0, 0, 1, 1, 1]);
    const swapped = await open({ images: IMAGES, classes: ['trouser', 'bag'] });
    expect(swapped.classes).toEqual({ names: ['trouser', 'bag'], order: 'data.classes' });
    expect(Array.from(swapped.y)).toEqual([0, 0, 0, 1, 1, 1]);
    // same pixels, other label: the trouser images now come first with label 0
    expect(Array.from(swapped.x.subarray(0, 28 * 28 * 3))).toEqual(
      Array.from(d.x.subarray(3 * 28 * 28 * 3, 4 * 28 * 28 * 3)),
    );
    await expect(open({ images: IMAGES, classes: ['bag', 'shoe'] })).rejects.toThrow(
      /data.classes names "shoe", but there is no such folder; folders are: (bag, trouser|trouser, bag)/,
    );
  });

  it("decodes grey PNGs to the model's channels: grey stays exact, RGB repeats it; rescale multiplies", async () => {
    const png = PNG.sync.read(readFileSync(path.join(IMAGES, 'bag', '00018.png')));
    const grey = Array.from({ length: 28 * 28 }, (_, i) => png.data[i * 4]!);
    const g = await open({ images: IMAGES, rescale: 1 / 255 }, [28, 28, 1]);
    expect(Array.from(g.x.subarray(0, 28 * 28)).map((v) => Math.round(v * 255))).toEqual(grey);
    const rgb = await open({ images: IMAGES }, [28, 28, 3]);
    expect(
      Array.from(rgb.x.subarray(0, 3 * 28 * 28))
        .filter((_, i) => i % 3 === 1)
        .map(Math.round),
    ).toEqual(grey);
  });

  it('lays pixels out channels first for a PyTorch model ([c, h, w]), normalized per channel before', async () => {
    const last = await open({ images: IMAGES, rescale: 1 / 255 }, [28, 28, 3]);
    const first = await open(
      { images: IMAGES, rescale: 1 / 255, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] },
      [3, 28, 28],
      'channelsFirst',
    );
    expect(first.featureShape).toEqual([3, 28, 28]);
    const plane = 28 * 28;
    for (const [p, c] of [
      [0, 0],
      [400, 1],
      [783, 2],
    ] as const) {
      const want = (last.x[p * 3 + c]! - [0.1, 0.2, 0.3][c]!) / [0.5, 0.25, 2][c]!;
      expect(first.x[c * plane + p]).toBeCloseTo(want, 5);
    }
    await expect(open({ images: IMAGES, mean: [0.1, 0.2] }, [3, 28, 28], 'channelsFirst')).rejects.toThrow(
      /data.mean gives 2 values \(one per channel\), but each sample has 3 channels/,
    );
  });

  it('resizes like tf.image.resizeBilinear with half-pixel centres', async () => {
    const d = await open({ images: IMAGES }, [13, 41, 1]);
    const png = PNG.sync.read(readFileSync(path.join(IMAGES, 'bag', '00018.png')));
    const want = tf.tidy(() =>
      tf.image
        .resizeBilinear(
          tf.tensor3d(
            Float32Array.from({ length: 28 * 28 }, (_, i) => png.data[i * 4]!),
            [28, 28, 1],
          ),
          [13, 41],
          false,
          true,
        )
        .dataSync(),
    );
    const got = d.x.subarray(0, 13 * 41);
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-3);
  });

  it('reads JPEG and RGB PNG files, converting colour to grey with the ITU-R 601 weights', async () => {
    const dir = path.join(tmp, 'colours');
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([200, 100, 50, 255], i * 4);
    const p = new PNG({ width: 4, height: 4 });
    p.data = Buffer.from(rgba);
    file('colours/png/a.png', PNG.sync.write(p));
    file('colours/jpeg/b.jpg', jpeg.encode({ data: rgba, width: 4, height: 4 }, 100).data);
    file('colours/jpeg/notes.txt', 'not an image: ignored as Keras does');
    const d = await open({ images: dir }, [4, 4, 1]);
    const expectedGrey = 0.2989 * 200 + 0.587 * 100 + 0.114 * 50;
    expect(d.y.length).toBe(2);
    for (const v of d.x) expect(Math.abs(v - expectedGrey)).toBeLessThan(3); // JPEG is lossy
  });

  it('flattens images of data.size into a flat (MLP) input of that size, pixel for pixel', async () => {
    const flat = await open({ images: IMAGES, size: [28, 28, 1] }, [784]);
    const grey = await open({ images: IMAGES }, [28, 28, 1]);
    expect(flat.featureShape).toEqual([28, 28, 1]);
    expect(fitFeatureShape(flat.featureShape, [784])).toEqual([784]);
    expect(Array.from(flat.x)).toEqual(Array.from(grey.x));
  });

  it('refuses a model input that is not an image, and a corrupt image naming the file', async () => {
    await expect(open({ images: IMAGES }, [784])).rejects.toThrow(
      /images are \[height, width, channels\], but the model's input is \[784\]; give data.size: \[28, 28, 1\] to flatten/,
    );
    await expect(open({ images: IMAGES }, [10])).rejects.toThrow(
      /input is \[10\]; give data.size: \[height, width, channels\] whose product is its size/,
    );
    const dir = path.join(tmp, 'corrupt');
    cpSync(IMAGES, dir, { recursive: true });
    file('corrupt/bag/zz.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await expect(open({ images: dir })).rejects.toThrow(/zz.png: cannot decode the image/);
  });
});

describe('CSV and JSON columns', () => {
  it('several label columns: targets, one-hot, multi-label', async () => {
    const targets = await open({ csv: file('t.csv', 'a,b,t1,t2\n1,2,0.5,1.5\n3,4,2.5,3.5\n'), label: ['t1', 't2'] });
    expect(targets).toMatchObject({ task: 'regression', yWidth: 2, featureNames: ['a', 'b'] });
    expect(Array.from(targets.y)).toEqual([0.5, 1.5, 2.5, 3.5]);
    const oneHot = await open({
      csv: file('o.csv', 'a,cat,dog,fish\n1,0,1,0\n2,0,0,1\n3,1,0,0\n'),
      label: ['cat', 'dog', 'fish'],
    });
    expect(oneHot).toMatchObject({ task: 'classification', numClasses: 3, classes: { names: ['cat', 'dog', 'fish'] } });
    expect(Array.from(oneHot.y)).toEqual([1, 2, 0]);
    const multi = await open({ csv: file('m.csv', 'a,red,round\n1,1,1\n2,0,1\n3,0,0\n'), label: ['red', 'round'] });
    expect(multi).toMatchObject({ task: 'classification', multiLabel: true, yWidth: 2 });
  });

  it('exclude drops id columns; shape reshapes flat rows into images', async () => {
    const d = await open({
      csv: file('img.csv', 'id,p0,p1,p2,p3,label\n7,0,1,2,3,1\n8,4,5,6,7,0\n'),
      label: 'label',
      exclude: ['id'],
      shape: [2, 2, 1],
    });
    expect(d.featureShape).toEqual([2, 2, 1]);
    expect(Array.from(d.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await expect(
      open({ csv: file('img2.csv', 'p0,p1,p2,label\n0,1,2,1\n'), label: 'label', shape: [2, 2, 1] }),
    ).rejects.toThrow(/data.shape \[2, 2, 1\] holds 4 values but each row has 3 feature columns/);
  });

  it('categorical columns: one-hot and ordinal from the training split; an unseen category is an error naming it', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i},${['FR', 'ES', 'DE'][i % 3]},${i % 2 ? 'M' : 'F'},${i % 2}`,
    );
    const spec = {
      csv: file('cat.csv', `n,country,sex,y\n${rows.join('\n')}\n`),
      label: 'y',
      categorical: ['country', { column: 'sex', encode: 'ordinal' }],
    };
    const raw = await open(spec);
    const prepared = prepareData(raw, dataSchema.parse(spec), 0.25, 1);
    expect(prepared.train.featureNames).toEqual(['n', 'country=DE', 'country=ES', 'country=FR', 'sex']);
    const w = 5;
    for (let r = 0; r < prepared.train.y.length; r++) {
      const row = Array.from(prepared.train.x.subarray(r * w, r * w + w));
      const n = row[0]!;
      expect(row.slice(1, 4)).toEqual(['DE', 'ES', 'FR'].map((c) => (c === ['FR', 'ES', 'DE'][n % 3] ? 1 : 0)));
      expect(row[4]).toBe(n % 2); // F=0, M=1, sorted as LabelEncoder does
    }
    const withRare = [...rows.slice(0, 39), '39,IT,F,1'];
    const rawRare = await open({ ...spec, csv: file('rare.csv', `n,country,sex,y\n${withRare.join('\n')}\n`) });
    const train = takeRows(
      rawRare,
      Array.from({ length: 39 }, (_, i) => i),
    );
    expect(() => encodeCategoricals(train, takeRows(rawRare, [39]))).toThrow(
      /column "country" has the category "IT" in the validation rows but not in the training rows \(categories: DE, ES, FR\)/,
    );
    expect(() => encodeCategoricals(train, takeRows(rawRare, [38]))).not.toThrow();
  });

  it('checks the column count against the model from the header, before reading a bad row further down', async () => {
    const f = file('wide.csv', `a,b,c,y\n1,2,3,0\n${'x,y,z,1\n'.repeat(3)}`);
    await expect(open({ csv: f, label: 'y' }, [2])).rejects.toThrow(
      /each sample has shape \[3\] \(3 feature columns: a, b, c\), but the model's input expects \[2\]/,
    );
    await expect(open({ csv: f, label: 'y' }, [3])).rejects.toThrow(/:3: columns "a", "b", "c" are not numeric/);
  });

  it('a text column: the error names every text column of the line and the fixes (encode, or leave out an id), never the cells', async () => {
    const f = file('people.csv', 'CustomerId,Surname,Score,Country,y\n15634602,Hargrave,619,France,1\n');
    const text = await open({ csv: f, label: 'y' }).catch((e: Error) => e.message);
    expect(text).toMatch(/people\.csv:2: columns "Surname", "Country" are not numeric/);
    expect(text).toMatch(
      /"Surname" looks like an id or a name: leave it out with --features \(the model's columns, in its order\)/,
    );
    expect(text).toMatch(/--exclude Surname/);
    expect(text).toMatch(/--categorical Country \(one-hot\) or Country:ordinal/);
    expect(text).not.toMatch(/Hargrave|France/);
    const only = await open({ csv: f, label: 'y', exclude: ['Surname'] }).catch((e: Error) => e.message);
    expect(only).toMatch(
      /column "Country" is not numeric.*--categorical Country \(one-hot\).*leave it out with --features/,
    );
    // Missing values stay quoted: "NaN" is no personal data, and it says what to clean.
    await expect(open({ csv: file('nan.csv', 'a,y\nNaN,1\n'), label: 'y' })).rejects.toThrow(
      /:2: column "a" is "NaN", expected a finite number/,
    );
  });

  it('a header with ids and too many columns for the model names the id-like columns', async () => {
    const f = file('ids.csv', 'RowNumber,customer_id,Name,a,b,y\n1,2,x,3,4,0\n');
    await expect(open({ csv: f, label: 'y' }, [2])).rejects.toThrow(
      /5 feature columns: RowNumber, customer_id, Name, a, b; RowNumber, customer_id, Name look like an id or a name, not a feature\)/,
    );
  });

  it('stops at data.maxRows instead of reading an unbounded file', async () => {
    const f = file('long.csv', `a,y\n${Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    await expect(open({ csv: f, label: 'y', maxRows: 10 })).rejects.toThrow(/more than 10 rows; raise data.maxRows/);
    expect((await open({ csv: f, label: 'y', maxRows: 50 })).y.length).toBe(50);
  });

  it('JSON records read like CSV rows; JSON {x, y} takes 2-D y as several targets', async () => {
    const rec = await open({
      json: file(
        'r.json',
        JSON.stringify([
          { id: 1, a: 0.5, kind: 'u', y: 1 },
          { id: 2, a: 1.5, kind: 'v', y: 0 },
        ]),
      ),
      label: 'y',
      exclude: ['id'],
      categorical: ['kind'],
    });
    expect(rec.featureNames).toEqual(['a', 'kind']);
    const arr = await open({
      json: {
        x: [[1], [2]],
        y: [
          [1, 2],
          [3, 4],
        ],
      },
    });
    expect(arr).toMatchObject({ task: 'regression', yWidth: 2 });
  });
});

describe('--data auto-detection', () => {
  it.each([
    [IMAGES, 'images'],
    [path.join(NPY, 'xy.npz'), 'npz'],
    [path.join(ROOT, 'fixtures/data/wine.csv'), 'csv'],
    [path.join(ROOT, 'fixtures/data/wine-standardized.json'), 'json'],
    [file('t10k-images-idx3-ubyte.gz', 'x'), 'idx'],
    [NPY, null],
  ])('%s -> %s', (p, key) => {
    expect(detectSource(p)).toBe(key);
  });
});
