import { expect, it } from 'vitest';
import { benchDatasets, churnHeldOut } from '../../bench/faults-data.js';
import { describeWith } from '../helpers/requirements.js';

/**
 * The fault benchmark's bank-churn dataset: read by nnaudit's own CSV source (ids dropped, categoricals encoded),
 * split into two disjoint halves; part A is a benchmark dataset, part B (the lead's held-out data) is in no list.
 * Only row identity and sizes are checked on part B: nothing is trained or measured on it.
 */
describeWith(['shared'], 'fault benchmark: the churn dataset', () => {
  it('part A is the benchmark dataset `churn`: 5,000 rows of 12 features in raw units, about 20% churned', async () => {
    const { datasets } = await benchDatasets();
    const churn = datasets.find((d) => d.name === 'churn');
    expect(churn, datasets.map((d) => d.name).join(', ')).toBeDefined();
    expect(churn!.x).toHaveLength(5000);
    // 9 numeric columns (RowNumber, CustomerId, Surname and the label left out), Geography one-hot (3), Gender ordinal (1).
    for (const row of churn!.x) expect(row).toHaveLength(12);
    expect(churn!.classes).toBe(2);
    expect(churn!.rawScale).toBeGreaterThan(1e5);
    const positive = churn!.y.filter((v) => v === 1).length / churn!.y.length;
    expect(positive).toBeGreaterThan(0.15);
    expect(positive).toBeLessThan(0.25);
    expect(datasets.some((d) => d.name === 'churn-b')).toBe(false);
  });

  it('part B, `churn-b`, holds the other 5,000 rows, none of them in part A', async () => {
    const { datasets } = await benchDatasets();
    const a = datasets.find((d) => d.name === 'churn')!;
    const b = await churnHeldOut();
    expect(b?.name).toBe('churn-b');
    expect(b!.x).toHaveLength(5000);
    // A customer's 12 features (balance and salary to the cent) identify the row: no row of A may appear in B.
    const inA = new Set(a.x.map((r) => r.join(',')));
    expect(inA.size).toBe(5000);
    expect(b!.x.filter((r) => inA.has(r.join(','))).length).toBe(0);
  });
});
