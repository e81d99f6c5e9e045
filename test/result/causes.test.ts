import { describe, expect, it } from 'vitest';
import { causesOf, deferToCauses, rankByCause, rootCausesOf } from '../../src/result/causes.js';
import type { Finding } from '../../src/result/schema.js';

const finding = (id: string, status: Finding['status'], recommendation: string | null = null): Finding => ({
  id,
  status,
  title: id,
  description: '',
  thresholds: {},
  score: null,
  numericValue: null,
  numericUnit: null,
  displayValue: `${id} measured`,
  evidence: [],
  recommendation,
  affectedLayers: [],
  errorMessage: null,
});

// The vanishing-gradients fixture as the old sort listed it: underfitting first because "u" < "v".
const vanishing = [
  finding('underfitting', 'fail', 'Add capacity (more units or layers with a non-linear activation), train longer.'),
  finding('vanishing-gradients', 'fail', 'Use relu with heNormal initialization.'),
  finding(
    'learning-rate',
    'warn',
    'Raise the learning rate (now sgd at learning rate 0.1) by about 10^2.4, or use Adam.',
  ),
  finding('overfitting', 'pass'),
  finding('dead-relu', 'notApplicable'),
];

describe('findings ranked by cause', () => {
  it('the vanishing cause comes before the underfitting and learning-rate symptoms it explains', () => {
    expect(rankByCause(vanishing).map((f) => f.id)).toEqual([
      'vanishing-gradients',
      'underfitting',
      'learning-rate',
      'overfitting',
      'dead-relu',
    ]);
  });

  it.each([
    ['a cause that passes explains nothing', [finding('underfitting', 'fail'), finding('dead-relu', 'pass')], []],
    [
      'a warned cause explains a failed symptom',
      [finding('underfitting', 'fail'), finding('dead-relu', 'warn')],
      ['dead-relu'],
    ],
    [
      'a not-applicable cause explains nothing',
      [finding('learning-rate', 'warn'), finding('vanishing-gradients', 'notApplicable')],
      [],
    ],
  ] as const)('%s', (_, findings, expected) => {
    expect(causesOf(findings[0]!, findings).map((f) => f.id)).toEqual(expected);
  });

  it('follows a chain to its root: unnormalized inputs saturate units, which starve the gradient', () => {
    const chain = [
      finding('vanishing-gradients', 'fail'),
      finding('saturated-activations', 'fail'),
      finding('unnormalized-inputs', 'fail'),
    ];
    expect(rootCausesOf(chain[0]!, chain).map((f) => f.id)).toEqual(['unnormalized-inputs']);
    expect(rankByCause(chain)[0]!.id).toBe('unnormalized-inputs');
  });
});

describe("a symptom's advice defers to its cause", () => {
  const advice = Object.fromEntries(deferToCauses(vanishing).map((f) => [f.id, f.recommendation]));

  it.each(['underfitting', 'learning-rate'])(
    '%s no longer says "add capacity" or "raise the learning rate" while gradients vanish',
    (id) => {
      expect(advice[id]).toMatch(/^Follows from vanishing-gradients: fix the vanishing gradients first/);
      expect(advice[id]).not.toMatch(/add capacity|raise the learning rate/i);
    },
  );

  it('the cause keeps its own advice, and a second pass changes nothing', () => {
    expect(advice['vanishing-gradients']).toBe('Use relu with heNormal initialization.');
    expect(deferToCauses(deferToCauses(vanishing))).toEqual(deferToCauses(vanishing));
  });

  it('without a held cause the symptom keeps its own remedy', () => {
    const alone = deferToCauses([
      finding('underfitting', 'fail', 'Add capacity.'),
      finding('vanishing-gradients', 'pass'),
    ]);
    expect(alone[0]!.recommendation).toBe('Add capacity.');
  });
});
