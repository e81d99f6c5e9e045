import { tf } from './tf.js';
import { selectBackend, type BackendName } from './backend/backend.js';
import { explainWasmError } from './backend/wasm/memory-guard.js';
import type { Spec } from '../config/spec-schema.js';
import type { Artifacts } from '../artifacts/schema.js';
import { type Dataset, rowCount } from './data/dataset.js';
import { makeOptimizer } from './model/build-model.js';
import { encodeTargets } from './reference/targets.js';
import { compileForAudit } from './train/losses.js';
import { assembleArtifacts, type AssembleInputs } from './assemble-artifacts.js';
import { summarizeTargetTensor } from './reference/target-summary.js';
import { measureReferences } from './reference/measure-references.js';
import { trainWithProbes, type AuditTensors } from './train/train-with-probes.js';
import type { ShouldStop } from './train/early-stop.js';
import { openInputs, type AuditInputs } from './inputs.js';

export { MAX_PROBED_EPOCHS, PROBE_BUDGET, chooseProbeEpochs } from './train/probe-schedule.js';

export interface GatherProgress {
  phase: 'load' | 'train' | 'probe' | 'done';
  epoch: number;
  epochs: number;
  logs?: Record<string, number>;
  message?: string;
}

export interface GatherOptions {
  /** Folder that relative paths in the spec resolve against (the spec file's folder). */
  baseDir?: string;
  backend?: BackendName | 'auto';
  onProgress?: (p: GatherProgress) => void;
  /** Skip all probes (for benchmarking plain fit). */
  noProbes?: boolean;
  /** Fail-fast: judges the run after each probe and stops training when it returns a decision (a fresh one per call). */
  shouldStop?: ShouldStop;
}

/**
 * Trains or loads the model a spec names and records every artifact the analyzers read.
 * No tensor outlives this call: the model, optimizer and data tensors are disposed before it returns.
 * The steps, each in its own module: open the model and the data and check they fit (inputs), make the tensors,
 * train with probes (train/train-with-probes), measure the network and the references on the same rows
 * (reference/measure-references), assemble the artifacts (assemble-artifacts).
 *
 * @example
 *   const artifacts = await gather(spec, { baseDir: 'fixtures/specs' });
 */
export async function gather(spec: Spec, options: GatherOptions = {}): Promise<Artifacts> {
  const t0 = performance.now();
  const baseDir = options.baseDir ?? process.cwd();
  const progress = options.onProgress ?? (() => undefined);
  const backend = await selectBackend(options.backend);
  const tBackend = performance.now();
  let inputs: AuditInputs | null = null;
  const tensors: tf.Tensor[] = [];
  try {
    inputs = await openInputs(spec, baseDir, progress);
    const { mua, raw, data, featureShape, outputUnits, warnings } = inputs;
    const { model } = mua;
    const track = <T extends tf.Tensor>(t: T): T => {
      tensors.push(t);
      return t;
    };
    const toX = (d: Dataset) => track(tf.tensor(d.x, [rowCount(d), ...featureShape]));
    const toY = (d: Dataset) => track(encodeTargets(d, mua.loss, outputUnits));
    const t: AuditTensors = {
      xTrain: toX(data.train),
      yTrain: toY(data.train),
      validation: data.validation ? [toX(data.validation), toY(data.validation)] : undefined,
      xProbe: toX(data.probe),
      yProbe: toY(data.probe),
    };
    const metrics = mua.metrics ?? (raw.task === 'classification' ? ['accuracy'] : []);
    const optimizer = makeOptimizer(mua.optimizer);
    try {
      compileForAudit(model, optimizer, mua.loss, mua.fromLogits, metrics);
      const assemble = (
        a: Pick<AssembleInputs, 'history' | 'evaluation' | 'recorder' | 'warnings' | 'timing'> &
          Partial<AssembleInputs>,
      ) => assembleArtifacts({ spec, backend, model, mua, raw, data, outputUnits, ...a });
      const trained = await trainWithProbes(spec, mua, data, t, {
        noProbes: options.noProbes,
        shouldStop: options.shouldStop,
        progress,
        snapshot: (history, probes) =>
          assemble({ history, evaluation: null, recorder: probes, warnings: [], timing: {} }),
      });
      const refs = await measureReferences(
        mua,
        raw,
        data,
        t,
        trained.history !== null && trained.history.epochs.length > 0,
      );
      progress({ phase: 'done', epoch: trained.lastEpoch, epochs: mua.epochs });
      const { recorder, sentinel } = trained;
      return assemble({
        history: trained.history,
        evaluation: refs.evaluation,
        recorder,
        warnings: [...warnings, ...trained.warnings],
        stoppedEarly: trained.stoppedEarly,
        linearFit: refs.linearFit,
        ...(refs.neighbourFit ? { neighbourFit: refs.neighbourFit } : {}),
        ...(refs.validationVote ? { validationVote: refs.validationVote } : {}),
        // Recorded in the planned last epoch only: a run stopped early never reaches it.
        lossBeforeEnd: recorder.lossBeforeEnd,
        targetSummary: summarizeTargetTensor(t.yTrain, mua.loss),
        timing: {
          backendMs: tBackend - t0,
          trainMs: trained.trainWallMs - recorder.probeMs - sentinel.probeMs,
          ...(options.shouldStop ? { failFastProbeMs: sentinel.probeMs } : {}),
          probeMs: recorder.probeMs,
          trainCpuMs: trained.trainCpuMs - recorder.probeCpuMs - sentinel.probeCpuMs,
          probeCpuMs: recorder.probeCpuMs,
          ...refs.timing,
          totalMs: performance.now() - t0,
        },
      });
    } finally {
      optimizer.dispose();
    }
  } catch (e) {
    // A WebAssembly trap carries the emscripten glue in its stack: the user gets one line and the fix instead.
    throw explainWasmError(e);
  } finally {
    tf.dispose(tensors);
    inputs?.mua.model.dispose();
  }
}
