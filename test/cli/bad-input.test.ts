import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, ROOT, STACK_LINE } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-cli-bad-'));
const wineModel = path.join(ROOT, 'fixtures/models/wine-mlp/model.json');
const wineData = path.join(ROOT, 'fixtures/data/wine-standardized.json');
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
const modelVariant = (name: string, paths: string[]) => {
  const dir = path.join(tmp, name);
  cpSync(path.dirname(wineModel), dir, { recursive: true });
  const json = JSON.parse(readFileSync(wineModel, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  json.weightsManifest[0]!.paths = paths;
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
};

describe('bad input: exit 2 with a clear message, never a stack trace', () => {
  it.each([
    ['a missing spec file', () => ['audit', path.join(tmp, 'missing.json')], /missing.json: spec file not found/],
    ['invalid JSON', () => ['audit', write('broken.json', '{"model": ')], /broken.json: invalid JSON/],
    ['invalid YAML', () => ['audit', write('broken.yaml', 'model: [unclosed')], /broken.yaml: invalid YAML/],
    [
      'a spec with a wrong field',
      () => [
        'audit',
        write(
          'wrong.json',
          JSON.stringify({
            model: { train: { layers: [{ type: 'dense', units: -3 }], loss: 'binaryCrossentropy' } },
            data: { generator: 'moons' },
          }),
        ),
      ],
      /model.train.layers.0.units: .*(positive|>0).*\(got -3\)/,
    ],
    [
      'an unknown threshold',
      () => [
        'audit',
        write(
          'thr.json',
          JSON.stringify({
            model: {
              train: { layers: [{ type: 'dense', units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' },
            },
            data: { generator: 'moons' },
            analyzers: { 'dead-relu': { failFraction: 0.5 } },
          }),
        ),
      ],
      /analyzers.dead-relu.failFraction: unknown threshold; dead-relu has: failLayerFraction, warnLayerFraction/,
    ],
    [
      'a missing model file',
      () => ['audit', '--model', path.join(tmp, 'none/model.json'), '--data', wineData],
      /model file not found/,
    ],
    [
      'a graph model',
      () => ['audit', '--model', path.join(ROOT, 'fixtures/models/graph-model/model.json'), '--data', wineData],
      /graph model/,
    ],
    [
      'a shard path with ../',
      () => ['audit', '--model', modelVariant('escape', ['../../x.bin']), '--data', wineData],
      /points outside the model's folder/,
    ],
    [
      'a missing shard',
      () => ['audit', '--model', modelVariant('noshard', ['gone.bin']), '--data', wineData],
      /gone.bin: weight shard not found/,
    ],
    [
      'data whose width does not match the model',
      () => [
        'audit',
        '--model',
        wineModel,
        '--data',
        path.join(ROOT, 'fixtures/data/breast-cancer.csv'),
        '--label',
        'label',
      ],
      /each sample has shape \[30\] \(30 feature columns: mean_radius, mean_texture, .*\), but the model's input expects \[13\]: choose the matching feature columns \(--features\/--exclude/,
    ],
    [
      'NaN in the data',
      () => [
        'audit',
        '--model',
        wineModel,
        '--data',
        write(
          'nan.csv',
          `${Array.from({ length: 13 }, (_, i) => `f${i}`).join(',')},label\n${Array(13).fill('0.1').join(',')},0\n${Array(12).fill('0.1').join(',')},NaN,1\n`,
        ),
        '--label',
        'label',
      ],
      /nan.csv:3: column "f12" is "NaN", expected a finite number/,
    ],
    [
      'a model without training config and no --loss',
      () => [
        'audit',
        '--model',
        path.join(ROOT, 'fixtures/models/wine-mlp-no-training-config/model.json'),
        '--data',
        wineData,
      ],
      /no training config; .*--loss/,
    ],
    [
      'a CSV without --label',
      () => ['audit', '--model', wineModel, '--data', path.join(ROOT, 'fixtures/data/wine.csv')],
      /--label/,
    ],
    ['an unknown option', () => ['audit', '--modle', 'x'], /Unknown argument: modle/],
    [
      'a bad NNAUDIT_BACKEND',
      () => ['audit', path.join(ROOT, 'fixtures/specs/healthy.json')],
      /NNAUDIT_BACKEND=gpu is not a backend/,
    ],
  ])('%s', async (name, args, message) => {
    const env: Record<string, string> = name === 'a bad NNAUDIT_BACKEND' ? { NNAUDIT_BACKEND: 'gpu' } : {};
    const r = await runCli([...args(), '-q'], { env });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
