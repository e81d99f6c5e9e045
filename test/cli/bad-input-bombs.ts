import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { constants as zc, crc32, createDeflate, deflateSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { writeKerasArchive } from '../helpers/keras3-archive.js';
import {
  auditModel,
  csv,
  dataSpec,
  good,
  header13,
  json,
  put,
  row13,
  wineDir,
  wineVariant,
  type BadInputCase,
} from './bad-input-cases.js';

/**
 * The bad inputs of issue 24 that hung, bloated or echoed: FIFOs, devices, dangling symlinks, bombs (image,
 * zip, gzip, spec size, nesting, aliases, layer counts), a dripping HTTP body, loaded models over the caps,
 * and inputs that were accepted silently or named by an internal message. Big files are made here, at test
 * time (sparse where the content does not matter), never committed.
 */

/** The dripping server's URL, set by the table before the cases run (see bad-input-table.test.ts). */
export const drip = { url: '' };

const fifo = (dir: string, name: string): string => {
  const f = path.join(dir, name);
  mkdirSync(path.dirname(f), { recursive: true });
  execFileSync('mkfifo', [f]);
  return f;
};
/** A file of `bytes` NULs that takes no disk: a 300 MB input costs nothing to make. */
const sparse = (dir: string, name: string, bytes: number): string => {
  const f = put(dir, name, '');
  truncateSync(f, bytes);
  return f;
};
const out = (dir: string) => ['--out', path.join(dir, 'out'), '-q'];
const specFile = (dir: string, spec: unknown, name = 'spec.json') => ['audit', put(dir, name, json(spec)), ...out(dir)];
const trainSpec = (layers: unknown[], data: unknown, extra: Record<string, unknown> = {}) => ({
  ...good(),
  ...extra,
  model: { train: { ...good()['model'].train, layers } },
  data,
});
const imageLayers = [{ type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }];

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A PNG whose header says width x height (8-bit grey), with `idat` as its compressed pixels. */
function png(width: number, height: number, idat: Buffer = deflateSync(Buffer.alloc(1))): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A real side x side grey PNG of zeros: ~400 KB for 20000 x 20000, 400 MB once decoded. Deflated row by row. */
async function realPng(side: number): Promise<Buffer> {
  const z = createDeflate({ level: zc.Z_BEST_COMPRESSION });
  const parts: Buffer[] = [];
  z.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((r) => z.on('end', r));
  const row = Buffer.alloc(side + 1); // filter byte 0, then the pixels
  for (let y = 0; y < side; y++) if (!z.write(row)) await new Promise((r) => z.once('drain', r));
  z.end();
  await done;
  return png(side, side, Buffer.concat(parts));
}
/** A tiny valid 2x2 PNG. */
const smallPng = () => png(2, 2, deflateSync(Buffer.alloc(2 * 3)));

/** A .npy file with this header dict and `dataBytes` of data. */
function npy(header: string, dataBytes = 0): Buffer {
  let h = `${header}`;
  while ((10 + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  return Buffer.concat([pre, Buffer.from(h, 'latin1'), Buffer.alloc(dataBytes)]);
}

/** An .npz whose x.npy declares `declared` uncompressed bytes in the zip headers (a bomb's claim), holding little. */
function npzDeclaring(declared: number): Buffer {
  const zip = Buffer.from(
    zipSync({
      'x.npy': [npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", 8), { level: 6 }],
      'y.npy': npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8),
    }),
  );
  // Patch x.npy's uncompressed size in its local header (offset 22) and in its central directory entry (offset 24).
  zip.writeUInt32LE(declared, 22);
  const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(declared, cd + 24);
  return zip;
}

/** A Functional model.json whose two layers feed each other. */
const cyclicModel = () =>
  json({
    format: 'layers-model',
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'loop',
        layers: [
          { name: 'a', class_name: 'Dense', config: { name: 'a', units: 2 }, inbound_nodes: [[['b', 0, 0, {}]]] },
          { name: 'b', class_name: 'Dense', config: { name: 'b', units: 2 }, inbound_nodes: [[['a', 0, 0, {}]]] },
        ],
        input_layers: [['a', 0, 0]],
        output_layers: [['b', 0, 0]],
      },
    },
    weightsManifest: [],
  });

const SECRET = 'zqxplantedword';

const CASES: BadInputCase[] = [
  // Nothing blocks: FIFOs and devices are refused by a stat before the open, dangling symlinks named.
  {
    name: 'block: spec is a FIFO',
    args: (d) => ['audit', fifo(d, 'spec.json'), '-q'],
    expect: /spec\.json: spec file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: YAML spec is a FIFO',
    args: (d) => ['audit', fifo(d, 'spec.yaml'), '-q'],
    expect: /spec\.yaml: spec file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: CSV is a FIFO',
    args: (d) => [
      'audit',
      '--model',
      path.join(wineDir, 'model.json'),
      '--data',
      fifo(d, 'd.csv'),
      '--label',
      'label',
      ...out(d),
    ],
    expect: /d\.csv: data file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: CSV in a spec is a FIFO',
    args: (d) => dataSpec(d, { csv: fifo(d, 'd.csv'), label: 'y' }),
    expect: /d\.csv: data file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: weight shard is a FIFO',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, undefined, (m) => {
          unlinkSync(path.join(m, 'weights.bin'));
          fifo(m, 'weights.bin');
        }),
      ),
    expect: /weights\.bin: weight shard is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: model.json is a FIFO',
    args: (d) => auditModel(d, fifo(d, 'm/model.json')),
    expect: /model\.json: model file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: npy x is a FIFO',
    args: (d) =>
      dataSpec(d, {
        npy: {
          x: fifo(d, 'x.npy'),
          y: put(d, 'y.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8)),
        },
      }),
    expect: /x\.npy: data file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: npz is a FIFO',
    args: (d) => dataSpec(d, { npz: fifo(d, 'd.npz') }),
    expect: /d\.npz: data file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: IDX images file is a FIFO',
    args: (d) =>
      specFile(
        d,
        trainSpec(imageLayers, { idx: { images: fifo(d, 'i-idx3-ubyte'), labels: fifo(d, 'l-idx1-ubyte') } }),
      ),
    expect: /i-idx3-ubyte: data file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: an image in the data folder is a FIFO',
    args: (d) => {
      put(d, 'img/a/1.png', smallPng());
      fifo(d, 'img/b/2.png');
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img') }));
    },
    expect: /2\.png: image is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: history file is a FIFO',
    args: (d) => auditModel(d, path.join(wineDir, 'model.json'), '--history', fifo(d, 'h.json')),
    expect: /h\.json: history file is not a regular file \(a FIFO\)/,
  },
  {
    name: 'block: CSV is /dev/null (a device)',
    args: (d) => dataSpec(d, { csv: '/dev/null', label: 'y' }),
    expect: /\/dev\/null: data file is not a regular file \(a device\)/,
  },
  {
    name: 'block: spec is a dangling symlink',
    args: (d) => {
      const f = path.join(d, 'spec.json');
      symlinkSync(path.join(d, 'gone.json'), f);
      return ['audit', f, '-q'];
    },
    expect: /spec\.json: spec file not found \(a symlink to a missing file\)/,
  },
  {
    name: 'block: image is a dangling symlink',
    args: (d) => {
      put(d, 'img/a/1.png', smallPng());
      mkdirSync(path.join(d, 'img/b'));
      symlinkSync(path.join(d, 'gone.png'), path.join(d, 'img/b/2.png'));
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img') }));
    },
    expect: /2\.png: image not found \(a symlink to a missing file\)/,
  },
  {
    name: 'block: a model URL that drips 1 byte/s',
    args: (d) => auditModel(d, `${drip.url}/model.json`),
    env: { NNAUDIT_HTTP_TIMEOUT_S: '3' },
    expect: /model\.json: the model file did not arrive within 3 s/,
  },
  {
    name: 'block: a 300 MB single-line CSV',
    args: (d) => dataSpec(d, { csv: sparse(d, 'd.csv', 300 * 1024 * 1024), label: 'y' }),
    expect: /d\.csv: a row is longer than 1,048,576 characters \(the CSV record cap\)/,
  },
  {
    name: 'block: 100k nested arrays in a JSON spec',
    args: (d) => ['audit', put(d, 'deep.json', `{"model": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), '-q'],
    expect: /deep\.json: nested more than 64 levels deep/,
  },
  {
    name: 'block: a YAML alias inside its own anchor',
    args: (d) => ['audit', put(d, 'self.yaml', 'a: &x [*x]\nmodel: *x\n'), '-q'],
    expect: /self\.yaml: nested more than 64 levels deep \(or a YAML alias refers to itself\)/,
  },
  {
    name: 'block: a YAML alias bomb',
    args: (d) => [
      'audit',
      put(
        d,
        'lol.yaml',
        [
          'a: &a [x,x,x,x,x,x,x,x,x]',
          ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
        ].join('\n'),
      ),
      '-q',
    ],
    expect: /lol\.yaml: the YAML uses its aliases more than 100 times/,
  },
  {
    name: 'block: a spec with 1,000,000 layers',
    args: (d) => [
      'audit',
      put(
        d,
        'big.json',
        `{"model":{"train":{"loss":"meanSquaredError","layers":[${Array(1_000_000).fill('{"type":"flatten"}').join(',')}]}},"data":{"generator":"moons"}}`,
      ),
      '-q',
    ],
    expect: /big\.json: model\.train\.layers has 1,000,000 layers, over the cap of 1,000 layers/,
  },
  {
    name: 'block: a Functional model.json whose layers form a cycle',
    args: (d) => auditModel(d, put(d, 'm/model.json', cyclicModel())),
    expect: /model\.json: 2 of the model's 2 layers feed each other in a cycle/,
  },

  // Budgets before allocation.
  {
    name: 'budget: a PNG header claiming 60000x60000',
    args: (d) => {
      put(d, 'img/a/1.png', png(60000, 60000));
      put(d, 'img/b/2.png', smallPng());
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img'), size: [8, 8, 1] }));
    },
    expect: /1\.png: the image is 60000x60000 pixels, over the 40 MP cap of one image/,
  },
  {
    name: 'budget: a real 20000x20000 PNG',
    args: async (d) => {
      put(d, 'img/a/1.png', await realPng(20000));
      put(d, 'img/b/2.png', smallPng());
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img'), size: [8, 8, 1] }));
    },
    expect: /1\.png: the image is 20000x20000 pixels, over the 40 MP cap/,
  },
  {
    name: 'budget: an npz member declaring 3 GB',
    args: (d) => dataSpec(d, { npz: put(d, 'd.npz', npzDeclaring(3_000_000_000)) }),
    expect:
      /d\.npz: array "x" inflates to 3,000,000,000 bytes, over the 536,870,912-byte input cap \(limits\.maxInputBytes\)/,
  },
  {
    name: 'budget: a gzip IDX declaring 4 GB',
    args: (d) => {
      const gz = Buffer.from(gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 0, 1])));
      gz.writeUInt32LE(4_000_000_000, gz.length - 4);
      return specFile(
        d,
        trainSpec(imageLayers, {
          idx: {
            images: put(d, 'i-idx3-ubyte.gz', gz),
            labels: put(d, 'l-idx1-ubyte', Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 0, 1])),
          },
        }),
      );
    },
    expect:
      /i-idx3-ubyte\.gz: inflates to 4,000,000,000 bytes, over the 536,870,912-byte input cap \(limits\.maxInputBytes\)/,
  },
  {
    name: 'budget: npy shape (-1, 2)',
    args: (d) =>
      dataSpec(d, {
        npy: {
          x: put(d, 'x.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 16)),
          y: put(d, 'y.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8)),
        },
      }),
    expect: /x\.npy: the \.npy header's shape has 2 dimensions, not all of them whole numbers >= 0/,
  },
  {
    name: 'budget: npy shape (3, 1e14) (product over the cap)',
    args: (d) =>
      dataSpec(d, {
        npy: {
          x: put(d, 'x.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 100000000000000), }", 16)),
          y: put(d, 'y.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12)),
        },
      }),
    expect: /x\.npy: .*(holds more than 268,435,456 values|truncated)/,
  },
  {
    name: 'budget: data.size [100000, 100000, 3]',
    args: (d) => {
      put(d, 'img/a/1.png', smallPng());
      put(d, 'img/b/2.png', smallPng());
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img'), size: [100000, 100000, 3] }));
    },
    expect: /img: shape \(2, 100000, 100000, 3\) holds more than 268,435,456 values.*lower data\.size/,
  },
  {
    name: 'budget: a 300 MB spec file',
    args: (d) => ['audit', sparse(d, 'huge.json', 300 * 1024 * 1024), '-q'],
    expect: /huge\.json: spec file is 314572800 bytes, over the 33554432-byte size cap \(NNAUDIT_MAX_SPEC_BYTES\)/,
  },
  {
    name: 'budget: a loaded model.json with 1e9 units',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.modelTopology.config.layers[0].config.units = 1e9;
        }),
      ),
    expect: /model\.json: layer 1 of \d+ has 1,000,000,000 units, over the cap of 65,536 \(limits\.maxUnits\)/,
  },
  {
    name: 'budget: a model.json manifest declaring 1.3e10 parameters',
    args: (d) =>
      auditModel(
        d,
        wineVariant(d, (j) => {
          j.weightsManifest[0].weights[0].shape = [13, 1e9];
        }),
      ),
    expect: /model\.json: the model has [\d,]+ parameters, over the cap of 50,000,000 \(limits\.maxParams\)/,
  },
  {
    name: 'budget: a .keras archive with 1e9 units',
    args: async (d) => {
      const f = path.join(d, 'big.keras');
      await writeKerasArchive(
        f,
        {
          module: 'keras',
          class_name: 'Sequential',
          config: {
            name: 's',
            layers: [
              {
                module: 'keras.layers',
                class_name: 'InputLayer',
                config: { name: 'in', batch_shape: [null, 13], dtype: 'float32' },
              },
              { module: 'keras.layers', class_name: 'Dense', config: { name: 'd', units: 1e9, activation: 'softmax' } },
            ],
          },
        },
        {},
      );
      return auditModel(d, f, '--loss', 'categoricalCrossentropy');
    },
    expect:
      /big\.keras: config\.json: layer 2 of 2 has 1,000,000,000 units, over the cap of 65,536 \(limits\.maxUnits\)/,
  },

  // Every bad input named.
  {
    name: 'named: validationSplit 0.99 leaves no training rows',
    args: (d) => specFile(d, { ...good(), model: { train: { ...good()['model'].train, validationSplit: 0.99 } } }),
    expect: /validationSplit 0\.99 leaves 0 of 40 rows for training/,
  },
  {
    name: 'named: a built model with no weights says model.train',
    args: (d) => specFile(d, trainSpec([{ type: 'dropout', rate: 0.1 }], { generator: 'moons', samples: 40 })),
    expect: /model\.train\.layers: no layer has weights to train/,
  },
  {
    name: 'named: inline data with NaN',
    args: (d) => [
      'audit',
      put(
        d,
        'nan.yaml',
        `model: {train: {layers: [{type: dense, units: 2, activation: softmax}], loss: categoricalCrossentropy, epochs: 1}}\ndata: {json: {x: [[0.1], [.nan], [0.3]], y: [0, 1, 0]}}\n`,
      ),
      ...out(d),
    ],
    expect: /nan\.yaml: data\.json\.x\[1\]\[0\] is NaN, not a finite number/,
  },
  {
    name: 'named: y made of objects',
    args: (d) =>
      dataSpec(d, {
        json: put(
          d,
          'd.json',
          json({
            x: [
              [1, 2],
              [2, 3],
              [3, 4],
            ],
            y: [{ a: SECRET }, { a: 1 }, { a: 2 }],
          }),
        ),
      }),
    secret: SECRET,
    expect: /d\.json: y\[0\] is an object; each label must be a number or string/,
  },
  {
    name: 'named: a record field holding an array',
    args: (d) =>
      dataSpec(d, {
        json: put(
          d,
          'd.json',
          json([
            { a: 1, y: [SECRET] },
            { a: 2, y: [1] },
          ]),
        ),
        label: 'y',
      }),
    secret: SECRET,
    expect: /d\.json: record 0, field 2 holds an array/,
  },
  {
    name: 'named: duplicate class names',
    args: (d) => {
      put(d, 'img/bag/1.png', smallPng());
      put(d, 'img/shoe/2.png', smallPng());
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img'), classes: ['bag', 'bag'] }));
    },
    expect: /img: data\.classes names one class twice \(entries 1 and 2\)/,
  },
  {
    name: 'named: a zero-width PNG',
    args: (d) => {
      put(d, 'img/a/1.png', png(0, 4));
      put(d, 'img/b/2.png', smallPng());
      return specFile(d, trainSpec(imageLayers, { images: path.join(d, 'img'), size: [4, 4, 1] }));
    },
    expect: /1\.png: the image is empty \(0x4 pixels\)/,
  },
  {
    name: 'named: --junit under a file, before training',
    args: (d) => [...specFile(d, good()), '--junit', path.join(put(d, 'f', 'x'), 'junit.xml')],
    expect: /--junit .*f is a file, so it cannot hold the output folder/,
  },
  {
    name: 'named: --markdown is a folder, before training',
    args: (d) => {
      mkdirSync(path.join(d, 'md'));
      return [...specFile(d, good()), '--markdown', path.join(d, 'md')];
    },
    expect: /--markdown .*md: is a folder; give a file name/,
  },
  {
    name: 'named: a 500 KB CSV cell is not echoed whole',
    args: (d) => csv(d, `${header13}\n${row13()}\n${'x'.repeat(500_000)},${row13().slice(4)}\n`),
    expect: /d\.csv:3: column "f0" is not numeric \(text, empty or not finite\)/,
  },
];

/** Every one of them runs as a measured child: each could block or bloat the process that reads it. */
export const ISSUE24_CASES: BadInputCase[] = CASES.map((c) => ({ ...c, child: true }));
