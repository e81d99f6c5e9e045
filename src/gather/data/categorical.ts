import { DataError } from '../../errors.js';
import { quoteInput, showInput } from '../../policy/redact.js';
import { type Dataset, type PendingCategorical, rowCount, rowWidth } from './dataset.js';

/**
 * Replaces categorical code columns: one-hot (one 0/1 column per category) or ordinal (0..k-1), with the
 * categories seen in the training split, sorted (as scikit-learn's OneHotEncoder and LabelEncoder do). A category
 * that appears only in validation rows is an error naming it: the model would see an all-zero column it never
 * learned from.
 */
export function encodeCategoricals(train: Dataset, validation: Dataset | null): [Dataset, Dataset | null] {
  const pending = train.categorical ?? [];
  const categories = pending.map((p) => {
    const seen = new Set<number>();
    const w = rowWidth(train);
    for (let r = 0; r < rowCount(train); r++) seen.add(train.x[r * w + p.column]!);
    return [...seen].map((code) => p.values[code]!).sort();
  });
  return [expand(train, pending, categories), validation ? expand(validation, pending, categories) : null];
}

function expand(d: Dataset, pending: PendingCategorical[], categories: string[][]): Dataset {
  const w = rowWidth(d);
  const n = rowCount(d);
  const byColumn = new Map(
    pending.map((p, i) => [p.column, { p, index: new Map(categories[i]!.map((c, k) => [c, k])) }]),
  );
  const names: string[] = [];
  d.featureNames.forEach((name, j) => {
    const cat = byColumn.get(j);
    if (!cat || cat.p.encode === 'ordinal') names.push(name);
    else for (const c of cat.index.keys()) names.push(`${name}=${c}`);
  });
  const out = new Float32Array(n * names.length);
  for (let r = 0; r < n; r++) {
    let o = r * names.length;
    for (let j = 0; j < w; j++) {
      const v = d.x[r * w + j]!;
      const cat = byColumn.get(j);
      if (!cat) {
        out[o++] = v;
        continue;
      }
      const value = cat.p.values[v]!;
      const k = cat.index.get(value);
      if (k === undefined) {
        // The values are the file's text: quoted on the CLI (shortened), counted under a worker (see redact.ts).
        throw new DataError(
          `${d.source}: column "${cat.p.name}" has the category ${quoteInput(value)} in the validation rows but not in the ` +
            `training rows (categories: ${showInput([...cat.index.keys()].join(', '))}); the model cannot learn it: fix the value, or drop those rows`,
        );
      }
      if (cat.p.encode === 'ordinal') out[o++] = k;
      else {
        for (let c = 0; c < cat.index.size; c++) out[o + c] = c === k ? 1 : 0;
        o += cat.index.size;
      }
    }
  }
  const { categorical: _done, ...rest } = d;
  return { ...rest, x: out, featureShape: [names.length], featureNames: names };
}
