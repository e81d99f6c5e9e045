import { describe, expect, it } from 'vitest';
import { judgeTrial, planCandidates, rankTrials, type Candidate, type TrialOutcome } from '../../src/fix/plan.js';
import { findFixes, TrialCancelled } from '../../src/fix/run-fixes.js';
import { sampleResult } from '../helpers/results.js';
import { fixSummary } from '../../src/fix/report.js';
import { loadSpecFile } from '../../src/config/load-spec.js';
import { fixtureSpecPath } from '../../src/cli/fixtures.js';
import { audit } from '../../src/audit/audit.js';
import type { Spec } from '../../src/config/spec-schema.js';
import type { Status } from '../../src/result/schema.js';

const deadRelu = (): Spec => loadSpecFile(fixtureSpecPath('dead-relu')).spec;
const outcome = (statuses: Record<string, Status>, over: Partial<TrialOutcome> = {}): TrialOutcome => ({
  findings: Object.fromEntries(
    Object.entries(statuses).map(([id, status]) => [
      id,
      { status, numericValue: null, numericUnit: null, displayValue: '' },
    ]),
  ),
  verdict: Object.values(statuses).includes('fail') ? 'FAIL' : 'PASS',
  gatePassed: !Object.values(statuses).includes('fail'),
  stoppedEarly: false,
  metric: { name: 'val_accuracy', value: 0.9 },
  ...over,
});
const candidate = (id: string, targets = ['dead-relu']): Candidate => ({
  repairs: [{ id, title: id }],
  spec: deadRelu(),
  targets,
});

describe('verified-fix planning and judging', () => {
  it('plans each applicable repair of the failing analyzers once, in declared order', () => {
    const c = planCandidates(deadRelu(), ['dead-relu', 'underfitting']);
    expect(c.map((x) => x.repairs[0]!.id)).toEqual([
      'he-init',
      'leaky-relu',
      'batch-norm',
      'lr-down',
      'lr-up',
      'more-epochs',
    ]);
    expect(
      planCandidates(deadRelu(), ['dead-relu'], [{ id: 'he-init', title: '' }]).map((x) => x.repairs.map((r) => r.id)),
    ).toEqual([
      ['he-init', 'leaky-relu'],
      ['he-init', 'batch-norm'],
      ['he-init', 'lr-down'],
    ]);
  });

  it.each([
    // [case, before, after, accepted, cleared, newFailures]
    [
      'clears the finding',
      { 'dead-relu': 'fail', underfitting: 'fail' },
      { 'dead-relu': 'pass', underfitting: 'pass' },
      true,
      ['dead-relu', 'underfitting'],
      [],
    ],
    [
      'clears one of two',
      { 'dead-relu': 'fail', underfitting: 'fail' },
      { 'dead-relu': 'pass', underfitting: 'fail' },
      true,
      ['dead-relu'],
      [],
    ],
    [
      'clears it but adds a failure',
      { 'dead-relu': 'fail', 'exploding-gradients': 'pass' },
      { 'dead-relu': 'pass', 'exploding-gradients': 'fail' },
      false,
      ['dead-relu'],
      ['exploding-gradients'],
    ],
    ['clears nothing', { 'dead-relu': 'fail' }, { 'dead-relu': 'fail' }, false, [], []],
  ] as const)('%s', (_name, before, after, accepted, cleared, newFailures) => {
    const t = judgeTrial(candidate('x'), outcome(before), outcome(after), 1);
    expect(t.accepted).toBe(accepted);
    expect(t.cleared).toEqual(cleared);
    expect(t.newFailures).toEqual(newFailures);
  });

  it('a candidate fail-fast stopped is never accepted: findings it did not judge are not cleared', () => {
    const t = judgeTrial(
      candidate('x'),
      outcome({ 'dead-relu': 'fail', underfitting: 'fail' }),
      outcome({ 'dead-relu': 'pass', underfitting: 'notApplicable' }, { stoppedEarly: true }),
      1,
    );
    expect(t).toMatchObject({ accepted: false, cleared: [] });
  });

  it('ranks accepted trials: gate passes first, then findings cleared, then the validation metric', () => {
    const before = outcome({ a: 'fail', b: 'fail' });
    const trials = [
      judgeTrial(
        candidate('partial-high'),
        before,
        outcome({ a: 'pass', b: 'fail' }, { metric: { name: 'm', value: 0.99 } }),
        1,
      ),
      judgeTrial(
        candidate('full-low'),
        before,
        outcome({ a: 'pass', b: 'pass' }, { metric: { name: 'm', value: 0.8 } }),
        1,
      ),
      judgeTrial(
        candidate('full-high'),
        before,
        outcome({ a: 'pass', b: 'pass' }, { metric: { name: 'm', value: 0.9 } }),
        1,
      ),
      judgeTrial(
        candidate('rejected'),
        before,
        outcome({ a: 'pass', b: 'pass', c: 'fail' }, { metric: { name: 'm', value: 1 } }),
        1,
      ),
    ];
    expect(rankTrials(trials).map((t) => t.repairs[0]!.id)).toEqual(['full-high', 'full-low', 'partial-high']);
  });
});

describe('findFixes runs candidates through runTrial', () => {
  // Stored results stand in for training: he-init "trains" to the healthy result, every other repair to the dead one.
  const baseline = () => sampleResult('dead-relu');
  const planned = () => planCandidates(deadRelu(), ['dead-relu', 'underfitting']).map((c) => c.repairs[0]!.id);
  const isHe = (s: Spec) =>
    'train' in s.model &&
    s.model.train.layers[1]!.type === 'dense' &&
    s.model.train.layers[1]!.kernelInitializer === 'heNormal' &&
    s.model.train.layers.length === 3;

  it('with concurrency 3, three candidates train at once, and the trials keep the planned order whatever order they finish in', async () => {
    let active = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const report = findFixes(deadRelu(), baseline(), {
      concurrency: 3,
      maxRounds: 1,
      runTrial: async (s) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((ok) => gates.push(ok));
        active--;
        return sampleResult(isHe(s) ? 'healthy' : 'dead-relu');
      },
    });
    // Release the waiting trials last-started first, until all have run.
    while (
      (await Promise.race([report.then(() => true), new Promise<false>((ok) => setImmediate(() => ok(false)))])) ===
      false
    )
      gates.pop()?.();
    const r = await report;
    expect(peak).toBe(3);
    expect(r.trials.map((t) => t.repairs[0]!.id)).toEqual(planned());
    expect(r.best?.repairs[0]!.id).toBe('he-init');
  });

  it('a candidate whose run throws is a rejected trial with its error, and the others still run', async () => {
    const r = await findFixes(deadRelu(), baseline(), {
      maxRounds: 1,
      runTrial: async (s) => {
        if (isHe(s)) throw new Error('memory access out of bounds');
        return sampleResult('dead-relu');
      },
    });
    expect(r.trials).toHaveLength(planned().length);
    expect(r.trials[0]).toMatchObject({ accepted: false, cleared: [], error: 'memory access out of bounds' });
    expect(r.best).toBeNull();
    const { fixTable } = await import('../../src/fix/report.js');
    expect(fixTable(r)).toMatch(/he-init .*rejected: the run failed: memory access out of bounds/);
  });

  it('when the time budget is spent, candidates still waiting to start are withdrawn and counted untried', async () => {
    const r = await findFixes(deadRelu(), baseline(), {
      concurrency: 2,
      timeBudgetMs: 0,
      runTrial: (_s, signal) =>
        new Promise((_ok, fail) =>
          signal.addEventListener('abort', () => fail(new TrialCancelled('queued candidate'))),
        ),
    });
    expect(r.trials).toHaveLength(0);
    expect(r.untried).toBe(planned().length);
    expect(fixSummary(r)).toMatch(/candidates left untried: raise --max-trials or --time-budget/);
  });
});

describe('a fix that introduces a new failure is not accepted (real training)', () => {
  // The candidate: the right repair for the dead layer (he-init), plus raw inputs scaled x200, which no analyzer
  // asked for: unnormalized-inputs fails on it. It must be rejected even though it clears dead-relu.
  const withNewFailure = (s: Spec): Spec => ({
    ...s,
    data: { ...s.data, normalize: 'none', ...('generator' in s.data ? { scale: 200 } : {}) } as Spec['data'],
  });

  it('judgeTrial rejects it, and findFixes reports no verified fix when every candidate adds that failure', async () => {
    const spec = deadRelu();
    const baseline = await audit(spec);
    expect(baseline.findings.find((f) => f.id === 'dead-relu')?.status).toBe('fail');
    const [he] = planCandidates(spec, ['dead-relu']);
    expect(he!.repairs[0]!.id).toBe('he-init');
    const trialResult = await audit(withNewFailure(he!.spec));
    const statuses = Object.fromEntries(trialResult.findings.map((f) => [f.id, f.status]));
    expect(statuses['dead-relu'], 'the candidate really clears the dead layer').not.toBe('fail');
    expect(statuses['unnormalized-inputs'], 'and really adds a failure').toBe('fail');
    const { summarize } = await import('../../src/fix/plan.js');
    const trial = judgeTrial(he!, summarize(baseline), summarize(trialResult), 1);
    // Rejected for the failure it added (the x200 inputs may unsettle the loss too: oscillating-loss can join it).
    expect(trial.accepted).toBe(false);
    expect(trial.newFailures).toContain('unnormalized-inputs');
    expect(trial.cleared).toContain('dead-relu');

    const report = await findFixes(spec, baseline, {
      maxTrials: 2,
      runTrial: (s) => audit(withNewFailure(s), { failFast: true }),
    });
    expect(report.trials).toHaveLength(2);
    expect(report.best).toBeNull();
    expect(fixSummary(report)).toMatch(
      /^No verified fix: none of the 2 repairs tried cleared dead-relu, underfitting without a new failure/,
    );
  }, 600_000);
});
