// Fail fast when a file's columns are not the declared format's.
import { lineageError } from '../../../src/errors.ts';
import type { TableHead } from '../table.ts';

/** Each entry is a set of alternatives; at least one of each must be present. */
export function requireColumns(format: string, head: TableHead, required: string[][]): void {
  const have = new Set(head.columns);
  const missing = required.filter((alts) => !alts.some((a) => have.has(a))).map((alts) => alts.join('|'));
  if (missing.length > 0) {
    const seen = head.columns.slice(0, 12).join(', ') || '(none)';
    throw lineageError(
      'QUERY_LOG_WRONG_FORMAT',
      `not a ${format} export: missing column(s) ${missing.join(', ')} (found ${seen})`,
      { format, missing },
    );
  }
}
