/** Writes schema/*.schema.json from the zod schemas. A test fails when the checked-in files are stale. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactsJsonSchema, resultJsonSchema } from '../src/result/json-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(path.join(root, 'schema', 'result.schema.json'), `${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
writeFileSync(
  path.join(root, 'schema', 'artifacts.schema.json'),
  `${JSON.stringify(artifactsJsonSchema(), null, 2)}\n`,
);
process.stdout.write('wrote schema/result.schema.json, schema/artifacts.schema.json\n');
