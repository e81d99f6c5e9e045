import { describe, expect, it } from 'vitest';
import { encodingHint, encodingNote, requireColumnOrder } from '../../src/gather/model/categorical-fit.js';
import type { PendingCategorical } from '../../src/gather/data/dataset.js';

/** The churn CSV's two categorical columns, as the CSV reader leaves them (values in order of first appearance). */
const geography: PendingCategorical = {
  name: 'Geography',
  column: 9,
  values: ['France', 'Spain', 'Germany'],
  encode: 'one-hot',
};
const gender = (encode: PendingCategorical['encode']): PendingCategorical => ({
  name: 'Gender',
  column: 1,
  values: ['Female', 'Male'],
  encode,
});

describe('a saved model meets encoded categorical columns', () => {
  it.each([
    [
      'Gender one-hot gives 13 columns, ordinal 12',
      [geography, gender('one-hot')],
      13,
      12,
      /Gender one-hot makes 2 of them; as --categorical Gender:ordinal \(one column of codes\) they would be 12/,
    ],
    [
      'Gender ordinal gives 12, one-hot 13',
      [geography, gender('ordinal')],
      12,
      13,
      /Gender is one column of ordinal codes; one-hot \(--categorical Gender\) it would make 2 and the row 13/,
    ],
    ['no single switch fits', [geography, gender('ordinal')], 12, 20, null],
  ])('%s', (_name, pending, width, model, expected) => {
    const hint = encodingHint(pending, width, model);
    if (expected === null) expect(hint).toBeNull();
    else expect(hint).toMatch(expected);
  });

  it('one-hot columns without a column order are refused, naming --features and the order in the file', () => {
    const names = ['CreditScore', 'Geography', 'Gender', 'Age'];
    expect(() => requireColumnOrder([geography, gender('ordinal')], names, 'churn.csv')).toThrow(
      /churn\.csv: Geography is one-hot encoded.*--features \(data\.features in a spec\), e\.g\. --features CreditScore,Geography,Gender,Age as they stand/,
    );
    expect(() => requireColumnOrder([gender('ordinal')], names, 'churn.csv')).not.toThrow(); // ordinal codes stay in place
  });

  it('says which codes it used: categories sorted, as scikit-learn does', () => {
    expect(encodingNote([gender('ordinal'), geography])).toMatch(
      /Gender ordinal as Female=0, Male=1; Geography one-hot as 3 columns in the order France, Germany, Spain; if the model was trained with other codes/,
    );
    expect(encodingNote([])).toBeNull();
  });
});
