import { openFileSync } from '../../../policy/open-input.js';
import { parseErrorText, quoteInput } from '../../../policy/redact.js';
import path from 'node:path';
import { DataError } from '../../../errors.js';
import type { Dataset } from '../dataset.js';
import { encodeLabels, encodeTargetColumns, type LabelKind, type Task } from '../labels.js';
import { readTable } from '../tabular.js';
import { defineSource, type SourceContext, type SpecOf } from './source.js';

type JsonSpec = SpecOf<'json'>;

/**
 * JSON: `{ "x": [[...], ...], "y": [...] }` (y may hold arrays: several targets), from a file or inline; or a file
 * holding an array of records (objects), read like CSV rows with `label`, `categorical`, `exclude`...
 */
export default defineSource({
  key: 'json',
  detect: (file, isDir) => !isDir && /\.json$/i.test(file),
  async open(spec, ctx) {
    const file = typeof spec.json === 'string' ? path.resolve(ctx.baseDir, spec.json) : null;
    const where = file ?? 'data.json';
    const obj: unknown = file ? parseFile(file) : spec.json;
    if (Array.isArray(obj)) return readRecords(obj, where, spec, ctx);
    return readArrays(obj, where, spec.task, spec.labelKind, file ? `json:${file}` : 'json:inline', ctx);
  },
});

function parseFile(file: string): unknown {
  const text = openFileSync(file, 'data file', DataError).toString('utf8'); // the policy chokepoint
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: ${parseErrorText(e, 'JSON')}`);
  }
}

async function readRecords(records: unknown[], where: string, spec: JsonSpec, ctx: SourceContext): Promise<Dataset> {
  if (spec.label === undefined)
    throw new DataError(`${where}: an array of records needs data.label (the label column or columns)`);
  const first = records[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first))
    throw new DataError(`${where}: expected an array of objects (records), one per row`);
  const header = Object.keys(first);
  const rows = records.map((rec, i) => {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
      throw new DataError(`${where}: record ${i} is not an object`);
    const o = rec as Record<string, unknown>;
    return header.map((h, c) => {
      const v = o[h];
      // String({}) is "[object Object]": one silent class for every row. A cell is a number, string or boolean.
      if (v !== null && typeof v === 'object')
        throw new DataError(
          `${where}: record ${i}, field ${c + 1} holds ${Array.isArray(v) ? 'an array' : 'an object'}; each field must be a number, string or boolean`,
        );
      return v === undefined || v === null ? '' : String(v);
    });
  });
  return readTable(where, header, rows, { ...spec, label: spec.label }, ctx, `json:${where}`);
}

export function readArrays(
  obj: unknown,
  where: string,
  task: Task,
  labelKind: LabelKind,
  source: string,
  ctx?: SourceContext,
): Dataset {
  const o = (obj ?? {}) as { x?: unknown; y?: unknown };
  if (!Array.isArray(o.x) || !Array.isArray(o.y))
    throw new DataError(`${where}: expected an object with arrays "x" (rows) and "y" (labels), or an array of records`);
  if (o.x.length !== o.y.length) throw new DataError(`${where}: x has ${o.x.length} rows but y has ${o.y.length}`);
  const first = o.x[0];
  const width = Array.isArray(first) ? first.length : 0;
  if (width === 0) throw new DataError(`${where}: x[0] must be a non-empty array of numbers`);
  ctx?.checkShape([width], where, `${width} values per row`);
  const x = new Float32Array(o.x.length * width);
  o.x.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row) || row.length !== width)
      throw new DataError(`${where}: x[${r}] has ${Array.isArray(row) ? row.length : 'no'} values, expected ${width}`);
    row.forEach((v: unknown, c: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new DataError(`${where}: x[${r}][${c}] is ${describeValue(v)}, expected a finite number`);
      x[r * width + c] = v;
    });
  });
  const ys = o.y as unknown[];
  const k = Array.isArray(ys[0]) ? ys[0].length : 0;
  let targets;
  if (k > 0) {
    const y = new Float32Array(ys.length * k);
    ys.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== k)
        throw new DataError(`${where}: y[${r}] has ${Array.isArray(row) ? row.length : 'no'} values, expected ${k}`);
      row.forEach((v: unknown, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new DataError(`${where}: y[${r}][${c}] is ${describeValue(v)}, expected a finite number`);
        y[r * k + c] = v;
      });
    });
    targets = encodeTargetColumns(
      y,
      k,
      Array.from({ length: k }, (_, i) => `y${i}`),
      task === 'regression' ? 'targets' : labelKind,
      where,
      'y columns',
    );
  } else {
    const bad = ys.findIndex((v) => v === null || typeof v === 'object');
    if (bad >= 0)
      throw new DataError(
        `${where}: y[${bad}] is ${ys[bad] === null ? 'null' : 'an object'}; each label must be a number or string (or every y an array of numbers)`,
      );
    targets = encodeLabels(
      ys.map((v) => String(v)),
      task,
      where,
      'y',
    );
  }
  return {
    ...targets,
    x,
    featureShape: [width],
    featureNames: Array.from({ length: width }, (_, i) => `x${i}`),
    source,
  };
}

/** A bad value for a message: a string quoted as redact.ts allows (shortened; hidden under a worker), else its kind. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return quoteInput(v);
  if (typeof v === 'number') return String(v); // NaN, Infinity
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}
