import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Spec } from '../config/spec-schema.js';
import type { FixReport } from './run-fixes.js';
import type { Trial } from './plan.js';

const num = (v: number | null | undefined) =>
  v === null || v === undefined
    ? 'n/a'
    : Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4
      ? Number(v.toPrecision(3)).toString()
      : v.toExponential(1);

function outcome(t: Trial, id: string): string {
  if (t.error !== undefined) return `rejected: the run failed: ${t.error.split('\n')[0]!.slice(0, 120)}`;
  if (t.stoppedEarly) return `rejected: ${failingOf(t) || 'a finding'} failed early (fail-fast stopped training)`;
  if (t.newFailures.length) return `rejected: new failure ${t.newFailures.join(', ')}`;
  if (!t.cleared.includes(id)) return 'still fails';
  return t.gatePassed ? 'cleared, gate passes' : `cleared (${t.verdict})`;
}
const failingOf = (t: Trial) =>
  Object.entries(t.findings)
    .filter(([, f]) => f.status === 'fail')
    .map(([k]) => k)
    .join(', ');

/** The table of every trial: finding, patch, value before -> after, verdict, time. */
export function fixTable(r: FixReport): string {
  const rows = [
    [
      'finding',
      'patch',
      'value before -> after',
      'verdict',
      'time',
      `${r.before.metric.name} (was ${num(r.before.metric.value)})`,
    ],
  ];
  for (const t of r.trials) {
    for (const id of t.targets) {
      const b = r.before.findings[id];
      const a = t.findings[id];
      rows.push([
        id,
        t.repairs.map((x) => x.id).join(' + '),
        `${num(b?.numericValue)} -> ${num(a?.numericValue)} (${a?.status ?? 'n/a'})`,
        outcome(t, id),
        `${t.seconds.toFixed(1)} s`,
        num(t.metric.value),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One plain paragraph: what was fixed, or that nothing cleared the findings. */
export function fixSummary(r: FixReport): string {
  if (r.failing.length === 0) return 'Nothing to fix: no finding fails.';
  const budget = r.untried ? ` (${r.untried} candidates left untried: raise --max-trials or --time-budget)` : '';
  if (!r.best) {
    const none = r.trials.length
      ? `none of the ${r.trials.length} repairs tried cleared ${r.failing.join(', ')} without a new failure`
      : `no repair applies to ${r.failing.join(', ')}`;
    return `No verified fix: ${none}${budget}. The recommendations stay advice.`;
  }
  const b = r.best;
  const still = r.failing.filter((id) => !b.cleared.includes(id));
  return (
    `Best verified fix: ${b.repairs.map((x) => x.title).join(' + ')}: clears ${b.cleared.join(', ')}` +
    `${still.length ? `; still failing: ${still.join(', ')}` : ''}; gate ${b.verdict}; ${b.metric.name} ${num(r.before.metric.value)} -> ${num(b.metric.value)}${budget}.`
  );
}

/**
 * Writes the best candidate's spec as YAML. Data paths in the spec were relative to the original spec's folder;
 * they are rewritten relative to the folder fixed.yaml lands in, so `nnaudit audit fixed.yaml` reads the same data.
 */
export function writeFixedSpec(spec: Spec, repairs: Trial['repairs'], file: string, baseDir: string): string {
  const dir = path.dirname(path.resolve(file));
  const rebase = (p: string) =>
    /^https?:\/\//i.test(p) || path.isAbsolute(p) ? p : path.relative(dir, path.resolve(baseDir, p)) || '.';
  const data = { ...spec.data } as Record<string, unknown>;
  if (typeof data['csv'] === 'string') data['csv'] = rebase(data['csv']);
  if (typeof data['json'] === 'string') data['json'] = rebase(data['json']);
  const note = `fixed by nnaudit fix: ${repairs.map((r) => r.title).join(' + ')}`;
  const out = { ...spec, description: spec.description ? `${spec.description} (${note})` : note, data };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `# ${note}\n${stringify(out)}`);
  return file;
}
