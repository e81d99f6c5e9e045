/** Probing every epoch of a long run adds cost without adding insight: at most this many probes, spread out. */
export const MAX_PROBED_EPOCHS = 20;
/** Share of an epoch's compute a probe may cost before "auto" probes less often (the <= 1.10x overhead goal). */
export const PROBE_BUDGET = 0.05;

/**
 * Epochs after which to probe gradients: every `every` epochs ("auto": as often as PROBE_BUDGET allows, judged by
 * probe rows vs training rows, since a probe is one forward+backward pass over its rows), at most
 * MAX_PROBED_EPOCHS, spread evenly. The first (0) and last epochs are always probed in full detail by the caller.
 * No tfjs here: the callback entry point uses it without loading gather.
 */
export function chooseProbeEpochs(
  epochs: number,
  every: number | 'auto' = 1,
  probeRows = 0,
  trainRows = 1,
): Set<number> {
  const interval =
    every === 'auto' ? Math.max(1, Math.ceil(probeRows / (PROBE_BUDGET * Math.max(1, trainRows)))) : every;
  const candidates = Array.from({ length: Math.floor(epochs / interval) }, (_, i) => (i + 1) * interval);
  if (candidates.length <= MAX_PROBED_EPOCHS) return new Set(candidates);
  const step = candidates.length / MAX_PROBED_EPOCHS;
  return new Set(
    Array.from(
      { length: MAX_PROBED_EPOCHS },
      (_, i) => candidates[Math.min(candidates.length - 1, Math.round((i + 1) * step) - 1)]!,
    ),
  );
}
