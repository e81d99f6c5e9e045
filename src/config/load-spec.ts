import path from 'node:path';
import YAML from 'yaml';
import { specSchema, type Spec, type SpecInput } from './spec-schema.js';
import { formatZodIssues } from '../util/zod-issues.js';
import { SpecError, UserInputError } from '../errors.js';
import { openFileSync } from '../policy/open-input.js';
import { currentPolicy } from '../policy/input-policy.js';
import { parseErrorText } from '../policy/redact.js';
import { validateAnalyzerSettings } from '../analyzers/settings.js';
import { validateGateConfig } from '../gate/gate.js';
import { checkSpecStructure } from './spec-structure.js';

/**
 * Bytes of a spec file: a spec is a page of fields (inline data included), and parsing a 500 MB one takes
 * gigabytes. NNAUDIT_MAX_SPEC_BYTES raises it; data belongs in a data file, which has its own cap.
 */
export const DEFAULT_MAX_SPEC_BYTES = 32 * 1024 * 1024;

/** YAML aliases a spec may use: the yaml library's guard against "billion laughs" expansion, made explicit. */
const MAX_YAML_ALIASES = 100;

function maxSpecBytes(): number {
  const v = Number(process.env['NNAUDIT_MAX_SPEC_BYTES']);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_SPEC_BYTES;
}

export interface LoadedSpec {
  spec: Spec;
  /** Relative paths in the spec resolve against this folder. */
  baseDir: string;
  file: string | null;
}

/** Reads a JSON or YAML spec file and validates it; errors name the file, field, value and expectation. */
export function loadSpecFile(file: string): LoadedSpec {
  let text: string;
  try {
    // Regular files only, size-capped: `nnaudit audit /dev/zero` must fail, not read forever.
    text = openFileSync(file, 'spec file', SpecError, {
      bytes: maxSpecBytes(),
      setting: 'NNAUDIT_MAX_SPEC_BYTES',
    }).toString('utf8');
  } catch (e) {
    if (e instanceof UserInputError) throw new SpecError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(
      code === 'ENOENT' ? `${file}: spec file not found` : `${file}: cannot read spec: ${(e as Error).message}`,
    );
  }
  let raw: unknown;
  const isYaml = /\.ya?ml$/i.test(file);
  try {
    raw = isYaml ? YAML.parse(text, { maxAliasCount: MAX_YAML_ALIASES }) : JSON.parse(text);
  } catch (e) {
    if (isYaml && /alias count/i.test((e as Error).message)) {
      throw new SpecError(
        `${file}: the YAML uses its aliases more than ${MAX_YAML_ALIASES} times (an alias bomb?); write the values out`,
      );
    }
    // A scheduled run reads its spec file in a worker, where a parser's message must not quote the file.
    const why = isYaml
      ? currentPolicy().redactContent
        ? 'not valid YAML'
        : `invalid YAML: ${firstLine((e as Error).message)}`
      : parseErrorText(e, 'JSON');
    throw new SpecError(`${file}: ${why}`);
  }
  return { spec: validateSpec(raw, file), baseDir: path.dirname(path.resolve(file)), file };
}

/** Validates a spec object (from a file, the CLI flags or the library API). */
export function validateSpec(raw: unknown, where = 'spec'): Spec {
  checkSpecStructure(raw, where);
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) throw new SpecError(`${where}: invalid spec:\n${formatZodIssues(parsed.error, raw)}`);
  validateAnalyzerSettings(parsed.data.analyzers, `${where}: analyzers`);
  validateGateConfig(parsed.data.gate, `${where}: gate.assertions`);
  return parsed.data;
}

export type { SpecInput };

/** The yaml library's message without its code frame (the file's own lines, under a caret): one line that names the place. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/:$/, '');
}
