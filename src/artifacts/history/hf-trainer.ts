import type { History } from '../schema.js';
import { DataError } from '../../errors.js';
import { normalizeMetricName } from '../metric-names.js';
import { quoteInput } from '../../policy/redact.js';

/**
 * Hugging Face Trainer's `trainer_state.json`. Its `log_history` holds training rows (`loss`, logged every
 * `logging_steps` at a fractional `epoch`), evaluation rows (`eval_loss`, `eval_accuracy`...) and, last,
 * a summary of the whole run (`train_runtime`, `train_loss`). This makes one entry per whole epoch:
 * `loss` from the training rows, `val_*` from the epoch's evaluation.
 */

/** Evaluation timings (`eval_runtime`, `eval_samples_per_second`...) describe the machine, not the model. */
const TIMING = /(_runtime|_per_second|_time)$/;

interface Row {
  index: number;
  step: number;
  epoch: number | undefined;
}

export function fromHfTrainerState(state: Record<string, unknown>, file: string): History {
  const log = state['log_history'];
  if (!Array.isArray(log)) throw new DataError(`${file}: "log_history" is not a list of logged rows`);
  const train: Array<Row & { loss: number | null }> = [];
  const evals: Array<Row & { metrics: Array<[string, number | null]> }> = [];
  log.forEach((raw: unknown, index) => {
    const at = `${file}: log_history[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new DataError(`${at} is not an object`);
    const r = raw as Record<string, unknown>;
    // The summary averages the whole run: it is not an epoch.
    if ('train_runtime' in r || 'train_loss' in r) return;
    const evalKeys = Object.keys(r).filter((k) => k.startsWith('eval_'));
    // Other rows (trainer.predict's test_*, custom logs) are not training history.
    if (evalKeys.length === 0 && !('loss' in r)) return;
    const step = r['step'];
    if (typeof step !== 'number' || !Number.isFinite(step) || step < 0)
      throw new DataError(`${at} has no "step" number`);
    // An evaluation before training (trainer.evaluate() first) has step 0 and no epoch: no epoch to give it to.
    if (step === 0) return;
    const epoch = r['epoch'];
    if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isFinite(epoch)))
      throw new DataError(`${at}: "epoch" is not a number`);
    const row = { index, step, epoch };
    if (evalKeys.length > 0) {
      evals.push({
        ...row,
        metrics: evalKeys
          .filter((k) => !TIMING.test(k))
          .map((k) => [normalizeMetricName(`val_${k.slice(5)}`), value(r[k], `${at}: ${quoteInput(k)}`)]),
      });
    } else {
      train.push({ ...row, loss: value(r['loss'], `${at}: "loss"`) });
    }
  });
  if (train.length === 0) {
    throw new DataError(
      `${file}: log_history has no training rows (rows with "loss"), so no epoch has a training loss; the final summary's ` +
        'train_loss averages the whole run. Log more often: logging_steps below the steps per epoch, or logging_strategy="epoch"',
    );
  }
  const epochOf = epochIndexer(evals, file);

  // The epoch's training loss is the mean over its batches, as Keras reports it. Each logged loss is
  // already the mean over the steps since the previous log, so weighting it by that step count gives the
  // mean over the batches (a plain mean would overweight a short window, such as logging_first_step's).
  const losses = new Map<number, { sum: number; steps: number; finite: boolean }>();
  let previous = 0;
  for (const t of train) {
    const k = epochOf(t);
    const steps = Math.max(1, t.step - previous);
    previous = t.step;
    const acc = losses.get(k) ?? { sum: 0, steps: 0, finite: true };
    losses.set(k, acc);
    if (t.loss === null) acc.finite = false;
    else acc.sum += t.loss * steps;
    acc.steps += steps;
  }
  // Validation is judged at the epoch's end: with several evaluations in an epoch, the last counts.
  const validation = new Map<number, Map<string, number | null>>();
  const keys: string[] = [];
  for (const e of evals) {
    const k = epochOf(e);
    const m = validation.get(k) ?? new Map<string, number | null>();
    validation.set(k, m);
    for (const [key, v] of e.metrics) {
      if (!keys.includes(key)) keys.push(key);
      m.set(key, v);
    }
  }
  const epochs = [...new Set([...losses.keys(), ...validation.keys()])].sort((a, b) => a - b);
  const series: History['series'] = {
    loss: epochs.map((k) => {
      const l = losses.get(k);
      return l && l.finite ? l.sum / l.steps : null;
    }),
  };
  for (const key of keys) series[key] = epochs.map((k) => validation.get(k)?.get(key) ?? null);
  return { epochs, series };
}

/** A logged value: a number, or null where Python wrote NaN or Infinity (read as null). */
function value(v: unknown, where: string): number | null {
  if (v === null || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new DataError(`${where} is not a number`);
}

/**
 * The whole epoch (from 1) a row belongs to: its fractional epoch rounded up, so a log at 1.0 closes
 * epoch 1 and one at 1.25 is in epoch 2. Older transformers rounded the logged epoch to 2 decimals, so
 * a log just after an epoch's end could read as that epoch; an evaluation at a whole epoch marks the
 * end exactly by its step, and a later step is in a later epoch.
 */
function epochIndexer(evals: Row[], file: string): (r: Row) => number {
  // By step, each with the latest whole epoch ended at or before it (a binary search finds a row's).
  const ends = evals
    .flatMap((e) =>
      e.epoch !== undefined && Number.isInteger(e.epoch) && e.epoch >= 1 ? [{ step: e.step, epoch: e.epoch }] : [],
    )
    .sort((a, b) => a.step - b.step);
  for (let i = 1; i < ends.length; i++) ends[i]!.epoch = Math.max(ends[i]!.epoch, ends[i - 1]!.epoch);
  return (r) => {
    if (r.epoch === undefined) throw new DataError(`${file}: log_history[${r.index}] has no "epoch" number`);
    let lo = 0;
    let hi = ends.length; // ends[0..lo) have step < r.step
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]!.step < r.step) lo = mid + 1;
      else hi = mid;
    }
    const ended = lo > 0 ? ends[lo - 1]!.epoch : 0;
    return Math.max(1, Math.ceil(r.epoch - 1e-9), ended + 1);
  };
}
