/** Numbers as the report prints them: thousands separators, 3 significant digits, exponents for the very small or large. */
export function num(v: number | null | undefined, unit?: string): string {
  if (v === null || v === undefined) return '—';
  if (unit === '%') return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return v.toLocaleString('en-US');
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}
