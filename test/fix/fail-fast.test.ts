import { describe, expect, it } from 'vitest';
import { failFastJudge } from '../../src/audit/fail-fast.js';
import { runAnalyzers } from '../../src/audit/run-analyzers.js';
import { ANALYZERS } from '../../src/analyzers/index.js';
import { audit } from '../../src/audit/audit.js';
import { fixtureExpectations, fixtureSpecPath } from '../../src/cli/fixtures.js';
import { resultSchema } from '../../src/result/schema.js';
import { activationLayer, makeArtifacts } from '../helpers/artifacts.js';
import { publishedValidator } from '../helpers/schema.js';
import { loadSpecFile } from '../../src/config/load-spec.js';
import { REPAIRS } from '../../src/fix/spec-patches.js';
import type { LayerSpec, Spec } from '../../src/config/spec-schema.js';

const recommended = { preset: 'recommended' as const, assertions: {} };
// Activations of a 3-layer MLP whose second layer has every unit dead (or none), at the given epoch.
const probe = (epoch: number, dead: boolean) => ({
  epoch,
  layers: [
    activationLayer('dense_1', 'relu', [0.2, 0.3, 0.1, 0.4]),
    activationLayer('dense_2', 'relu', dead ? [1, 1, 1, 1] : [0.3, 0.5, 0.2, 0.4]),
  ],
});
const partial = (deadAt: boolean[]) =>
  makeArtifacts({ activations: [probe(0, false), ...deadAt.map((d, i) => probe(i + 1, d))] });

describe('the fail-fast judge', () => {
  it("stops only once a fail-level finding has held for its analyzer's number of consecutive probes (dead-relu: 3)", () => {
    const judge = failFastJudge({}, recommended);
    expect(judge(partial([true]))).toBeNull();
    expect(judge(partial([true, false]))).toBeNull(); // a recovered probe resets the streak
    expect(judge(partial([true, false, true]))).toBeNull();
    expect(judge(partial([true, false, true, true]))).toBeNull();
    expect(judge(partial([true, false, true, true, true]))).toMatchObject({
      analyzer: 'dead-relu',
      reason: expect.stringMatching(/100% dead in dense_2/),
    });
  });

  it('never stops on a warn-level assertion (the verdict of a stopped run is FAIL), unless the gate makes it an error', () => {
    const raw = () =>
      makeArtifacts({
        data: { ...makeArtifacts().data, normalize: 'none', featureRange: { min: -500, max: 500, meanAbs: 200 } },
      });
    const warnOnly = failFastJudge({}, recommended);
    for (let i = 0; i < 5; i++) expect(warnOnly(raw())).toBeNull();
    expect(
      failFastJudge({}, { preset: 'recommended', assertions: { 'unnormalized-inputs': 'error' } })(raw()),
    ).toMatchObject({ analyzer: 'unnormalized-inputs' });
    // Disabled in the spec: never judged, never stops.
    expect(
      failFastJudge(
        { 'unnormalized-inputs': false },
        { preset: 'recommended', assertions: { 'unnormalized-inputs': 'error' } },
      )(raw()),
    ).toBeNull();
  });

  it('in a stopped run, analyzers that need the whole run report "not judged" instead of passing', () => {
    const a = makeArtifacts({
      ...partial([true, true, true]),
      stoppedEarly: { epoch: 3, epochs: 150, analyzer: 'dead-relu', reason: 'dead' },
    });
    const findings = runAnalyzers(a);
    for (const an of ANALYZERS) {
      const f = findings.find((x) => x.id === an.meta.id)!;
      if (an.meta.failFast) expect(f.displayValue).not.toMatch(/not judged/);
      else
        expect(f, an.meta.id).toMatchObject({
          status: 'notApplicable',
          displayValue: expect.stringMatching(/^not judged: training stopped at epoch 3 of 150 \(dead-relu failed\)/),
        });
    }
    expect(findings.find((f) => f.id === 'dead-relu')?.status).toBe('fail');
    expect(ANALYZERS.filter((x) => !x.meta.failFast).map((x) => x.meta.id)).toEqual(
      expect.arrayContaining(['overfitting', 'underfitting']),
    );
  });
});

/**
 * The promise of --fail-fast: it ends doomed runs early and never changes a verdict. Every fixture with fail-fast,
 * against the verdict of the full run, which fixtures.test.ts pins to fixtures/expected.json (exit 1 exactly when
 * some analyzer must fail); the sick fixtures whose problem shows early must really stop before their last epoch.
 */
const expected = fixtureExpectations();
const mustStop = new Set(['dead-relu', 'vanishing-gradients', 'exploding-gradients', 'saturated-activations']);
const validate = publishedValidator('result');

describe.each(Object.keys(expected))('fail-fast on fixture %s', (name) => {
  it('gives the verdict of the full run', async () => {
    const fast = await audit(fixtureSpecPath(name), { failFast: true });
    const sick = Object.values(expected[name]!).some((s) => s.length === 1 && s[0] === 'fail');
    expect(fast.gate.exitCode).toBe(sick ? 1 : 0);
    expect(fast.gate.verdict === 'FAIL').toBe(sick);
    const stop = fast.training.stoppedEarly;
    if (stop)
      expect(expected[name]![stop.analyzer], 'the finding that stopped it is one the full run must fail').toEqual([
        'fail',
      ]);
    if (mustStop.has(name)) {
      expect(stop, `${name} should stop early`).toBeDefined();
      expect(stop!.epoch).toBeLessThan(stop!.epochs);
      expect(fast.runWarnings).toContain(
        `training stopped at epoch ${stop!.epoch} of ${stop!.epochs}: ${stop!.analyzer}: ${stop!.reason}`,
      );
      expect(fast.training.history!.epochs).toHaveLength(stop!.epoch);
    }
    if (!sick) expect(stop, `${name} is not failing: it must train to the end`).toBeUndefined();
    expect(resultSchema.safeParse(JSON.parse(JSON.stringify(fast))).success).toBe(true);
    expect(validate(JSON.parse(JSON.stringify(fast)))).toBeNull();
  }, 600_000);
});

describe('a run fail-fast does not stop', () => {
  it('records exactly what it records without fail-fast: its own probes never touch the model or the artifacts', async () => {
    const fast = await audit(fixtureSpecPath('iris'), { failFast: true });
    const full = await audit(fixtureSpecPath('iris'), { failFast: false });
    expect(fast.training.stoppedEarly).toBeUndefined();
    expect(fast.timing['failFastProbeMs'], 'fail-fast really probed').toBeGreaterThan(0);
    const strip = (r: typeof fast) => ({
      history: r.training.history,
      gradients: r.measurements.gradients,
      weights: r.measurements.weights,
      activations: r.measurements.activations,
      findings: r.findings,
    });
    expect(strip(fast)).toEqual(strip(full));
  }, 600_000);
});

/**
 * Batch norm normalizes each training batch by its own statistics, but an inference-mode probe uses the moving
 * averages, which start at mean 0 / variance 1 and settle over a few hundred steps. Fail-fast's probes therefore run
 * batch norm as training does; the artifacts' probes stay in inference mode.
 */
describe('fail-fast on models with batch normalization', () => {
  const { spec, baseDir } = loadSpecFile(fixtureSpecPath('dead-relu'));
  const strip = (r: Awaited<ReturnType<typeof audit>>) => ({
    history: r.training.history,
    gradients: r.measurements.gradients,
    weights: r.measurements.weights,
    activations: r.measurements.activations,
    findings: r.findings,
  });

  it('does not stop a batch-norm model whose ReLUs only look dead early in inference mode (the dead-relu fixture with the batch-norm repair)', async () => {
    // dense(linear, bias -8) -> batchNormalization -> relu: batch statistics centre the -8 away at once, so training
    // keeps the units alive; the moving mean still sits near 0 for the first epochs, so inference mode sees them dead.
    // Before fail-fast probed batch norm in training mode this stopped at epoch 3 as "88% dead" (FAIL) while the
    // full run passes: a changed verdict.
    const bn = REPAIRS.batchNorm.patch(spec)!;
    const fast = await audit(bn, { baseDir, failFast: true });
    const full = await audit(bn, { baseDir, failFast: false });
    expect(fast.training.stoppedEarly).toBeUndefined();
    expect(full.findings.find((f) => f.id === 'dead-relu')?.status).not.toBe('fail');
    expect(fast.gate.verdict).toBe(full.gate.verdict);
    // Its training-mode probes update and then restore the moving averages: the run records exactly what it would without fail-fast.
    expect(strip(fast)).toEqual(strip(full));
  }, 600_000);

  it("still stops a batch-norm model whose ReLU layer really is dead, with the full run's verdict", async () => {
    // relu -> batchNormalization -> dense(relu, bias -8): the layer after batch norm gets standardized inputs and a
    // -8 bias, so it is dead in training and in inference mode alike, and gets no gradient to revive it.
    const t = (spec.model as Extract<Spec['model'], { train: unknown }>).train;
    const layers: LayerSpec[] = [t.layers[0]!, { type: 'batchNormalization', trainable: true }, ...t.layers.slice(1)];
    const dead: Spec = { ...spec, model: { train: { ...t, layers } } };
    const fast = await audit(dead, { baseDir, failFast: true });
    expect(fast.training.stoppedEarly).toMatchObject({ analyzer: 'dead-relu' });
    expect(fast.training.stoppedEarly!.epoch).toBeLessThan(fast.training.stoppedEarly!.epochs);
    const full = await audit(dead, { baseDir, failFast: false });
    expect(full.findings.find((f) => f.id === 'dead-relu')?.status).toBe('fail');
    expect(fast.gate.verdict).toBe(full.gate.verdict);
  }, 600_000);
});
