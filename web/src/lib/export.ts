// Table exports (CSV, JSON, markdown) built in the page: pure text builders, so tests check them without a
// browser (ui.tsx saves them through a download link).
export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

function csvCell(v: Cell): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

function mdCell(v: Cell): string {
  const s = v === null || v === undefined ? '' : String(v);
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(columns: readonly string[], rows: readonly Row[], title?: string): string {
  const out: string[] = title ? [`## ${mdCell(title)}`, ''] : [];
  out.push(`| ${columns.map(mdCell).join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
  for (const r of rows) out.push(`| ${columns.map((c) => mdCell(r[c])).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}

export function toJson(rows: readonly Row[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
