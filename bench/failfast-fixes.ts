/**
 * `npm run bench:fixes`: for every failing fixture and accuracy-benchmark case with a problem built in, runs
 * `nnaudit fix` in-process (max 8 trials each) and reports per family the share of cases that get at least one
 * verified fix, the share whose best fix makes the whole gate pass, and the share whose top-ranked fix is the
 * inverse of the fault the case was built with.
 *
 * Arguments: an optional substring of case ids; --families=a,b picks families; --per-family=N keeps the first N cases
 * of each family; --max-trials=N; BENCH_FIXES_JSON=file saves every row.
 */
import { writeFileSync } from 'node:fs';
import { audit } from '../src/analyze/audit.js';
import { loadSpecFile, validateSpec } from '../src/config/load-spec.js';
import { tryFixes } from '../src/fix/fix-spec.js';
import { failingCases } from './failing-cases.js';

/** The repairs that undo what each family's cases were built with (bench/accuracy-cases.ts, fixtures/specs). */
const INVERSE: Array<{ match: RegExp; repairs: string[]; fault: string }> = [
  { match: /^(fixture:dead-relu|dead-)/, repairs: ['he-init'], fault: 'a hidden layer initialized with a large negative bias' },
  { match: /^(fixture:vanishing-gradients|vanish-)/, repairs: ['relu-he', 'glorot-init', 'fewer-layers'], fault: 'a deep sigmoid/tanh stack with tiny initial weights' },
  { match: /^(fixture:exploding-gradients|explode-)/, repairs: ['glorot-init'], fault: 'initial weights with std 2-3' },
  { match: /^(fixture:overfitting|overfit-)/, repairs: ['fewer-epochs', 'smaller-layers', 'dropout'], fault: '150 epochs of a 256x256 net on 80 samples' },
  { match: /^(fixture:underfitting|linear-)/, repairs: ['add-hidden-layers'], fault: 'no hidden layer on non-linear data' },
  { match: /^tiny-lr-/, repairs: ['lr-up', 'adam'], fault: 'SGD at learning rate 1e-5' },
  { match: /^fixture:saturated-activations/, repairs: ['standardize-inputs', 'glorot-init'], fault: 'inputs x50 and std-1 initial weights' },
  { match: /^fixture:non-finite-values/, repairs: ['lr-down', 'clip-gradients'], fault: 'SGD at learning rate 5' },
];

interface Row { id: string; family: string; failing: string[]; trials: number; verified: boolean; gatePasses: boolean; top: string | null; inverse: boolean | null; seconds: number }

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const perFamily = Number(process.argv.find((a) => a.startsWith('--per-family='))?.split('=')[1] ?? Infinity);
  const maxTrials = Number(process.argv.find((a) => a.startsWith('--max-trials='))?.split('=')[1] ?? 8);
  const families = process.argv.find((a) => a.startsWith('--families='))?.slice('--families='.length).split(',');
  const seen = new Map<string, number>();
  const cases = failingCases().filter((c) => {
    if ((only && !c.id.includes(only)) || (families && !families.includes(c.family))) return false;
    seen.set(c.family, (seen.get(c.family) ?? 0) + 1);
    return seen.get(c.family)! <= perFamily;
  });
  const rows: Row[] = [];
  for (const c of cases) {
    const t = performance.now();
    const spec = typeof c.spec === 'string' ? loadSpecFile(c.spec).spec : validateSpec(c.spec, c.id);
    const baseDir = process.cwd();
    const baseline = await audit(spec, { baseDir });
    const report = await tryFixes(spec, baseline, { baseDir, maxTrials });
    const top = report.best?.repairs[0]?.id ?? null;
    const inverse = INVERSE.find((x) => x.match.test(c.id));
    const row: Row = {
      id: c.id, family: c.family, failing: report.failing, trials: report.trials.length, verified: report.best !== null,
      gatePasses: report.best?.gatePassed ?? false, top: report.best ? report.best.repairs.map((r) => r.id).join('+') : null,
      inverse: inverse ? top !== null && inverse.repairs.includes(top) : null, seconds: (performance.now() - t) / 1000,
    };
    rows.push(row);
    // Saved after every case: a long run stopped part-way still leaves its rows.
    if (process.env['BENCH_FIXES_JSON']) writeFileSync(process.env['BENCH_FIXES_JSON'], JSON.stringify(rows, null, 1));
    process.stderr.write(`${row.verified ? 'fixed' : 'NONE '} ${c.id.padEnd(34)} failing ${row.failing.join(',') || '-'}; ${row.trials} trials; best ${row.top ?? '-'}${row.gatePasses ? ' (gate passes)' : ''}; inverse ${row.inverse}; ${row.seconds.toFixed(0)} s\n`);
  }
  const lines = [
    `nnaudit verified-fix benchmark: ${rows.length} failing cases (fixtures + accuracy benchmark v1), at most ${maxTrials} trials each`,
    '',
    'family           cases  verified fix  gate passes  top fix = inverse of the fault  median time',
  ];
  const pct = (n: number, d: number) => `${n}/${d} (${d ? Math.round((100 * n) / d) : 0}%)`;
  const line = (name: string, rs: Row[]) => {
    const withInverse = rs.filter((r) => r.inverse !== null);
    const t = [...rs.map((r) => r.seconds)].sort((a, b) => a - b)[Math.floor(rs.length / 2)] ?? 0;
    lines.push(`${name.padEnd(16)} ${String(rs.length).padStart(5)}  ${pct(rs.filter((r) => r.verified).length, rs.length).padStart(12)}  ${pct(rs.filter((r) => r.gatePasses).length, rs.length).padStart(11)}  ` +
      `${pct(withInverse.filter((r) => r.inverse).length, withInverse.length).padStart(30)}  ${`${t.toFixed(0)} s`.padStart(11)}`);
  };
  for (const f of [...new Set(rows.map((r) => r.family))]) line(f, rows.filter((r) => r.family === f));
  line('all', rows);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env['BENCH_FIXES_JSON']) writeFileSync(process.env['BENCH_FIXES_JSON'], JSON.stringify(rows, null, 1));
}

await main();
