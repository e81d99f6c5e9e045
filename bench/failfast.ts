/**
 * `npm run bench:failfast`: on the failing fixtures and every accuracy-benchmark case with a problem built in,
 * audits each case with and without --fail-fast (alternating, in one process, after a warm-up) and reports per
 * family: whether the verdict (gate verdict and exit code) is the same, and the median time to a verdict with
 * fail-fast over the median time of the full run (goal: <= 0.40).
 *
 * Arguments: an optional substring of case ids; --families a,b to pick families; BENCH_FAILFAST_JSON=file saves
 * every row.
 */
import { writeFileSync } from 'node:fs';
import { audit } from '../src/audit/audit.js';
import { fixtureSpecPath } from '../src/cli/fixtures.js';
import { loadSpecFile } from '../src/config/load-spec.js';
import { failingCases } from './failing-cases.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  id: string;
  family: string;
  fullS: number;
  fastS: number;
  fullVerdict: string;
  fastVerdict: string;
  same: boolean;
  stopped: string | null;
  stopAnalyzerFailsInFull: boolean | null;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const famArg = process.argv
    .find((a) => a.startsWith('--families='))
    ?.slice('--families='.length)
    .split(',');
  const cases = failingCases().filter((c) => (!only || c.id.includes(only)) && (!famArg || famArg.includes(c.family)));
  // Warm-up: backend initialization and first-call compilation would otherwise count against whichever runs first.
  await audit(fixtureSpecPath('dead-relu'), { failFast: true });
  const rows: Row[] = [];
  for (const [i, c] of cases.entries()) {
    const spec = typeof c.spec === 'string' ? loadSpecFile(c.spec).spec : c.spec;
    const runs: Record<'fast' | 'full', { s: number; r: Awaited<ReturnType<typeof audit>> }> = {} as never;
    // Alternate which runs first, so drift in machine load does not favour one side.
    for (const mode of i % 2 ? (['full', 'fast'] as const) : (['fast', 'full'] as const)) {
      const t = performance.now();
      const r = await audit(spec, { failFast: mode === 'fast' });
      runs[mode] = { s: (performance.now() - t) / 1000, r };
    }
    const { fast, full } = runs;
    const stop = fast.r.training.stoppedEarly ?? null;
    const row: Row = {
      id: c.id,
      family: c.family,
      fullS: full.s,
      fastS: fast.s,
      fullVerdict: full.r.gate.verdict,
      fastVerdict: fast.r.gate.verdict,
      same: full.r.gate.verdict === fast.r.gate.verdict && full.r.gate.exitCode === fast.r.gate.exitCode,
      stopped: stop ? `${stop.analyzer}@${stop.epoch}/${stop.epochs}` : null,
      stopAnalyzerFailsInFull: stop ? full.r.findings.find((f) => f.id === stop.analyzer)?.status === 'fail' : null,
    };
    rows.push(row);
    process.stderr.write(
      `${row.same ? 'same' : 'DIFF'} ${c.id.padEnd(34)} full ${row.fullS.toFixed(1)} s ${row.fullVerdict}  fail-fast ${row.fastS.toFixed(1)} s ${row.fastVerdict}  ${row.stopped ?? 'not stopped'}\n`,
    );
  }
  const families = [...new Set(rows.map((r) => r.family))];
  const lines = [
    `nnaudit fail-fast benchmark: ${rows.length} failing cases (fixtures + accuracy benchmark v1), full run vs --fail-fast, medians`,
    '',
    'family           cases  same verdict  stopped  full (median)  fail-fast (median)  ratio  median per-case ratio',
  ];
  const line = (name: string, rs: Row[]) => {
    const ratio = median(rs.map((r) => r.fastS)) / median(rs.map((r) => r.fullS));
    const perCase = median(rs.map((r) => r.fastS / r.fullS));
    lines.push(
      `${name.padEnd(16)} ${String(rs.length).padStart(5)}  ${`${rs.filter((r) => r.same).length}/${rs.length}`.padStart(12)}  ${String(rs.filter((r) => r.stopped).length).padStart(7)}  ` +
        `${`${median(rs.map((r) => r.fullS)).toFixed(1)} s`.padStart(13)}  ${`${median(rs.map((r) => r.fastS)).toFixed(1)} s`.padStart(18)}  ${ratio.toFixed(2).padStart(5)}  ${perCase.toFixed(2).padStart(21)}`,
    );
  };
  for (const f of families)
    line(
      f,
      rows.filter((r) => r.family === f),
    );
  line('all', rows);
  const diffs = rows.filter((r) => !r.same);
  lines.push(
    '',
    diffs.length
      ? `Verdict changed: ${diffs.map((r) => `${r.id} (${r.fullVerdict} -> ${r.fastVerdict})`).join(', ')}`
      : 'The verdict with --fail-fast equals the verdict without it on every case.',
  );
  const wrongStop = rows.filter((r) => r.stopAnalyzerFailsInFull === false);
  if (wrongStop.length)
    lines.push(
      `Stopped on a finding the full run did not fail: ${wrongStop.map((r) => `${r.id} (${r.stopped})`).join(', ')}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env['BENCH_FAILFAST_JSON'])
    writeFileSync(process.env['BENCH_FAILFAST_JSON'], JSON.stringify(rows, null, 1));
}

await main();
