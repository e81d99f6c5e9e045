import type { Evidence } from '../result/evidence.js';
import { num } from './number-format.js';
import type { TableView } from './view-types.js';

/** Rows per evidence table in the report; the rest are counted, not dropped silently. */
export const MAX_TABLE_ROWS = 40;

/**
 * Nothing trained: a "... at start" column beside its "... at end" shows one snapshot twice. Results written before
 * the analyzers knew (dead-relu's "Dead at start / Dead at end") keep one column, named without the "at end".
 */
function oneSnapshotColumns(columns: TableColumn[]): TableColumn[] {
  const ends = new Set(columns.flatMap((c) => (/ at end$/i.test(c.label) ? [c.label.replace(/ at end$/i, '')] : [])));
  return columns
    .filter((c) => !(/ at start$/i.test(c.label) && ends.has(c.label.replace(/ at start$/i, ''))))
    .map((c) => (/ at end$/i.test(c.label) ? { ...c, label: c.label.replace(/ at end$/i, '') } : c));
}

type TableColumn = Extract<Evidence, { kind: 'table' }>['columns'][number];

export function tableView(e: Extract<Evidence, { kind: 'table' }>, untrained = false): TableView {
  const highlight = new Set(e.highlight ?? []);
  const columns = untrained ? oneSnapshotColumns(e.columns) : e.columns;
  return {
    title: e.title,
    columns: columns.map((c) => c.label),
    rows: e.rows.slice(0, MAX_TABLE_ROWS).map((row, i) => ({
      cells: columns.map((c) => {
        const v = row[c.key];
        return typeof v === 'number' || v === null || v === undefined ? num(v, c.unit) : String(v);
      }),
      highlight: highlight.has(i),
    })),
    more: Math.max(0, e.rows.length - MAX_TABLE_ROWS),
  };
}
