import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/gather/backend/backend.js';
import { detectFormat, loadLayersModel } from '../../../src/gather/model/load-model.js';
import { DEFAULT_CAPS } from '../../../src/policy/limits.js';
import { ONNX_DIR } from './fixtures.js';

const fixture = (name: string) => path.join(ONNX_DIR, `${name}.onnx`);

async function loadError(file: string, caps = DEFAULT_CAPS): Promise<string> {
  try {
    const m = await loadLayersModel(file, undefined, caps);
    m.model.dispose();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${file} loaded`);
}

describe('ONNX import: bad files are one clear line', () => {
  let tmp = '';
  beforeAll(async () => {
    await selectBackend('cpu');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-onnx-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('an operator outside the list names the operator, the node and what is supported', async () => {
    const msg = await loadError(fixture('unsupported-op'));
    expect(msg).toMatch(/ONNX operator CumSum \(CumSum node '[^']+'\) is not supported; nnaudit reads .*Conv.*Gemm/);
    expect(msg).not.toContain('\n');
  });

  it('a truncated file is "not a readable ONNX model", with no library trace and no file bytes', async () => {
    const msg = await loadError(fixture('truncated'));
    expect(msg).toBe(
      `${fixture('truncated')}: not a readable ONNX model (the protobuf does not decode: is the file complete?)`,
    );
  });

  it('external data outside the model folder is refused before anything is opened', async () => {
    const msg = await loadError(fixture('external-data-escape'));
    expect(msg).toMatch(/external file outside the model's folder; only files next to the model are read/);
    expect(msg).not.toContain('escape.bin');
  });

  it('external data next to the model loads; a symlink from there to outside the folder does not', async () => {
    const m = await loadLayersModel(fixture('external-data'));
    expect(m.model.countParams()).toBeGreaterThan(0);
    m.model.dispose();
    const dir = path.join(tmp, 'linked');
    const outside = path.join(tmp, 'outside.data');
    copyFileSync(path.join(ONNX_DIR, 'external-data.onnx.data'), outside);
    mkdirSync(dir);
    copyFileSync(fixture('external-data'), path.join(dir, 'external-data.onnx'));
    symlinkSync(outside, path.join(dir, 'external-data.onnx.data'));
    expect(await loadError(path.join(dir, 'external-data.onnx'))).toMatch(/links outside the model's folder/);
  });

  it('the parameter cap applies before any weight is decoded', async () => {
    const msg = await loadError(fixture('net-conv-bn-residual'), { ...DEFAULT_CAPS, maxParams: 100 });
    expect(msg).toMatch(/parameters, over the cap of 100 \(limits\.maxParams\)/);
  });

  it('a renamed ONNX file is recognised by its content; an ONNX URL must be downloaded first', async () => {
    const renamed = path.join(tmp, 'model.bin');
    writeFileSync(renamed, readFileSync(fixture('gemm')));
    expect(await detectFormat(renamed)).toBe('onnx');
    expect(await detectFormat(path.join(ONNX_DIR, 'manifest.json'))).toBe('tfjs-layers');
    expect(await loadError('https://example.com/model.onnx')).toMatch(
      /ONNX files are read from a local path; download it first/,
    );
  });
});
