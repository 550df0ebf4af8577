// Named-column rows from either a CSV file with a header or a JSON-lines file, told apart by the first
// character. Keys are lower-cased so exports that upper-case column names (Snowflake) read the same.
import { firstChar, readCsv, readLines } from './stream.ts';
import type { MalformedRecord, ReadOptions } from './types.ts';

export type TableRow =
  | { ok: true; line: number; row: Record<string, unknown> }
  | { ok: false; line: number; endLine?: number; reason: string };

export interface TableHead {
  layout: 'csv' | 'jsonl';
  /** Column names (lower-cased) of the CSV header, or of the first JSON object. */
  columns: string[];
}

function lowerKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.toLowerCase()] = v;
  return out;
}

/**
 * Streams rows; `onHead` sees the column names before the first row is yielded so a reader can reject a
 * file that is not its format before anything is counted.
 */
export async function* readTable(
  file: string,
  hooks: ReadOptions,
  onHead: (head: TableHead) => void,
): AsyncGenerator<TableRow> {
  const first = await firstChar(file);
  if (first === '{') {
    let headSeen = false;
    for await (const { line, text } of readLines(file, hooks)) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        yield { ok: false, line, reason: `invalid JSON: ${(err as Error).message}` };
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { ok: false, line, reason: 'a JSON line must be an object' };
        continue;
      }
      const row = lowerKeys(value as Record<string, unknown>);
      if (!headSeen) {
        headSeen = true;
        onHead({ layout: 'jsonl', columns: Object.keys(row) });
      }
      yield { ok: true, line, row };
    }
    return;
  }
  yield* csvTable(file, hooks, onHead);
}

/** CSV rows named by the header: a row with another column count is one malformed row (csv.ts). */
async function* csvTable(
  file: string,
  hooks: ReadOptions,
  onHead: (head: TableHead) => void,
): AsyncGenerator<TableRow> {
  let header: string[] | null = null;
  const shape = (cells: readonly string[]): string | null =>
    header === null || cells.length === header.length
      ? null
      : `expected ${header.length} columns, got ${cells.length}`;
  for await (const r of readCsv(file, hooks, shape)) {
    if (!r.ok) {
      if (header === null) onHead({ layout: 'csv', columns: [] });
      yield r;
      continue;
    }
    if (header === null) {
      header = r.cells.map((c) => c.trim().toLowerCase());
      onHead({ layout: 'csv', columns: header });
      continue;
    }
    const row: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = r.cells[i];
    yield { ok: true, line: r.line, row };
  }
}

/** A row the table could not read, as the reader's malformed record. */
export function malformedRow(r: { line: number; endLine?: number; reason: string }): MalformedRecord {
  return r.endLine === undefined
    ? { kind: 'malformed', line: r.line, reason: r.reason }
    : { kind: 'malformed', line: r.line, endLine: r.endLine, reason: r.reason };
}
