import type { CategoricalColumn } from '../../config/spec-schema.js';
import { DataError } from '../../errors.js';
import type { Dataset, PendingCategorical } from './dataset.js';
import { encodeLabels, encodeTargetColumns, type LabelKind, type Task } from './labels.js';
import type { SourceContext } from './sources/source.js';
import { quoteInput, showInput } from '../../policy/redact.js';

export interface TableOptions {
  label: string | string[];
  labelKind: LabelKind;
  features?: string[] | undefined;
  exclude?: string[] | undefined;
  categorical?: CategoricalColumn[] | undefined;
  shape?: number[] | undefined;
  task?: Task;
  maxRows: number;
}

/**
 * Rows of named columns (CSV lines, JSON records) -> a Dataset. Rows arrive one at a time (streamed), feature
 * values go straight into a growing Float32Array, and the feature width is checked against the model as soon as
 * the header is known, before any row is read.
 */
export async function readTable(
  where: string,
  header: string[],
  rows: AsyncIterable<string[]> | Iterable<string[]>,
  o: TableOptions,
  ctx: SourceContext,
  source: string,
): Promise<Dataset> {
  const col = (name: string, role: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new DataError(`${where}: no ${role} column "${name}"; columns are: ${showInput(header.join(', '))}`);
    return i;
  };
  const labels = Array.isArray(o.label) ? o.label : [o.label];
  const labelIdx = labels.map((l) => col(l, 'label'));
  (o.exclude ?? []).forEach((e) => col(e, 'excluded'));
  const skip = new Set([...labels, ...(o.exclude ?? [])]);
  const featureNames = o.features ?? header.filter((h) => !skip.has(h));
  if (featureNames.length === 0)
    throw new DataError(`${where}: no feature columns left after the label and excluded columns`);
  const featureIdx = featureNames.map((n) => col(n, 'feature'));
  const cats = new Map(
    (o.categorical ?? []).map((c) => (typeof c === 'string' ? [c, 'one-hot' as const] : [c.column, c.encode])),
  );
  for (const name of cats.keys()) {
    if (!featureNames.includes(name))
      throw new DataError(
        `${where}: categorical column "${name}" is not among the feature columns (${showInput(featureNames.join(', '))})`,
      );
  }
  const width = featureIdx.length;
  const featureShape = o.shape ?? [width];
  if (o.shape) {
    const n = o.shape.reduce((a, b) => a * b, 1);
    if (cats.size > 0)
      throw new DataError(
        `${where}: data.shape and data.categorical cannot be combined (one-hot columns change the row width)`,
      );
    if (n !== width)
      throw new DataError(
        `${where}: data.shape [${o.shape.join(', ')}] holds ${n} values but each row has ${width} feature columns`,
      );
  }
  // The column names let the user see which to drop (ids) or encode; showInput hides them where input is untrusted.
  if (cats.size === 0) {
    const ids = featureNames.filter(looksLikeId);
    const idNote = ids.length
      ? `; ${showInput(ids.join(', '))} look${ids.length === 1 ? 's' : ''} like an id or a name, not a feature`
      : '';
    ctx.checkShape(featureShape, where, `${width} feature columns: ${showInput(featureNames.join(', '))}${idNote}`);
  }

  const pending: PendingCategorical[] = featureNames.flatMap((name, j) => {
    const encode = cats.get(name);
    return encode ? [{ name, column: j, values: [], encode }] : [];
  });
  const pendingAt = featureNames.map((_, j) => pending.findIndex((q) => q.column === j));
  const codes = pending.map((p) => new Map<string, number>(p.values.map((v, i) => [v, i])));
  let x = new Float32Array(1024 * width);
  const rawLabels: string[][] = labels.map(() => []);
  let r = 0;
  for await (const row of rows) {
    if (r >= o.maxRows)
      throw new DataError(`${where}: more than ${o.maxRows} rows; raise data.maxRows (or sample the file) to read it`);
    if ((r + 1) * width > x.length) {
      const bigger = new Float32Array(x.length * 2);
      bigger.set(x);
      x = bigger;
    }
    featureIdx.forEach((c, j) => {
      const p = pendingAt[j]!;
      if (p >= 0) {
        const cell = row[c] ?? '';
        const map = codes[p]!;
        let code = map.get(cell);
        if (code === undefined) {
          code = map.size;
          map.set(cell, code);
          pending[p]!.values.push(cell);
        }
        x[r * width + j] = code;
      } else {
        const cell = row[c];
        // Text is a column to encode or leave out; an empty or NaN cell is a missing value, quoted as before.
        if (isText(cell))
          throw notNumeric(
            where,
            r + 2,
            featureIdx.filter((fc, k) => pendingAt[k]! < 0 && isText(row[fc])).map((fc) => header[fc]!),
          );
        x[r * width + j] = parseNumber(cell, where, r + 2, header[c]!);
      }
    });
    labelIdx.forEach((c, k) => rawLabels[k]!.push(row[c] ?? ''));
    r++;
  }
  if (r === 0) throw new DataError(`${where}: needs a header row and at least one data row`);
  const targets =
    labels.length === 1
      ? encodeLabels(rawLabels[0]!, o.task, where, labels[0]!)
      : encodeTargetColumns(
          multiColumn(rawLabels, labels, where),
          labels.length,
          labels,
          o.task === 'regression' ? 'targets' : o.labelKind,
          where,
          'data.label',
        );
  return {
    ...targets,
    x: x.slice(0, r * width),
    featureShape,
    featureNames,
    source,
    ...(pending.length ? { categorical: pending } : {}),
  };
}

function multiColumn(raw: string[][], names: string[], where: string): Float32Array {
  const rows = raw[0]!.length;
  const k = raw.length;
  const out = new Float32Array(rows * k);
  for (let c = 0; c < k; c++)
    for (let r = 0; r < rows; r++) out[r * k + c] = parseNumber(raw[c]![r], where, r + 2, names[c]!);
  return out;
}

/** Column names that usually hold a row's identity (RowNumber, CustomerId, customer_id, Surname, pandas' "Unnamed: 0"). */
function looksLikeId(name: string): boolean {
  return /^(id|index|unnamed: ?\d+)$|_id$|^row_?(number|num|id|index)$|name$/i.test(name) || /[a-z]Id$|ID$/.test(name);
}

/** A cell that is neither a number nor a spelling of a missing or infinite value (NaN, NA, null, inf). */
function isText(cell: string | undefined): boolean {
  if (cell === undefined) return false;
  const t = cell.trim();
  return t !== '' && Number.isNaN(Number(t)) && !/^(nan|na|n\/a|null|none|[+-]?inf(inity)?)$/i.test(t);
}

function numberOrNaN(cell: string | undefined): number {
  const v = cell === undefined || cell.trim() === '' ? NaN : Number(cell);
  return Number.isFinite(v) ? v : NaN;
}

function parseNumber(cell: string | undefined, where: string, line: number, column: string): number {
  const v = numberOrNaN(cell);
  if (Number.isNaN(v)) {
    throw new DataError(
      `${where}:${line}: column "${column}" is ${quoteInput(cell ?? '')}, expected a finite number ` +
        '(clean or impute the data first, or list the column in data.categorical or data.exclude)',
    );
  }
  return v;
}

/**
 * A feature cell that is not a number: names every such column of that line, so one run shows all of them, and the
 * two fixes (leave out an id or a name, encode a category). The cells themselves are not quoted: a line of a
 * customer table is personal data, and the column name is what the user acts on.
 */
function notNumeric(where: string, line: number, columns: string[]): DataError {
  const list = (names: string[]) => names.map((n) => `"${showInput(n)}"`).join(', ');
  const ids = columns.filter(looksLikeId);
  const others = columns.filter((c) => !looksLikeId(c));
  const which = columns.length === 1 ? `column ${list(columns)} is` : `columns ${list(columns)} are`;
  // Short enough to read in one line (the bad-input table caps messages at 500 characters): the fixes, not a lecture.
  const idAdvice = ids.length
    ? `${list(ids)} look${ids.length === 1 ? 's' : ''} like an id or a name: leave ${ids.length === 1 ? 'it' : 'them'} out with --features ` +
      `(the model's columns, in its order) or --exclude ${showInput(ids.join(','))}. `
    : '';
  const cat = others[0] !== undefined ? showInput(others[0]) : 'NAME';
  const catAdvice =
    `A category: --categorical ${cat} (one-hot) or ${cat}:ordinal` +
    (ids.length ? '. ' : '; an id or name (Surname, CustomerId): leave it out with --features or --exclude. ');
  return new DataError(
    `${where}:${line}: ${which} not numeric (text, empty or not finite). ${idAdvice}${catAdvice}` +
      '(spec: data.categorical, data.features, data.exclude.) Missing values: clean or impute them first',
  );
}
