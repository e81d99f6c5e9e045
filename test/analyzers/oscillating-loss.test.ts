import { describe, expect, it } from 'vitest';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const zigzag = (n: number, base: number, amp: number) =>
  Array.from({ length: n }, (_, i) => base * (1 + (i % 2 ? amp : -amp)));

describe('oscillating-loss', () => {
  it.each([
    { name: 'smooth decay', loss: decay(30, 1, 0.1), status: 'pass' },
    {
      name: 'noisy but falling (small wiggles on a trend)',
      loss: decay(30, 1, 0.1).map((v, i) => v * (1 + (i % 2 ? 0.02 : -0.02))),
      status: 'pass',
    },
    {
      name: 'zigzag of +-2.5% of ln 2 around a plateau',
      loss: zigzag(30, 0.6, (0.025 * Math.LN2) / 0.6),
      status: 'warn',
    },
    { name: 'zigzag of +-10% around a plateau', loss: zigzag(30, 0.6, 0.1), status: 'fail' },
    { name: 'small zigzag near convergence (0.05 +- 20%)', loss: zigzag(30, 0.05, 0.2), status: 'pass' },
    { name: 'flat plateau', loss: Array(30).fill(0.69), status: 'pass' },
  ])('$name -> $status', ({ loss, status }) => {
    const f = runOne('oscillating-loss', makeArtifacts({ history: history({ loss }) }));
    expect(f.status).toBe(status);
    if (status !== 'pass') expect(f.recommendation).toMatch(/Lower the learning rate/);
  });

  it('is not applicable to short or missing histories', () => {
    expect(runOne('oscillating-loss', makeArtifacts({ history: history({ loss: [1, 0.9, 1.1] }) })).status).toBe(
      'notApplicable',
    );
    expect(runOne('oscillating-loss', makeArtifacts()).status).toBe('notApplicable');
  });
});
