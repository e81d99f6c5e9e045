import { describe, expect, it } from 'vitest';
import { redactPath, redactPaths } from '../../src/policy/redact.js';

describe('redactPaths: local paths in output text become base names', () => {
  it.each([
    ['(baseline: --baseline /tmp/nightly-7q/run2/result.json, run 35)', '(baseline: --baseline result.json, run 35)'],
    ['data from json:/home/ann/acme/wine.json.', 'data from json:wine.json.'],
    ['C:\\Users\\ann\\fashion\\png and ../../runs/monday/out', 'png and out'],
    ['~/models/m.h5; file:///home/ann/w/model.json', 'm.h5; model.json'],
    ['see https://u:pw@models.example.com/m/model.json?token=s3cret', 'see https://models.example.com/m/model.json'],
  ])('%s', (text, shown) => expect(redactPaths(text)).toBe(shown));

  it('keeps names that are not local paths: layer scopes, ratios, project-relative files', () => {
    const text = 'dense_1/kernel at 1/s; train/validation gap; data/iris.csv; ./specs/a.yaml';
    expect(redactPaths(text)).toBe(text);
    expect(redactPath('data/iris.csv')).toBe('data/iris.csv');
    expect(redactPath('/')).toBe('…');
  });
});
