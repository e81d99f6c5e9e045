/** tfjs logs "acc"; Keras 2 logs "acc" or "accuracy": one name for all. */
export function normalizeMetricName(key: string): string {
  return key.replace(/^(val_)?acc$/, '$1accuracy');
}
