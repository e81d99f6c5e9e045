import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/artifacts/read-history.js';
import { lightningColumn } from '../../src/artifacts/history/lightning.js';
import { DataError } from '../../src/errors.js';
import { OPEN_POLICY, runWithPolicy } from '../../src/policy/input-policy.js';
import { ROOT } from '../helpers/cli.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-history-'));
const file = (name: string, text: string): string => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
const fixture = (name: string): string => path.join(ROOT, 'fixtures', 'history', name);
/** The error a read throws, for checking its type and message together. */
function failure(f: string): Error {
  try {
    readHistoryFile(f);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${f} was read without an error`);
}

describe('Keras history files', () => {
  it('reads a CSVLogger file (epochs from 0, acc named accuracy)', () => {
    expect(readHistoryFile(fixture('keras-csvlogger.csv'))).toEqual({
      epochs: [1, 2, 3],
      series: {
        accuracy: [0.61, 0.74, 0.8],
        loss: [0.92, 0.63, 0.51],
        val_accuracy: [0.64, 0.71, 0.73],
        val_loss: [0.88, 0.7, 0.66],
      },
    });
  });

  it('reads a history dict whatever the file is called, and Python NaN as null', () => {
    const h = readHistoryFile(file('history.txt', '{"loss": [1, NaN, Infinity], "val_loss": [1.1, 0.7, -Infinity]}'));
    expect(h).toEqual({ epochs: [1, 2, 3], series: { loss: [1, null, null], val_loss: [1.1, 0.7, null] } });
  });
});

describe('PyTorch Lightning metrics.csv', () => {
  it('merges step rows, epoch rows and validation rows by epoch, preferring the epoch-level columns', () => {
    // The step means (0.8, 0.5 for the loss) differ from the epoch values, so a wrong preference shows.
    // lr-Adam is logged on rows without an epoch and test_* after fit: neither makes a series or an epoch.
    expect(readHistoryFile(fixture('lightning-step-and-epoch.csv'))).toEqual({
      epochs: [1, 2],
      series: { loss: [0.78, 0.52], accuracy: [0.58, 0.74], val_loss: [0.72, 0.55], val_accuracy: [0.66, 0.75] },
    });
  });

  it('leaves a gap where an epoch logged only validation, or no validation', () => {
    expect(readHistoryFile(fixture('lightning-sparse-validation.csv'))).toEqual({
      epochs: [1, 2, 3, 4],
      series: { loss: [0.9, null, 0.6, 0.5], val_loss: [0.95, 0.8, null, 0.7], val_accuracy: [0.55, 0.6, null, 0.7] },
    });
  });

  it('without epoch-level columns, a training series is the mean of its step logs; validation logged twice in an epoch keeps the last', () => {
    const h = readHistoryFile(
      file(
        'steps.csv',
        [
          'epoch,step,train_loss_step,val_loss',
          '0,10,1.0,',
          '0,20,0.6,',
          '0,20,,0.9',
          '0,25,,0.85',
          '1,30,0.5,',
          '1,40,nan,',
          '1,40,,0.7',
        ].join('\n'),
      ),
    );
    expect(h.epochs).toEqual([1, 2]);
    expect(h.series['loss']![0]).toBeCloseTo(0.8, 12);
    expect(h.series['loss']![1]).toBeNull(); // a non-finite batch makes the epoch's loss non-finite
    expect(h.series['val_loss']).toEqual([0.85, 0.7]);
  });

  it('a plain training column logged every few steps is averaged, an epoch-level one wins over it', () => {
    const plain = readHistoryFile(file('plain.csv', 'epoch,step,train_loss\n0,1,0.9\n0,2,0.7\n1,3,0.5\n'));
    expect(plain.series['loss']![0]).toBeCloseTo(0.8, 12);
    expect(plain.series['loss']![1]).toBe(0.5);
    const both = readHistoryFile(
      file('both.csv', 'epoch,step,train_loss,train_loss_epoch\n0,1,0.9,\n0,2,0.7,\n0,2,,0.75\n'),
    );
    expect(both.series).toEqual({ loss: [0.75] });
  });

  it('is told from a Keras CSVLogger by an epoch on several rows, even without a step column', () => {
    const h = readHistoryFile(file('nostep.csv', 'epoch,loss,val_loss\n0,0.9,\n0,,1.0\n1,0.6,\n1,,0.8\n'));
    expect(h).toEqual({ epochs: [1, 2], series: { loss: [0.9, 0.6], val_loss: [1.0, 0.8] } });
  });

  it.each([
    ['train_loss', 'loss', false, 'plain'],
    ['train_loss_epoch', 'loss', false, 'epoch'],
    ['train_acc_step', 'accuracy', false, 'step'],
    ['training_loss', 'loss', false, 'plain'],
    ['train/loss', 'loss', false, 'plain'],
    ['loss', 'loss', false, 'plain'],
    ['acc', 'accuracy', false, 'plain'],
    ['val_loss', 'val_loss', true, 'plain'],
    ['valid_loss', 'val_loss', true, 'plain'],
    ['validation_loss_epoch', 'val_loss', true, 'epoch'],
    ['val_acc', 'val_accuracy', true, 'plain'],
    ['val_accuracy', 'val_accuracy', true, 'plain'],
    ['val/f1', 'val_f1', true, 'plain'],
    ['lr-Adam', 'lr-Adam', false, 'plain'],
  ])('column %s is history key %s', (name, key, validation, level) => {
    expect(lightningColumn(name, 0)).toEqual({ col: 0, key, validation, level });
  });

  it.each(['epoch', 'step', 'test_loss', 'test_acc_epoch'])('column %s is not a history series', (name) => {
    expect(lightningColumn(name, 0)).toBeNull();
  });
});

describe('Hugging Face trainer_state.json', () => {
  it("one entry per epoch: the step-weighted mean of the logged training losses, validation from the epoch's evaluation", () => {
    const h = readHistoryFile(fixture('hf-trainer-state.json'));
    expect(h.epochs).toEqual([1, 2]);
    expect(Object.keys(h.series)).toEqual(['loss', 'val_accuracy', 'val_loss']); // no learning_rate, grad_norm, timings or summary
    // Epoch 1: losses 2.0 (step 1), 1.8 (step 2), 1.4 (steps 3-4): (2.0 + 1.8 + 2 * 1.4) / 4. Epoch 2: (2 * 1.0 + 2 * 0.8) / 4.
    expect(h.series['loss']![0]).toBeCloseTo(1.65, 12);
    expect(h.series['loss']![1]).toBeCloseTo(0.9, 12);
    expect(h.series['val_loss']).toEqual([1.3, 1.1]);
    expect(h.series['val_accuracy']).toEqual([0.62, 0.71]);
  });

  let n = 0;
  /** A trainer_state.json; NaN written as Python writes it (JSON.stringify would write null). */
  const state = (rows: unknown[]): string =>
    file(
      `state-${++n}.json`,
      JSON.stringify({ log_history: rows }, (_k, v: unknown) => (Number.isNaN(v) ? '__NaN__' : v)).replace(
        /"__NaN__"/g,
        'NaN',
      ),
    );

  it("several evaluations in an epoch: the last is the epoch's; a log after a whole-epoch evaluation is in the next epoch even where its epoch was rounded", () => {
    const h = readHistoryFile(
      state([
        { loss: 1.0, epoch: 0.5, step: 150 },
        { eval_loss: 1.2, eval_acc: 0.5, epoch: 0.5, step: 150 },
        { loss: 0.8, epoch: 1.0, step: 300 },
        { eval_loss: 1.0, eval_acc: 0.6, epoch: 1.0, step: 300 },
        // transformers before 4.40 logged round(epoch, 2): step 301 of 300 per epoch reads 1.0
        { loss: 0.2, epoch: 1.0, step: 301 },
        { loss: 0.6, epoch: 2.0, step: 600 },
        { eval_loss: 0.9, eval_acc: 0.7, epoch: 2.0, step: 600 },
      ]),
    );
    expect(h.epochs).toEqual([1, 2]);
    expect(h.series['loss']![0]).toBeCloseTo(0.9, 12); // (150 * 1.0 + 150 * 0.8) / 300
    expect(h.series['loss']![1]).toBeCloseTo((1 * 0.2 + 299 * 0.6) / 300, 12);
    expect(h.series['val_loss']).toEqual([1.0, 0.9]);
    expect(h.series['val_accuracy']).toEqual([0.6, 0.7]);
  });

  it('without evaluations, one entry per whole epoch of training logs; an evaluation before training is skipped', () => {
    const h = readHistoryFile(
      state([
        { eval_loss: 2.5, step: 0 },
        { loss: 2.0, epoch: 0.5, step: 5 },
        { loss: 1.0, epoch: 1.0, step: 10 },
        { loss: NaN, epoch: 1.5, step: 15 },
        { loss: 0.5, epoch: 2.0, step: 20 },
        { train_runtime: 1, train_loss: 1.1, epoch: 2.0, step: 20 },
      ]),
    );
    expect(h.epochs).toEqual([1, 2]);
    expect(h.series['loss']![0]).toBeCloseTo(1.5, 12);
    expect(h.series['loss']![1]).toBeNull();
    expect(Object.keys(h.series)).toEqual(['loss']);
  });
});

describe('bad history files: one line naming the file and what is wrong, never the cells', () => {
  it.each([
    ['an empty file', 'empty.csv', '', /empty\.csv: the history file is empty$/],
    ['a blank file', 'blank.json', '  \n\n', /blank\.json: the history file is empty$/],
    ['a header alone', 'header.csv', 'epoch,step,train_loss\n', /header row but no data rows/],
    ['a ragged row', 'ragged.csv', 'epoch,loss\n0,1\n1,2,3\n', /ragged\.csv: invalid CSV/],
    ['a repeated column', 'twice.csv', 'epoch,loss,loss\n0,1,1\n', /twice\.csv:1: columns 2 and 3 have the same name/],
    [
      'Lightning rows without an epoch column',
      'noepoch.csv',
      'step,train_loss\n1,0.5\n',
      /noepoch\.csv: a Lightning metrics.csv needs an "epoch" column/,
    ],
    [
      'a non-numeric Lightning cell',
      'cell.csv',
      'epoch,step,train_loss,val_loss\n0,1,0.5,\n0,1,,oops\n',
      /cell\.csv:3: column 4 "val_loss" is not a number/,
    ],
    [
      'a non-numeric Keras cell',
      'kcell.csv',
      'epoch,loss,val_loss\n0,0.5,0.6\n1,bad,0.5\n',
      /kcell\.csv:3: column 2 "loss" is not a number/,
    ],
    [
      'a fractional epoch',
      'frac.csv',
      'epoch,step,loss\n0,1,0.5\n0.5,2,0.4\n',
      /frac\.csv:3: column 1 "epoch" is not an epoch number/,
    ],
    [
      'a Keras row without its epoch',
      'kempty.csv',
      'epoch,loss\n0,0.5\n,0.4\n',
      /kempty\.csv:3: the epoch cell is empty/,
    ],
    [
      'Lightning without a training loss',
      'val-only.csv',
      'epoch,step,val_loss,val_acc\n0,1,0.5,0.7\n',
      /val-only\.csv: no epoch has a training loss; looked for a column named loss, train_loss, train\/loss, training_loss, training\/loss \(each also with _epoch or _step\)/,
    ],
    [
      'Lightning losses only on rows without an epoch',
      'lr-only.csv',
      'epoch,step,train_loss\n,1,0.5\n',
      /no epoch has a training loss/,
    ],
    [
      'two columns for one series',
      'same.csv',
      'epoch,step,loss,train_loss\n0,1,0.5,0.5\n',
      /same\.csv: column 3 "loss" and column 4 "train_loss" name the same series/,
    ],
    [
      'a Keras CSV without loss',
      'noloss.csv',
      'epoch,acc\n0,0.5\n',
      /noloss\.csv: the CSV history has no "loss" column/,
    ],
    ['broken JSON', 'broken.json', '{"loss": [1,', /broken\.json: invalid JSON/],
    ['a Keras dict without loss', 'acc.json', '{"acc": [1]}', /acc\.json: the history has no "loss" series/],
    ['log_history not a list', 'hf1.json', '{"log_history": {}}', /hf1\.json: "log_history" is not a list/],
    [
      'a log row that is not an object',
      'hf2.json',
      '{"log_history": [3]}',
      /hf2\.json: log_history\[0\] is not an object/,
    ],
    [
      'a training loss that is not a number',
      'hf3.json',
      '{"log_history": [{"loss": 1, "epoch": 1, "step": 1}, {"loss": "x", "epoch": 2, "step": 2}]}',
      /hf3\.json: log_history\[1\]: "loss" is not a number/,
    ],
    [
      'an eval metric that is not a number',
      'hf4.json',
      '{"log_history": [{"loss": 1, "epoch": 1, "step": 1}, {"eval_f1": [1], "epoch": 1, "step": 1}]}',
      /hf4\.json: log_history\[1\]: "eval_f1" is not a number/,
    ],
    [
      'a row without a step',
      'hf5.json',
      '{"log_history": [{"loss": 1, "epoch": 1}]}',
      /hf5\.json: log_history\[0\] has no "step" number/,
    ],
    [
      'a row without an epoch',
      'hf6.json',
      '{"log_history": [{"loss": 1, "step": 3}]}',
      /hf6\.json: log_history\[0\] has no "epoch" number/,
    ],
    [
      'only the final summary',
      'hf7.json',
      '{"log_history": [{"train_loss": 1.1, "train_runtime": 3, "epoch": 2, "step": 8}]}',
      /hf7\.json: log_history has no training rows .* logging_strategy="epoch"$/,
    ],
  ])('%s', (_name, name, text, message) => {
    const e = failure(file(name, text));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('never echoes a cell, and under a worker not even a column name', () => {
    const f = file('secret.csv', 'epoch,step,train_loss,secret_metric\n0,1,0.5,\n0,1,,hunter2\n');
    expect(failure(f).message).not.toContain('hunter2');
    const redacted = runWithPolicy({ ...OPEN_POLICY, redactContent: true }, () => failure(f));
    expect(redacted.message).toMatch(/secret\.csv:3: column 4 \(13 characters, not shown\) is not a number/);
    expect(redacted.message).not.toMatch(/hunter2|secret_metric/);
  });

  it('respects the input size cap (limits.maxInputBytes)', () => {
    const e = runWithPolicy({ ...OPEN_POLICY, maxInputBytes: 64 }, () =>
      failure(fixture('lightning-step-and-epoch.csv')),
    );
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/over the 64-byte input cap/);
  });
});

// Logs written by ../shared/real-models/pt-make-models.py in Lightning's CSVLogger layout. The expected
// numbers are the files' cells, read by hand: the train row and the validation row of each epoch.
describeWith(['shared'], 'real PyTorch Lightning metrics.csv files', () => {
  it.each([
    [
      'pt-fashion-cnn',
      {
        epochs: [1, 2, 3],
        series: {
          loss: [0.670844, 0.440094, 0.385891],
          val_loss: [0.498301, 0.408676, 0.390405],
          val_accuracy: [0.817, 0.852, 0.845],
        },
      },
    ],
    [
      'pt-tiny-resnet',
      {
        epochs: [1, 2],
        series: { loss: [1.572992, 0.988551], val_loss: [1.203975, 0.857617], val_accuracy: [0.657, 0.729] },
      },
    ],
    [
      'pt-churn-mlp-dying-relu',
      {
        epochs: [1, 2, 3, 4, 5],
        series: {
          loss: [0.465842, 0.426452, 0.405326, 0.448971, 0.44807],
          val_loss: [0.413266, 0.43038, 0.999286, 0.441553, 0.435364],
          val_accuracy: [0.805, 0.8425, 0.8375, 0.801, 0.805],
        },
      },
    ],
  ])('%s', (model, expected) => {
    expect(readHistoryFile(sharedPath('real-models', model, 'metrics.csv'))).toEqual(expected);
  });
});
