/**
 * `npm run bench:fixes`: runs `nnaudit fix` in-process on failing cases and reports, per family (accuracy benchmark)
 * and per operator (fault benchmark), the share of cases failing at baseline that get at least one verified fix, the
 * share whose best fix makes the whole gate pass, and the share whose top-ranked fix is the inverse of the fault the
 * case was built with (bench/fix-inverses.ts, written before running).
 *
 * Suites: "accuracy" = the failing fixtures and every accuracy-benchmark v1 case with a problem built in;
 * "faults" = the mutated cases of the fault benchmark (bench/faults-cases.ts). A case whose baseline is rejected
 * before training (exit 2) or crashes has no run to fix: it is counted apart, not in the shares.
 *
 * Arguments: an optional substring of case ids; --suite=accuracy,faults (default both); --families=a,b;
 * --per-family=N (accuracy: first N of each family); --per-operator=N (faults: N cases per operator spread over the
 * datasets, default all); --half=tune|held|all (faults, default all); --max-trials=N (default 8);
 * --reverse works the list from its end; BENCH_FIXES_JSON=file saves every row after each case; --from=a.json,b.json
 * prints the tables of saved rows only (a case present in several counts once).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { audit } from '../src/audit/audit.js';
import { loadSpecFile, validateSpec } from '../src/config/load-spec.js';
import type { SpecInput } from '../src/config/spec-schema.js';
import { errorMessage, UserInputError } from '../src/errors.js';
import { tryFixes } from '../src/fix/fix-spec.js';
import { failingCases } from './failing-cases.js';
import { benchDatasets } from './faults-data.js';
import { faultCases, isHeldOut, OPERATORS } from './faults-cases.js';
import { ACCURACY_INVERSE, FAULT_INVERSE } from './fix-inverses.js';

type Suite = 'accuracy' | 'faults';
interface BenchCase {
  id: string;
  suite: Suite;
  group: string;
  spec: SpecInput | string;
  inverse: string[] | null;
}
type Baseline = 'fail' | 'no-fail' | 'exit2' | 'crash';
interface Row {
  id: string;
  suite: Suite;
  group: string;
  baseline: Baseline;
  failing: string[];
  trials: number;
  verified: boolean;
  gatePasses: boolean;
  top: string | null;
  inverse: boolean | null;
  seconds: number;
  error: string | null;
}

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

function accuracyCases(): BenchCase[] {
  const perFamily = Number(arg('per-family') ?? Infinity);
  const families = arg('families')?.split(',');
  const seen = new Map<string, number>();
  return failingCases()
    .filter((c) => {
      if (families && !families.includes(c.family)) return false;
      seen.set(c.family, (seen.get(c.family) ?? 0) + 1);
      return seen.get(c.family)! <= perFamily;
    })
    .map((c) => ({
      id: c.id,
      suite: 'accuracy',
      group: c.family,
      spec: c.spec,
      inverse: ACCURACY_INVERSE.find((x) => x.match.test(c.id))?.repairs ?? null,
    }));
}

async function faultBenchCases(): Promise<BenchCase[]> {
  const perOperator = Number(arg('per-operator') ?? Infinity);
  const half = arg('half') ?? 'all';
  const all = faultCases((await benchDatasets()).datasets).filter(
    (c) => c.operator !== null && (half === 'all' || (half === 'held') === isHeldOut(c.id)),
  );
  const byOperator = OPERATORS.map((op) => {
    const mine = all.filter((c) => c.operator === op.id);
    // Spread over the datasets rather than the first N (which would all be one dataset).
    const picks =
      mine.length <= perOperator
        ? mine
        : Array.from({ length: perOperator }, (_, j) => mine[Math.floor((j * mine.length) / perOperator)]!);
    // An operator added to the fault benchmark without a mapping here counts as n/a rather than failing the run.
    const inverse = FAULT_INVERSE[op.id]?.repairs ?? [];
    return picks.map((c) => ({
      id: c.id,
      suite: 'faults' as const,
      group: op.id,
      spec: c.spec,
      inverse: inverse.length ? inverse : null,
    }));
  });
  // Round-robin over the operators: a run stopped part-way (rows are saved after each case) still covers every operator.
  const longest = Math.max(0, ...byOperator.map((x) => x.length));
  return Array.from({ length: longest }, (_, i) => byOperator.flatMap((x) => (i < x.length ? [x[i]!] : []))).flat();
}

async function runCase(c: BenchCase, maxTrials: number): Promise<Row> {
  const t = performance.now();
  const row: Row = {
    id: c.id,
    suite: c.suite,
    group: c.group,
    baseline: 'fail',
    failing: [],
    trials: 0,
    verified: false,
    gatePasses: false,
    top: null,
    inverse: null,
    seconds: 0,
    error: null,
  };
  try {
    const spec = typeof c.spec === 'string' ? loadSpecFile(c.spec).spec : validateSpec(c.spec, c.id);
    const baseDir = process.cwd();
    const baseline = await audit(spec, { baseDir });
    const report = await tryFixes(spec, baseline, { baseDir, maxTrials });
    const top = report.best?.repairs[0]?.id ?? null;
    Object.assign(row, {
      baseline: report.failing.length ? 'fail' : 'no-fail',
      failing: report.failing,
      trials: report.trials.length,
      verified: report.best !== null,
      gatePasses: report.best?.gatePassed ?? false,
      top: report.best ? report.best.repairs.map((r) => r.id).join('+') : null,
      inverse: c.inverse && report.failing.length ? top !== null && c.inverse.includes(top) : null,
    });
  } catch (e) {
    // Rejected before training (a typed input error, exit 2) or a crash: no run to fix.
    Object.assign(row, {
      baseline: e instanceof UserInputError ? 'exit2' : 'crash',
      error: errorMessage(e).split('\n')[0]!.slice(0, 200),
    });
  }
  row.seconds = (performance.now() - t) / 1000;
  return row;
}

function table(rows: Row[], suite: Suite, maxTrials: number | null): string[] {
  const mine = rows.filter((r) => r.suite === suite);
  if (!mine.length) return [];
  const title =
    suite === 'accuracy'
      ? 'fixtures + accuracy benchmark v1, by family'
      : 'fault benchmark (bench/faults-cases.ts), by operator';
  const lines = [
    `nnaudit verified-fix benchmark: ${title}; ${mine.length} cases${maxTrials ? `, at most ${maxTrials} trials each` : ''}`,
    '',
    `${'group'.padEnd(26)} cases  exit2/crash/no fail  failing  verified fix  gate passes  top fix = inverse  median time`,
  ];
  const pct = (n: number, d: number) => (d ? `${n}/${d} (${Math.round((100 * n) / d)}%)` : 'n/a');
  const line = (name: string, rs: Row[]) => {
    const failing = rs.filter((r) => r.baseline === 'fail');
    const withInverse = failing.filter((r) => r.inverse !== null);
    const apart = `${rs.filter((r) => r.baseline === 'exit2').length}/${rs.filter((r) => r.baseline === 'crash').length}/${rs.filter((r) => r.baseline === 'no-fail').length}`;
    const t = [...rs.map((r) => r.seconds)].sort((a, b) => a - b)[Math.floor(rs.length / 2)] ?? 0;
    lines.push(
      `${name.padEnd(26)} ${String(rs.length).padStart(5)}  ${apart.padStart(19)}  ${String(failing.length).padStart(7)}  ` +
        `${pct(failing.filter((r) => r.verified).length, failing.length).padStart(12)}  ${pct(failing.filter((r) => r.gatePasses).length, failing.length).padStart(11)}  ` +
        `${pct(withInverse.filter((r) => r.inverse).length, withInverse.length).padStart(17)}  ${`${t.toFixed(0)} s`.padStart(11)}`,
    );
  };
  for (const g of [...new Set(mine.map((r) => r.group))])
    line(
      g,
      mine.filter((r) => r.group === g),
    );
  line('all', mine);
  return [...lines, ''];
}

async function main(): Promise<void> {
  const from = arg('from');
  const maxTrials = Number(arg('max-trials') ?? 8);
  let rows: Row[] = [];
  if (from) {
    // Several runs may overlap (e.g. one run forward, one --reverse): a case counts once, from the first file holding it.
    const seen = new Set<string>();
    rows = from
      .split(',')
      .flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Row[])
      .filter((r) => !seen.has(r.id) && seen.add(r.id));
  } else {
    const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
    const suites = (arg('suite') ?? 'accuracy,faults').split(',');
    const cases = [
      ...(suites.includes('faults') ? await faultBenchCases() : []),
      ...(suites.includes('accuracy') ? accuracyCases() : []),
    ].filter((c) => !only || c.id.includes(only));
    // --reverse: a second process can work the list from the other end; --from merges both.
    if (process.argv.includes('--reverse')) cases.reverse();
    process.stderr.write(`${cases.length} cases\n`);
    for (const c of cases) {
      const row = await runCase(c, maxTrials);
      rows.push(row);
      // Saved after every case: a long run stopped part-way still leaves its rows.
      if (process.env['BENCH_FIXES_JSON'])
        writeFileSync(process.env['BENCH_FIXES_JSON'], JSON.stringify(rows, null, 1));
      const what = row.baseline === 'fail' ? `${row.verified ? 'fixed' : 'NONE '}` : row.baseline.padEnd(5);
      process.stderr.write(
        `${what} ${c.id.padEnd(44)} failing ${row.failing.join(',') || '-'}; ${row.trials} trials; best ${row.top ?? '-'}${row.gatePasses ? ' (gate passes)' : ''}; inverse ${row.inverse}; ${row.seconds.toFixed(0)} s${row.error ? ` [${row.error.slice(0, 100)}]` : ''}\n`,
      );
    }
  }
  const out = [
    ...table(rows, 'faults', from ? null : maxTrials),
    ...table(rows, 'accuracy', from ? null : maxTrials),
    'exit2/crash/no fail: cases with no run to fix (rejected before training, a crash, or no failing finding at baseline); the shares are of the failing ones.',
    'top fix = inverse: of failing cases whose fault some repair can undo (bench/fix-inverses.ts); n/a where none can.',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
