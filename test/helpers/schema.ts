import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** Validates against the published JSON Schema file (not the zod schema): what a user of the file gets. */
export function publishedValidator(name: 'result' | 'artifacts'): (doc: unknown) => string | null {
  const schema = JSON.parse(
    readFileSync(path.resolve(__dirname, `../../schema/${name}.schema.json`), 'utf8'),
  ) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? null : ajv.errorsText(validate.errors));
}
