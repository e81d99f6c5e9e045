import { resultSchema, SCHEMA_VERSION, type AuditResult } from './schema.js';
import { ArtifactError } from '../errors.js';
import { formatZodIssues } from '../util/zod-issues.js';

/**
 * Brings a result of any published schemaVersion up to the current one. Old results are upgraded,
 * never rejected; a result from a newer nnaudit is refused with a clear message.
 */
export function upgradeResult(raw: unknown, where = 'result.json'): AuditResult {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== 'number')
    throw new ArtifactError(`${where}: not an nnaudit result (no numeric "schemaVersion")`);
  if (version > SCHEMA_VERSION) {
    throw new ArtifactError(
      `${where}: schemaVersion ${version} is newer than this nnaudit understands (${SCHEMA_VERSION}); upgrade nnaudit`,
    );
  }
  // Version 1 is the first published version: no upgrade steps yet. Add `if (version < N) raw = stepN(raw)` here.
  const parsed = resultSchema.safeParse(raw);
  if (!parsed.success)
    throw new ArtifactError(`${where}: does not match the result schema:\n${formatZodIssues(parsed.error, raw)}`);
  return parsed.data;
}
