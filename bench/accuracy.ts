/**
 * `npm run bench:accuracy`: runs every labelled case, then prints per analyzer a confusion table and precision/recall,
 * for the tuning half and the held-out half separately, and per family of cases. A finding counts as "detected" when
 * its status is fail. `BENCH_ACCURACY_JSON=file` saves every case's statuses; `--from file` prints the tables of a
 * saved run again without training.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { audit } from '../src/audit/audit.js';
import { benchCases, isHeldOut, TARGETS, type BenchCase, type Target } from './accuracy-cases.js';

interface Outcome {
  c: BenchCase;
  statuses: Record<string, string>;
  seconds: number;
}

/** Confusion counts over every labelled (case, analyzer) pair of these outcomes. */
function confusion(
  outcomes: Outcome[],
  targets: readonly Target[],
): { tp: number; fp: number; fn: number; tn: number } {
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
  for (const o of outcomes) {
    for (const t of targets) {
      const label = o.c.labels[t];
      if (label === null) continue;
      const detected = o.statuses[t] === 'fail';
      if (label && detected) tp++;
      else if (!label && detected) fp++;
      else if (label) fn++;
      else tn++;
    }
  }
  return { tp, fp, fn, tn };
}

const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) : 'n/a');

/** Per family: precision and recall over all its labelled (case, analyzer) pairs, and the cases with a wrong verdict. */
function familyTable(outcomes: Outcome[]): string[] {
  const lines = [
    'family               cases  TP  FP  FN   TN   precision  recall  false alarms   cases with a wrong verdict',
  ];
  const families = [...new Set(outcomes.map((o) => o.c.family))];
  for (const fam of families) {
    const of = outcomes.filter((o) => o.c.family === fam);
    const { tp, fp, fn, tn } = confusion(of, TARGETS);
    const wrong = of.filter((o) =>
      TARGETS.some((t) => o.c.labels[t] !== null && (o.statuses[t] === 'fail') !== o.c.labels[t]),
    ).length;
    lines.push(
      `${fam.padEnd(20)} ${String(of.length).padStart(5)} ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)} ${String(tn).padStart(4)}   ${ratio(tp, tp + fp).padStart(9)}  ${ratio(tp, tp + fn).padStart(6)}  ${ratio(fp, fp + tn).padStart(12)}   ${wrong}`,
    );
  }
  return lines;
}

function table(outcomes: Outcome[], title: string): string[] {
  const lines = [title, 'analyzer              TP  FP  FN  TN   precision  recall   (cases with a label)'];
  for (const t of TARGETS) {
    const { tp, fp, fn, tn } = confusion(outcomes, [t]);
    const p = tp + fp ? tp / (tp + fp) : NaN;
    const r = tp + fn ? tp / (tp + fn) : NaN;
    lines.push(
      `${t.padEnd(20)} ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)} ${String(tn).padStart(3)}   ${(Number.isNaN(p) ? '  n/a' : p.toFixed(2)).padStart(9)}  ${(Number.isNaN(r) ? ' n/a' : r.toFixed(2)).padStart(6)}   (${tp + fp + fn + tn})`,
    );
  }
  // A linear classifier on spirals underfits because it is linear: missing-nonlinearity names that cause at fail.
  const under = outcomes.filter((o) => o.c.labels.underfitting === true);
  const named = under.filter(
    (o) => o.statuses['underfitting'] === 'fail' || o.statuses['missing-nonlinearity'] === 'fail',
  );
  lines.push(
    `underfitting cases named at fail by underfitting or missing-nonlinearity: ${named.length}/${under.length}`,
  );
  return lines;
}

interface SavedOutcome {
  id: string;
  statuses: Record<string, string>;
  seconds: number;
}

async function main(): Promise<void> {
  const variant = process.argv.includes('--v2') ? 'v2' : 'v1';
  const fromAt = process.argv.indexOf('--from');
  const from = fromAt > 0 ? process.argv[fromAt + 1] : undefined;
  const only = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--from');
  const cases = benchCases(variant).filter((c) => !only || c.id.includes(only));
  const started = performance.now();
  const outcomes: Outcome[] = [];
  if (from) {
    // Labels come from today's case list, statuses from the saved run.
    const saved = new Map((JSON.parse(readFileSync(from, 'utf8')) as SavedOutcome[]).map((o) => [o.id, o]));
    for (const c of cases) {
      const o = saved.get(c.id);
      if (o) outcomes.push({ c, statuses: o.statuses, seconds: o.seconds });
    }
  }
  for (const c of from ? [] : cases) {
    const t = performance.now();
    const r = await audit(c.spec);
    const statuses = Object.fromEntries(r.findings.map((f) => [f.id, f.status]));
    outcomes.push({ c, statuses, seconds: (performance.now() - t) / 1000 });
    const wrong = TARGETS.filter((t2) => c.labels[t2] !== null && (statuses[t2] === 'fail') !== c.labels[t2]);
    process.stderr.write(
      `${wrong.length ? 'MISS' : 'ok  '} ${c.id.padEnd(34)} ${((performance.now() - t) / 1000).toFixed(1)}s ${wrong.map((w) => `${w}=${statuses[w]} (${r.findings.find((f) => f.id === w)?.displayValue})`).join('; ')}\n`,
    );
  }
  const tune = outcomes.filter((o) => !isHeldOut(o.c.id));
  const held = outcomes.filter((o) => isHeldOut(o.c.id));
  const out = [
    `nnaudit accuracy benchmark (${variant}): ${outcomes.length} labelled cases (${tune.length} tuning, ${held.length} held out), ${((performance.now() - started) / 1000).toFixed(0)} s`,
    '',
    ...table(held, `Held-out half (${held.length} cases, never used to set thresholds)`),
    '',
    ...table(tune, `Tuning half (${tune.length} cases)`),
    '',
    ...table(outcomes, `All ${outcomes.length} cases`),
    '',
    `Per family (all ${outcomes.length} cases; every labelled case x analyzer pair)`,
    ...familyTable(outcomes),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (process.env['BENCH_ACCURACY_JSON'] && !from) {
    writeFileSync(
      process.env['BENCH_ACCURACY_JSON'],
      JSON.stringify(
        outcomes.map((o) => ({
          id: o.c.id,
          family: o.c.family,
          heldOut: isHeldOut(o.c.id),
          labels: o.c.labels,
          statuses: o.statuses,
          seconds: o.seconds,
        })),
        null,
        1,
      ),
    );
  }
}

await main();
