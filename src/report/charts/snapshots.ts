import type { AuditResult } from '../../result/schema.js';

/**
 * A snapshot's name: "as loaded" for a model audited without training (its one snapshot is the trained checkpoint,
 * not an "epoch 0" of anything), else "epoch N".
 */
export function snapshotName(r: AuditResult): (epoch: number) => string {
  const untrained = isUntrained(r);
  return (epoch) => (untrained ? 'as loaded' : `epoch ${epoch}`);
}

/** Nothing was trained in this audit: the model was loaded and probed as saved, so no chart or table has a start and an end. */
export function isUntrained(r: AuditResult): boolean {
  return r.model.source === 'loaded' && !r.training.history?.epochs.length;
}
