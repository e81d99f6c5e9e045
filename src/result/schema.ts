import { z } from 'zod';
import {
  artifactsSchema,
  dataInfoSchema,
  evaluationSchema,
  historySchema,
  modelInfoSchema,
  stoppedEarlySchema,
} from '../artifacts/schema.js';
import { evidenceSchema } from './evidence.js';
import { baselineSchema } from './baseline.js';
import { AGGREGATES, STATUSES, VERDICTS } from './vocabulary.js';

/** Bump when a field changes meaning; add an upgrade step in upgrade.ts so old results still render. */
export const SCHEMA_VERSION = 1;

export { STATUSES };
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

export const findingSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  status: statusSchema,
  score: z.number().min(0).max(1).nullable(),
  numericValue: z.number().nullable(),
  numericUnit: z.string().nullable(),
  displayValue: z.string(),
  /** The thresholds this run judged against, after overrides. */
  thresholds: z.record(z.string(), z.object({ value: z.number(), source: z.string() })),
  evidence: z.array(evidenceSchema),
  recommendation: z.string().nullable(),
  affectedLayers: z.array(z.string()),
  /** Set when status is "error": what the analyzer threw. */
  errorMessage: z.string().nullable(),
  /**
   * Set by `nnaudit fix` / `audit --try-fixes`: a repair retrained and shown to clear this finding without a new
   * failure. Absent: the recommendation is advice, not tested.
   */
  verifiedFix: z
    .object({
      repair: z.string(),
      title: z.string(),
      /** The finding's numericValue before and after the repair. */
      before: z.number().nullable(),
      after: z.number().nullable(),
      /** The validation metric (val_accuracy, else -val_loss) before and after. */
      metric: z.string(),
      metricBefore: z.number().nullable(),
      metricAfter: z.number().nullable(),
      /** "verified: with heNormal kernels ... the worst-layer dead fraction falls from 100% to 3% and val_accuracy rises 0.51 -> 0.97" */
      text: z.string(),
    })
    .optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const assertionResultSchema = z.object({
  id: z.string(),
  level: z.enum(['warn', 'error']),
  passed: z.boolean(),
  expected: z.string(),
  found: z.string(),
  message: z.string(),
});
export type AssertionResult = z.infer<typeof assertionResultSchema>;

export const gateResultSchema = z.object({
  preset: z.string(),
  passed: z.boolean(),
  /** 0 passed, 1 an error-level assertion failed, 2 a run error (an analyzer threw). */
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  verdict: z.enum(VERDICTS),
  assertions: z.array(assertionResultSchema),
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const resultSchema = z.object({
  $schema: z.string().optional(),
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('nnaudit'), version: z.string() }),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
    backend: z.object({ name: z.string(), reason: z.string(), tfjsVersion: z.string() }),
    node: z.string(),
    platform: z.string(),
    seed: z.number().nullable(),
  }),
  /** The validated spec the run used; null when audited from artifacts alone. */
  spec: z.record(z.string(), z.unknown()).nullable(),
  model: modelInfoSchema,
  data: dataInfoSchema,
  /** stoppedEarly: present when --fail-fast ended training before its last epoch. */
  training: z.object({ history: historySchema.nullable(), stoppedEarly: stoppedEarlySchema.optional() }),
  /**
   * The model's loss and metrics (accuracy...) on the evaluation rows: the validation split, or every row of a
   * loaded model audited with validationSplit 0. null when the artifacts carry none (callback, older artifacts).
   */
  evaluation: evaluationSchema.nullable().optional(),
  findings: z.array(findingSchema),
  gate: gateResultSchema,
  /**
   * Everything gather measured. Gradient norms are L2 norms of the gradient of the model's loss averaged over
   * the probe set (inference mode, no dropout) w.r.t. each kernel, bias and layer output; dead fractions count
   * units whose output is <= 0 on every probe sample.
   */
  measurements: artifactsSchema,
  runWarnings: z.array(z.string()),
  timing: z.record(z.string(), z.number()),
  /** Present for multi-seed audits: every run's status per analyzer; measurements are those of the first seed. */
  seedRuns: z
    .object({
      seeds: z.array(z.number()),
      aggregate: z.enum(AGGREGATES),
      perAnalyzer: z.record(
        z.string(),
        z.object({ statuses: z.array(statusSchema), scores: z.array(z.number().nullable()), chosenSeed: z.number() }),
      ),
    })
    .optional(),
  /** Present when compared with an earlier run (--baseline, or the previous queued run of the same name). */
  baseline: baselineSchema.optional(),
});
export type AuditResult = z.infer<typeof resultSchema>;
