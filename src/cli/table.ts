// Human-readable table output for CLI commands: aligned columns, a header rule, long cells cut with '…'.
export interface TableColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  align?: 'left' | 'right';
  /** Cells longer than this are cut (default 60). */
  max?: number;
}

function cell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return String(v);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Renders rows as a plain-text table ending with a newline; an empty list renders `(none)`. */
export function renderTable<T>(rows: readonly T[], columns: readonly TableColumn<T>[]): string {
  if (rows.length === 0) return '(none)\n';
  const body = rows.map((r) => columns.map((c) => cut(cell(c.value(r)).replace(/\s+/g, ' '), c.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((t, i) => (columns[i].align === 'right' ? t.padStart(widths[i]) : t.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return (
    [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join(
      '\n',
    ) + '\n'
  );
}

/** `key: value` lines, keys aligned. */
export function renderFields(
  fields: readonly [string, string | number | boolean | null | undefined][],
): string {
  const w = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(w)}  ${cell(v)}`).join('\n') + '\n';
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
