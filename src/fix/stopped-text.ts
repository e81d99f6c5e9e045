import type { StoppedEarly } from '../artifacts/schema.js';

/** "stopped at epoch 3 of 150: dead-relu: ..." for the terminal, the report and the Markdown summary (no imports: report uses it). */
export function stoppedEarlyText(s: StoppedEarly): string {
  return `stopped at epoch ${s.epoch} of ${s.epochs}: ${s.analyzer}: ${s.reason}`;
}
