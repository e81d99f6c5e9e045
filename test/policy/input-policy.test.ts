import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { openDataset } from '../../src/gather/data/prepare.js';
import type { DataSpec } from '../../src/config/spec-schema.js';

const loadDataset = (spec: DataSpec, seed: number, baseDir: string) =>
  openDataset(spec, { baseDir, seed, inputShape: null, checkShape: () => undefined });
import { selectBackend } from '../../src/gather/backend/backend.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { runWithPolicy, workerPolicy, type InputPolicy } from '../../src/policy/input-policy.js';
import { scrubMessage } from '../../src/policy/redact.js';
import { isSpecialAddress } from '../../src/policy/url-policy.js';

/** The attacks of issue #9 (points 2 and 3): each passed on the code before src/policy existed. */
const wineDir = path.join(fixturesDir(), 'models', 'wine-mlp');
const SECRET = 'SECRET_TOKEN_4f9a';
let root: string; // the worker's only data folder
let outside: string; // a folder the worker must not read
let server: Server;
let base: string; // http://127.0.0.1:<port>
let policy: InputPolicy;

const csvSpec = (csv: string) =>
  validateSpec({
    model: { train: { layers: [{ type: 'dense', units: 2 }], loss: 'meanSquaredError' } },
    data: { csv, label: 'y' },
  }).data;
const error = async (fn: () => unknown): Promise<Error> => {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got success');
};

beforeAll(async () => {
  await selectBackend();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-policy-'));
  root = path.join(tmp, 'data');
  outside = path.join(tmp, 'private');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secrets.env'), `API_KEY=${SECRET}\nx,y\n1,2\n`);
  cpSync(wineDir, path.join(root, 'wine'), { recursive: true });
  server = createServer((req, res) => {
    const u = req.url ?? '/';
    if (u === '/secret') {
      res.end(`${SECRET} internal admin page`);
      return;
    }
    if (u.startsWith('/redirect-to/')) {
      res.writeHead(302, { location: decodeURIComponent(u.slice('/redirect-to/'.length)) });
      res.end();
      return;
    }
    if (u === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
      return;
    }
    if (u.startsWith('/wine/')) {
      res.end(readFileSync(path.join(wineDir, u.slice('/wine/'.length))));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  policy = workerPolicy({ NNAUDIT_DATA_DIRS: root }, tmp);
});
afterAll(() => {
  server?.close();
  if (root) rmSync(path.dirname(root), { recursive: true, force: true });
});

describe('SSRF: a queued spec cannot make the worker fetch internal URLs', () => {
  it('a loopback URL is refused before connecting, and nothing of its body reaches the message', async () => {
    const e = await error(() => runWithPolicy(policy, () => loadLayersModel(`${base}/secret`)));
    expect(e.message).toMatch(/host 127\.0\.0\.1 is not allowed on this worker \(NNAUDIT_ALLOWED_HOSTS=/);
    expect(e.message).not.toContain('SECRET');
  });

  it('a listed host name does not open a loopback address it resolves to', async () => {
    const p = { ...policy, allowedHosts: ['localhost'] };
    const e = await error(() =>
      runWithPolicy(p, () => loadLayersModel(`${base.replace('127.0.0.1', 'localhost')}/secret`)),
    );
    expect(e.message).toMatch(/resolves to (127\.0\.0\.1|::1), a loopback\/private\/link-local address/);
  });

  it('a redirect from an allowed server to an internal address is re-checked and refused', async () => {
    const p = { ...policy, allowedHosts: ['127.0.0.1'] };
    const e = await error(() =>
      runWithPolicy(p, () =>
        loadLayersModel(`${base}/redirect-to/${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`),
      ),
    );
    expect(e.message).toMatch(/host 169\.254\.169\.254 is not allowed/);
  });

  it('a model served by an allowed (listed) address loads; a shard redirected off its origin does not', async () => {
    const p = { ...policy, allowedHosts: ['127.0.0.1'] };
    const ok = await runWithPolicy(p, () => loadLayersModel(`${base}/wine/model.json`));
    expect(ok.model.layers).toHaveLength(2);
    ok.model.dispose();
    const e = await error(() => safeShardRedirect(p));
    expect(e.message).toMatch(/outside the model's origin/);
  });

  it('a JSON parse failure says where, not what (no bytes of the response)', async () => {
    const p = { ...policy, allowedHosts: ['127.0.0.1'] };
    const e = await error(() => runWithPolicy(p, () => loadLayersModel(`${base}/secret`)));
    expect(e.message).toMatch(/secret: not valid JSON at byte 0/);
    expect(e.message).not.toContain('SECRET');
  });

  it.each([
    ['169.254.169.254', true],
    ['10.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['fd00::1', true],
    ['8.8.8.8', false],
    ['2001:4860::8888', false],
  ])('isSpecialAddress(%s) = %s', (ip, special) => expect(isSpecialAddress(ip)).toBe(special));
});

describe('network errors are named (CLI too)', () => {
  it('a refused connection says "connection refused", a redirect loop says "too many redirects"', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', () => ok()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    expect((await error(() => loadLayersModel(`http://127.0.0.1:${port}/model.json`))).message).toMatch(
      /connection refused by 127\.0\.0\.1:\d+/,
    );
    expect((await error(() => loadLayersModel(`${base}/loop`))).message).toMatch(/too many redirects/);
  });
});

describe('file reads are confined to NNAUDIT_DATA_DIRS (realpath)', () => {
  it('a data file outside the roots is refused (the client baseDir is not trusted)', async () => {
    const e = await error(() =>
      runWithPolicy(policy, () => loadDataset(csvSpec(path.join(outside, 'secrets.env')), 1, root)),
    );
    expect(e.message).toMatch(
      /secrets\.env: data file is outside the folders this worker may read \(NNAUDIT_DATA_DIRS=/,
    );
    expect(e.message).not.toContain(SECRET);
  });

  it('a symlink inside a root pointing outside is refused', async () => {
    symlinkSync(path.join(outside, 'secrets.env'), path.join(root, 'innocent.csv'));
    const e = await error(() => runWithPolicy(policy, () => loadDataset(csvSpec('innocent.csv'), 1, root)));
    expect(e.message).toMatch(/innocent\.csv: data file is outside the folders/);
  });

  it('a file inside a root whose header is a secret: the message does not quote it', async () => {
    writeFileSync(path.join(root, 'planted.csv'), `API_KEY=${SECRET}\n1\n2\n`);
    const e = await error(() => runWithPolicy(policy, () => loadDataset(csvSpec('planted.csv'), 1, root)));
    expect(e.message).toMatch(/planted\.csv: no label column "y"; columns are: \(\d+ characters, not shown\)/);
    expect(e.message).not.toContain(SECRET);
  });

  it('/dev/zero is refused as not a regular file (CLI too: it would read forever)', async () => {
    const e = await error(() => loadDataset(csvSpec('/dev/zero'), 1, root));
    expect(e.message).toMatch(/\/dev\/zero: data file is not a regular file/);
  });

  it('scrubMessage removes any run of read bytes a message might still carry', () => {
    const bytes = new TextEncoder().encode(`API_KEY=${SECRET}`);
    expect(scrubMessage(`bad header: API_KEY=${SECRET} in /data/x.csv`, [bytes])).toBe(
      'bad header: [input bytes]=[input bytes] in /data/x.csv',
    );
  });
});

describe('weight shards: realpath inside the model folder, exact byte length', () => {
  it('a shard that is a symlink to a file outside the folder is refused (CLI too)', async () => {
    const dir = path.join(root, 'symlinked');
    cpSync(wineDir, dir, { recursive: true });
    const target = path.join(outside, 'not-weights.bin');
    writeFileSync(target, Buffer.alloc(readFileSync(path.join(wineDir, 'weights.bin')).length, 7)); // the right length, so only the link gives it away
    unlinkSync(path.join(dir, 'weights.bin'));
    symlinkSync(target, path.join(dir, 'weights.bin'));
    const e = await error(() => loadLayersModel(path.join(dir, 'model.json')));
    expect(e.message).toMatch(/weight shard "weights\.bin" resolves \(through a symlink\) outside the model's folder/);
  });

  it('a shard longer than the manifest says is refused (CLI too)', async () => {
    const dir = path.join(root, 'longer');
    cpSync(wineDir, dir, { recursive: true });
    appendFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(8));
    const e = await error(() => loadLayersModel(path.join(dir, 'model.json')));
    expect(e.message).toMatch(/the weight shards hold 1108 bytes but weightsManifest declares 1100/);
  });
});

/** A model.json on the allowed server whose shard path redirects to another port (another origin). */
async function safeShardRedirect(p: InputPolicy) {
  const other = createServer((_q, res) => res.end(readFileSync(path.join(wineDir, 'weights.bin'))));
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', () => ok()));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/weights.bin`;
  const json = JSON.parse(readFileSync(path.join(wineDir, 'model.json'), 'utf8')) as {
    weightsManifest: Array<{ paths: string[] }>;
  };
  json.weightsManifest[0]!.paths = [`redirect-to/${encodeURIComponent(otherUrl)}`];
  const modelServer = createServer((req, res) => {
    if (req.url === '/m/model.json') {
      res.end(JSON.stringify(json));
      return;
    }
    const u = req.url ?? '';
    if (u.startsWith('/m/redirect-to/')) {
      res.writeHead(302, { location: decodeURIComponent(u.slice('/m/redirect-to/'.length)) });
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((ok) => modelServer.listen(0, '127.0.0.1', () => ok()));
  try {
    return await runWithPolicy(p, () =>
      loadLayersModel(`http://127.0.0.1:${(modelServer.address() as AddressInfo).port}/m/model.json`),
    );
  } finally {
    modelServer.close();
    other.close();
  }
}
