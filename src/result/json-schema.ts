import { z } from 'zod';
import { resultSchema, SCHEMA_VERSION } from './schema.js';
import { artifactsSchema, ARTIFACTS_VERSION } from '../artifacts/schema.js';

/** JSON Schemas (draft 2020-12) generated from the zod schemas the code validates with: one source of truth. */
export function resultJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:nnaudit:schema:result:v${SCHEMA_VERSION}`,
    title: `nnaudit result, schemaVersion ${SCHEMA_VERSION}`,
    ...z.toJSONSchema(resultSchema, { io: 'output', unrepresentable: 'any' }),
  };
}

export function artifactsJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:nnaudit:schema:artifacts:v${ARTIFACTS_VERSION}`,
    title: `nnaudit artifacts, artifactsVersion ${ARTIFACTS_VERSION}`,
    ...z.toJSONSchema(artifactsSchema, { io: 'output', unrepresentable: 'any' }),
  };
}
