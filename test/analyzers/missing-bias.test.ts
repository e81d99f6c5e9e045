import { describe, expect, it } from 'vitest';
import { makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts, LayerInfo } from '../../src/artifacts/schema.js';

type L = [
  name: string,
  className: string,
  activation: string | null,
  bias: boolean | null | undefined,
  params?: number,
];

/** A sequential model from [name, class, activation, bias] rows (bias undefined: not recorded). */
function model(rows: L[]): Artifacts {
  const layers: LayerInfo[] = rows.map(([name, className, activation, bias, params], i) => ({
    name,
    className,
    activation,
    outputShape: [null, 4],
    params: params ?? (/Dense|Conv|BatchNormalization/.test(className) ? 10 : 0),
    inputs: i ? [rows[i - 1]![0]] : ['input'],
    units: 4,
    ...(bias === undefined ? {} : { bias }),
  }));
  return makeArtifacts({ model: { ...makeArtifacts().model, layers } });
}

describe('missing-bias', () => {
  it.each([
    {
      name: 'relu MLP with biases',
      rows: [
        ['d1', 'Dense', 'relu', true],
        ['d2', 'Dense', 'relu', true],
        ['out', 'Dense', 'sigmoid', true],
      ] as L[],
      status: 'pass',
      match: /3 of 3 layers with weights add a learned constant/,
    },
    {
      name: 'only the head without a bias',
      rows: [
        ['d1', 'Dense', 'relu', true],
        ['out', 'Dense', 'softmax', false],
      ] as L[],
      status: 'pass',
    },
    {
      name: 'every bias removed from a relu MLP (DeepCrime WRB)',
      rows: [
        ['d1', 'Dense', 'relu', false],
        ['d2', 'Dense', 'relu', false],
        ['out', 'Dense', 'sigmoid', false],
      ] as L[],
      status: 'fail',
      match: /none of the 3 layers with weights has a bias or offset.*pinned at probability 0.5/,
    },
    {
      name: 'a bias-free regression MLP with tanh',
      rows: [
        ['d1', 'Dense', 'tanh', false],
        ['out', 'Dense', 'linear', false],
      ] as L[],
      status: 'fail',
      match: /pinned at 0$/,
    },
    {
      name: 'bias-free convolutions before BatchNormalization (the usual pattern)',
      rows: [
        ['c', 'Conv2D', 'linear', false],
        ['bn', 'BatchNormalization', null, true],
        ['r', 'ReLU', 'relu', null],
        ['f', 'Flatten', null, null],
        ['out', 'Dense', 'softmax', false],
      ] as L[],
      status: 'pass',
    },
    {
      name: 'bias-free layers with a sigmoid hidden layer (a constant 0.5 at 0 acts as an offset)',
      rows: [
        ['d1', 'Dense', 'sigmoid', false],
        ['out', 'Dense', 'sigmoid', false],
      ] as L[],
      status: 'pass',
      match: /d1 \(sigmoid\) gives a constant at 0/,
    },
    {
      name: 'an unknown layer between bias-free layers (no false alarm)',
      rows: [
        ['d1', 'Dense', 'relu', false],
        ['x', 'MysteryLayer', null, null],
        ['out', 'Dense', 'softmax', false],
      ] as L[],
      status: 'pass',
    },
    {
      name: 'artifacts from before bias was recorded',
      rows: [
        ['d1', 'Dense', 'relu', undefined],
        ['out', 'Dense', 'sigmoid', undefined],
      ] as L[],
      status: 'notApplicable',
      match: /do not record which layers have a bias/,
    },
  ])('$name -> $status', ({ rows, status, match }) => {
    const f = runOne('missing-bias', model(rows));
    expect(f.status, f.displayValue).toBe(status);
    if (match) expect(f.displayValue).toMatch(match);
    if (status === 'fail') expect(f.recommendation).toMatch(/useBias: true/);
  });
});
