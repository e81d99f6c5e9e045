import { describe, expect, it } from 'vitest';
import {
  fitNeighbours,
  leaveOneOutVotes,
  NEIGHBOURS,
  voteFromValidation,
} from '../../src/gather/reference/neighbour-fit.js';
import type { Dataset } from '../../src/gather/data/dataset.js';

/** A classification dataset from rows and class ids. */
function data(x: number[][], y: number[], over: Partial<Dataset> = {}): Dataset {
  const d = x[0]?.length ?? 1;
  return {
    x: Float32Array.from(x.flat()),
    y: Float32Array.from(y),
    featureShape: [d],
    featureNames: Array.from({ length: d }, (_, i) => `f${i}`),
    task: 'classification',
    numClasses: Math.max(...y) + 1,
    source: 'test',
    ...over,
  };
}

/** Two tight clusters of 12 rows on a line: class 0 near 0, class 1 near 10. */
function clusters(): { x: number[][]; y: number[] } {
  const x = [
    ...Array.from({ length: 12 }, (_, i) => [i * 0.1]),
    ...Array.from({ length: 12 }, (_, i) => [10 + i * 0.1]),
  ];
  return { x, y: [...Array<number>(12).fill(0), ...Array<number>(12).fill(1)] };
}

describe('neighbour vote (leave-one-out)', () => {
  it("answers each row with its cluster's class, and a row labelled against its cluster gets the cluster's class, not its own", () => {
    const { x, y } = clusters();
    y[3] = 1; // a wrong label inside cluster 0
    const s = { x: Float64Array.from(x.flat()), n: x.length, d: 1 };
    const votes = Array.from(leaveOneOutVotes(s, y));
    expect(votes).toEqual([...Array<number>(12).fill(0), ...Array<number>(12).fill(1)]);
  });

  it("leaves each row out of its own vote: a lone row of its own class is answered with its neighbours' class", () => {
    const x = [[0], [0.1], [0.2], [0.3], [0.4], [0.5]];
    const s = { x: Float64Array.from(x.flat()), n: 6, d: 1 };
    expect(leaveOneOutVotes(s, [0, 0, 0, 1, 0, 0])[3]).toBe(0);
  });

  it('breaks a tie in favour of the class whose member is nearest', () => {
    // k = 2: row 0's neighbours are row 1 (class 1, distance 1) and row 2 (class 2, distance 2).
    const s = { x: Float64Array.from([0, 1, 3, 20]), n: 4, d: 1 };
    expect(leaveOneOutVotes(s, [0, 1, 2, 0], 2)[0]).toBe(1);
  });

  it("pairs the vote with the network row by row (McNemar's discordant counts)", () => {
    const { x, y } = clusters();
    // The network gets the first 4 rows of each cluster wrong; the vote gets every row right.
    const networkCorrect = y.map((_, i) => (i % 12 < 4 ? 0 : 1));
    const fit = fitNeighbours(data(x, y), networkCorrect);
    expect(fit).toMatchObject({
      k: NEIGHBOURS,
      rows: 24,
      features: 1,
      accuracy: 1,
      networkAccuracy: 16 / 24,
      neighbourOnly: 8,
      networkOnly: 0,
      skipped: null,
    });
  });

  it('skips what it cannot judge, and says why', () => {
    const { x, y } = clusters();
    const ones = y.map(() => 1);
    expect(fitNeighbours(data(x, y, { task: 'regression', numClasses: 0 }), ones).skipped).toMatch(
      /^regression targets/,
    );
    expect(fitNeighbours(data(x, y, { multiLabel: true }), ones).skipped).toMatch(/^multi-label/);
    expect(fitNeighbours(data(x.slice(0, 10), y.slice(0, 10)), ones.slice(0, 10)).skipped).toMatch(
      /^10 rows are too few/,
    );
    const wide = data(
      Array.from({ length: 30 }, () => Array<number>(1025).fill(0)),
      Array.from({ length: 30 }, (_, i) => i % 2),
    );
    expect(fitNeighbours(wide, Array<number>(30).fill(1)).skipped).toMatch(/^1025 features/);
  });

  it('caps the rows so that rows^2 x features stays within its budget (784-pixel images: about 600 rows)', () => {
    const n = 700;
    const images = data(
      Array.from({ length: n }, (_, i) => Array.from({ length: 784 }, (_, j) => ((i * 7 + j) % 13) / 13)),
      Array.from({ length: n }, (_, i) => i % 2),
    );
    const fit = fitNeighbours(images, Array<number>(n).fill(1));
    expect(fit.skipped).toBeNull();
    expect(fit.rows).toBe(Math.floor(Math.sqrt(3e8 / 784)));
  });
});

describe('the vote computed four rows at a time', () => {
  /** The vote as first written: one reference row at a time, its squared distance summed feature by feature. */
  function plainVotes(x: Float64Array, n: number, d: number, y: ArrayLike<number>, k: number): Int32Array {
    const answer = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const near: Array<{ dist: number; label: number }> = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let sum = 0;
        for (let c = 0; c < d; c++) {
          const diff = x[i * d + c]! - x[j * d + c]!;
          sum += diff * diff;
        }
        // Stable: among equal distances the earlier row stays first, as the vote keeps them.
        const at = near.findIndex((e) => e.dist > sum);
        near.splice(at < 0 ? near.length : at, 0, { dist: sum, label: y[j]! });
        near.length = Math.min(near.length, k);
      }
      const votes = new Map<number, number>();
      for (const e of near) votes.set(e.label, (votes.get(e.label) ?? 0) + 1);
      const most = Math.max(...votes.values());
      answer[i] = near.find((e) => votes.get(e.label) === most)!.label;
    }
    return answer;
  }

  it.each([5, 6, 7, 8, 31, 64, 101])('gives the same votes as one row at a time (%i rows, ties included)', (n) => {
    const d = 9;
    let seed = n;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    // Coarse values (a third of them on a grid of 0.5) make equal distances common: the tie rules must agree too.
    const x = Float64Array.from({ length: n * d }, (_, i) => (i % 3 === 0 ? Math.round(next() * 4) / 2 : next()));
    const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    expect(Array.from(leaveOneOutVotes({ x, n, d }, y))).toEqual(Array.from(plainVotes(x, n, d, y, NEIGHBOURS)));
  });
});

describe("the validation rows' vote on the training labels", () => {
  /** Two clusters on a line, class 0 near 0 and class 1 near 10: `n` rows each, every `every`-th row of each cluster given the other class. */
  function split(n: number, every: number): Dataset {
    const x = [
      ...Array.from({ length: n }, (_, i) => [i * 0.01]),
      ...Array.from({ length: n }, (_, i) => [10 + i * 0.01]),
    ];
    const y = x.map(([v], i) => {
      const c = v! < 5 ? 0 : 1;
      return every > 0 && (i % n) % every === 0 ? 1 - c : c;
    });
    return data(x, y, { numClasses: 2 });
  }

  it('agrees with every label of clean splits, on both sides', () => {
    const v = voteFromValidation(split(40, 0), split(12, 0));
    expect(v).toMatchObject({
      k: NEIGHBOURS,
      features: 1,
      trainCounts: [40, 40],
      trainAgree: [40, 40],
      validationCounts: [12, 12],
      validationAgree: [12, 12],
      skipped: null,
    });
  });

  it('disagrees with the training labels changed after the split, whatever a network memorized: the clean validation rows vote', () => {
    // Every 4th training row (10 of 40 per cluster) carries the other cluster's class; the validation rows are clean.
    const v = voteFromValidation(split(40, 4), split(12, 0));
    // Class 0's training rows: the 30 right ones near 0 and the 10 relabelled rows near 10; the vote agrees with the 30.
    expect(v.trainCounts).toEqual([40, 40]);
    expect(v.trainAgree).toEqual([30, 30]);
    expect(v.validationAgree).toEqual([12, 12]);
  });

  it('skips what it cannot judge, and says why', () => {
    expect(voteFromValidation(split(40, 0), split(8, 0)).skipped).toMatch(/^16 validation rows are too few/);
    const t = split(40, 0);
    expect(voteFromValidation({ ...t, task: 'regression', numClasses: 0 }, split(12, 0)).skipped).toMatch(
      /^regression targets/,
    );
  });
});
