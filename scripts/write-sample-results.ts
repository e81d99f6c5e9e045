/**
 * Regenerates fixtures/results/: one result.json per fixture spec plus a loaded model without history.
 * The report tests render these (renderers read only results), so they need no training to run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { audit } from '../src/audit/audit.js';
import { fixtureExpectations, fixtureSpecPath, fixturesDir } from '../src/cli/fixtures.js';

const dir = path.join(fixturesDir(), 'results');
mkdirSync(dir, { recursive: true });
const write = (name: string, value: unknown) =>
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(value)}\n`);
for (const name of Object.keys(fixtureExpectations())) write(name, await audit(fixtureSpecPath(name)));
write(
  'wine-loaded',
  await audit({
    name: 'wine-loaded',
    model: { load: { path: path.join(fixturesDir(), 'models', 'wine-mlp', 'model.json') } },
    data: { json: path.join(fixturesDir(), 'data', 'wine-standardized.json') },
  }),
);
process.stdout.write(`wrote ${dir}\n`);
