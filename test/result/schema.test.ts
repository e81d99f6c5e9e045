import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactsJsonSchema, resultJsonSchema } from '../../src/result/json-schema.js';
import { upgradeResult } from '../../src/result/upgrade.js';

const checkedIn = (name: string) =>
  JSON.parse(readFileSync(path.resolve(__dirname, `../../schema/${name}.schema.json`), 'utf8')) as unknown;

describe('published JSON Schemas', () => {
  it('match the zod schemas (run `npm run schemas` after changing a schema)', () => {
    expect(checkedIn('result')).toEqual(JSON.parse(JSON.stringify(resultJsonSchema())));
    expect(checkedIn('artifacts')).toEqual(JSON.parse(JSON.stringify(artifactsJsonSchema())));
  });
});

describe('upgradeResult', () => {
  it('refuses a result from a newer nnaudit and a non-result, with a clear reason', () => {
    expect(() => upgradeResult({ schemaVersion: 99 }, 'r.json')).toThrow(/r.json: schemaVersion 99 is newer/);
    expect(() => upgradeResult({ hello: 1 }, 'r.json')).toThrow(/not an nnaudit result/);
    expect(() => upgradeResult({ schemaVersion: 1, tool: {} }, 'r.json')).toThrow(
      /r.json: does not match the result schema:\n {2}- tool.name/,
    );
  });
});
