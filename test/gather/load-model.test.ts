import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '../../src/gather/load-model.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { selectBackend } from '../../src/gather/backend.js';
import { ModelLoadError } from '../../src/errors.js';

const wineDir = path.join(fixturesDir(), 'models', 'wine-mlp');
let tmp: string;

/** A copy of the wine model whose model.json is edited by `edit`. */
function variant(name: string, edit: (json: { weightsManifest: Array<{ paths: string[] }> }) => void): string {
  const dir = path.join(tmp, name);
  cpSync(wineDir, dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

beforeAll(async () => {
  await selectBackend();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-load-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadLayersModel', () => {
  it('loads a LayersModel and its Keras training config', async () => {
    const loaded = await loadLayersModel(path.join(wineDir, 'model.json'));
    expect(loaded.model.layers.map((l) => l.name)).toEqual(['hidden', 'output']);
    expect(loaded.training).toMatchObject({ loss: 'categoricalCrossentropy', optimizer: { name: 'adam', learningRate: 0.01 } });
    loaded.model.dispose();
  });

  it.each([
    ['a missing file', () => path.join(tmp, 'nope', 'model.json'), /model.json: model file not found/],
    ['invalid JSON', () => { const f = path.join(tmp, 'bad.json'); writeFileSync(f, '{"format": '); return f; }, /bad.json: invalid JSON/],
    ['a graph model', () => path.join(fixturesDir(), 'models', 'graph-model', 'model.json'), /graph model .*not a LayersModel.*tfjs_layers_model/],
    ['a shard path with ../', () => variant('escape', (j) => { j.weightsManifest[0]!.paths = ['../../etc/passwd']; }), /weight shard "..\/..\/etc\/passwd" points outside the model's folder/],
    ['an absolute shard path', () => variant('absolute', (j) => { j.weightsManifest[0]!.paths = ['/etc/passwd']; }), /points outside the model's folder/],
    ['a missing shard', () => variant('missing', (j) => { j.weightsManifest[0]!.paths = ['gone.bin']; }), /gone.bin: weight shard not found/],
    ['JSON that is not a model', () => { const f = path.join(tmp, 'other.json'); writeFileSync(f, '{"a": 1}'); return f; }, /no "modelTopology"/],
  ])('rejects %s with a clear ModelLoadError', async (_name, makePath, message) => {
    const p = makePath();
    await expect(loadLayersModel(p)).rejects.toThrow(ModelLoadError);
    await expect(loadLayersModel(p)).rejects.toThrow(message);
  });

  describe('over http', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const url = req.url ?? '/';
        if (url === '/escape/model.json') {
          const json = JSON.parse(readFileSync(path.join(wineDir, 'model.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
          json.weightsManifest[0]!.paths = ['../secret.bin'];
          res.end(JSON.stringify(json));
          return;
        }
        const m = /^\/wine\/(model\.json|weights\.bin)$/.exec(url);
        if (!m) { res.statusCode = 404; res.end('not found'); return; }
        res.end(readFileSync(path.join(wineDir, m[1]!)));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('loads model.json and shards from a URL', async () => {
      const loaded = await loadLayersModel(`${base}/wine/model.json`);
      expect(loaded.model.countParams()).toBe(13 * 16 + 16 + 16 * 3 + 3);
      loaded.model.dispose();
    });

    it('refuses a shard URL outside the model folder and reports HTTP errors', async () => {
      await expect(loadLayersModel(`${base}/escape/model.json`)).rejects.toThrow(/points outside the model's folder/);
      await expect(loadLayersModel(`${base}/missing/model.json`)).rejects.toThrow(/HTTP 404/);
    });
  });
});
