/**
 * `npm run bench:accuracy`: runs every labelled case, then prints per analyzer a confusion table and precision/recall,
 * for the tuning half and the held-out half separately. A finding counts as "detected" when its status is fail.
 */
import { writeFileSync } from 'node:fs';
import { audit } from '../src/analyze/audit.js';
import { benchCases, isHeldOut, TARGETS, type BenchCase } from './accuracy-cases.js';

interface Outcome { c: BenchCase; statuses: Record<string, string>; seconds: number }

function table(outcomes: Outcome[], title: string): string[] {
  const lines = [title, 'analyzer              TP  FP  FN  TN   precision  recall   (cases with a label)'];
  for (const t of TARGETS) {
    let tp = 0, fp = 0, fn = 0, tn = 0;
    for (const o of outcomes) {
      const label = o.c.labels[t];
      if (label === null) continue;
      const detected = o.statuses[t] === 'fail';
      if (label && detected) tp++; else if (!label && detected) fp++; else if (label) fn++; else tn++;
    }
    const p = tp + fp ? tp / (tp + fp) : NaN;
    const r = tp + fn ? tp / (tp + fn) : NaN;
    lines.push(`${t.padEnd(20)} ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)} ${String(tn).padStart(3)}   ${(Number.isNaN(p) ? '  n/a' : p.toFixed(2)).padStart(9)}  ${(Number.isNaN(r) ? ' n/a' : r.toFixed(2)).padStart(6)}   (${tp + fp + fn + tn})`);
  }
  // A linear classifier on spirals underfits because it is linear: missing-nonlinearity names that cause at fail.
  const under = outcomes.filter((o) => o.c.labels.underfitting === true);
  const named = under.filter((o) => o.statuses['underfitting'] === 'fail' || o.statuses['missing-nonlinearity'] === 'fail');
  lines.push(`underfitting cases named at fail by underfitting or missing-nonlinearity: ${named.length}/${under.length}`);
  return lines;
}

async function main(): Promise<void> {
  const variant = process.argv.includes('--v2') ? 'v2' : 'v1';
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const cases = benchCases(variant).filter((c) => !only || c.id.includes(only));
  const started = performance.now();
  const outcomes: Outcome[] = [];
  for (const c of cases) {
    const t = performance.now();
    const r = await audit(c.spec);
    const statuses = Object.fromEntries(r.findings.map((f) => [f.id, f.status]));
    outcomes.push({ c, statuses, seconds: (performance.now() - t) / 1000 });
    const wrong = TARGETS.filter((t2) => c.labels[t2] !== null && (statuses[t2] === 'fail') !== c.labels[t2]);
    process.stderr.write(`${wrong.length ? 'MISS' : 'ok  '} ${c.id.padEnd(34)} ${((performance.now() - t) / 1000).toFixed(1)}s ${wrong.map((w) => `${w}=${statuses[w]} (${r.findings.find((f) => f.id === w)?.displayValue})`).join('; ')}\n`);
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
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (process.env['BENCH_ACCURACY_JSON']) {
    writeFileSync(process.env['BENCH_ACCURACY_JSON'], JSON.stringify(outcomes.map((o) => ({ id: o.c.id, family: o.c.family, heldOut: isHeldOut(o.c.id), labels: o.c.labels, statuses: o.statuses, seconds: o.seconds })), null, 1));
  }
}

await main();
