import type { GatherProgress } from '../gather/gather.js';

/**
 * Per-epoch progress on stderr (stdout stays clean for --json): a redrawn bar on a TTY,
 * plain lines (at most ~20 per run) otherwise, nothing with --quiet.
 */
export function progressReporter(opts: {
  quiet: boolean;
  label: string;
  stream?: NodeJS.WriteStream;
}): (p: GatherProgress) => void {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return () => undefined;
  const tty = stream.isTTY === true;
  const started = Date.now();
  return (p) => {
    if (p.phase === 'load') {
      stream.write(`${opts.label}: ${p.message}\n`);
      return;
    }
    if (p.phase === 'done') {
      if (tty) stream.write('\n');
      return;
    }
    if (p.phase !== 'train') return;
    const logs = Object.entries(p.logs ?? {})
      .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(4) : String(v)}`)
      .join('  ');
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    if (tty) {
      const width = 24;
      const filled = Math.round((p.epoch / p.epochs) * width);
      stream.write(
        `\r\x1b[2K${opts.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${p.epoch}/${p.epochs}  ${logs}  ${elapsed}s`,
      );
    } else {
      const every = Math.max(1, Math.ceil(p.epochs / 20));
      if (p.epoch % every === 0 || p.epoch === p.epochs || p.epoch === 1)
        stream.write(`${opts.label}: epoch ${p.epoch}/${p.epochs}  ${logs}\n`);
    }
  };
}
