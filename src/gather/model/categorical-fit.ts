import { DataError } from '../../errors.js';
import type { PendingCategorical } from '../data/dataset.js';
import { showInput } from '../../policy/redact.js';

/**
 * How a saved model meets encoded categorical columns. A model file records its input width, not which column is
 * which: a one-hot block in the wrong place, or codes in another order, still fits the shape and gives a believable
 * but wrong verdict (the churn model at accuracy 0.74 instead of 0.87). So nnaudit says what a different encoding
 * would fit, asks for the column order when it would otherwise guess it, and states the codes it used.
 */

const flagFor = (p: PendingCategorical, encode: PendingCategorical['encode']) =>
  `${showInput(p.name)}${encode === 'ordinal' ? ':ordinal' : ''}`;

/**
 * A width mismatch that one column's other encoding fixes: "Gender one-hot gives 13 columns; --categorical
 * ...,Gender:ordinal gives 12". Null when no single switch matches.
 */
export function encodingHint(pending: readonly PendingCategorical[], width: number, modelWidth: number): string | null {
  const fixes: string[] = [];
  for (const p of pending) {
    const k = p.values.length;
    const other = p.encode === 'one-hot' ? width - (k - 1) : width + (k - 1);
    if (k > 1 && other === modelWidth) {
      const name = showInput(p.name);
      fixes.push(
        p.encode === 'one-hot'
          ? `${name} one-hot makes ${k} of them; as --categorical ${flagFor(p, 'ordinal')} (one column of codes) they would be ${modelWidth}`
          : `${name} is one column of ordinal codes; one-hot (--categorical ${flagFor(p, 'one-hot')}) it would make ${k} and the row ${modelWidth}`,
      );
    }
  }
  return fixes.length ? fixes.join('; ') : null;
}

/**
 * Refuses to guess where a saved model expects one-hot columns: without data.features they land where the column
 * stands in the file, while scikit-learn's ColumnTransformer puts them first and many apps append them last.
 */
export function requireColumnOrder(
  pending: readonly PendingCategorical[],
  featureNames: readonly string[],
  where: string,
): void {
  const oneHot = pending.filter((p) => p.encode === 'one-hot');
  if (oneHot.length === 0) return;
  const names = oneHot.map((p) => showInput(p.name));
  throw new DataError(
    `${where}: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} one-hot encoded, and a saved model takes its columns in the ` +
      "order it was trained with, which its file does not record (scikit-learn's ColumnTransformer puts one-hot columns first, " +
      'many apps append them last): list the feature columns in that order with --features (data.features in a spec), ' +
      `e.g. --features ${showInput(featureNames.join(','))} as they stand in the file`,
  );
}

/** The codes used for each encoded column, for the run's warnings (sorted categories, as scikit-learn's encoders). */
export function encodingNote(pending: readonly PendingCategorical[]): string | null {
  if (pending.length === 0) return null;
  const parts = pending.map((p) => {
    const cats = [...p.values].sort();
    return p.encode === 'ordinal'
      ? `${showInput(p.name)} ordinal as ${showInput(cats.map((c, i) => `${c}=${i}`).join(', '))}`
      : `${showInput(p.name)} one-hot as ${cats.length} columns in the order ${showInput(cats.join(', '))}`;
  });
  return (
    `categorical columns encoded with their categories sorted (as scikit-learn's LabelEncoder and OneHotEncoder do): ${parts.join('; ')}; ` +
    'if the model was trained with other codes, its accuracy here is wrong'
  );
}
