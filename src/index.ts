/** nnaudit's public library API. */
export { audit, type AuditOptions } from './audit.js';
export { gather, type GatherOptions, type GatherProgress } from './gather/gather.js';
export { analyze, type AnalyzeOptions } from './result/build-result.js';
export { nnauditCallback, type CallbackOptions } from './gather/callback.js';
export { loadSpecFile, validateSpec } from './config/load-spec.js';
export { upgradeResult } from './result/upgrade.js';
export { readArtifacts } from './artifacts/io.js';
export { writeOutputs } from './report/write-outputs.js';
export { summaryText } from './report/summary-text.js';
export { junitXml } from './report/junit.js';
export { markdownSummary } from './report/markdown.js';
export { ANALYZERS, ANALYZER_IDS } from './analyzers/index.js';
export { selectBackend, type BackendInfo, type BackendName } from './gather/backend.js';
export type { Spec, SpecInput } from './config/spec-schema.js';
export type { Artifacts } from './artifacts/schema.js';
export type { AuditResult, Finding, GateResult } from './result/schema.js';
export { UserInputError, SpecError, ModelLoadError, DataError, ArtifactError } from './errors.js';
