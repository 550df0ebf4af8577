// STL_QUERYTEXT holds a query's text in 200-character chunks, one row each, numbered by `sequence`. An export
// is not always ordered (UNLOAD ... PARALLEL ON, files concatenated, a missing ORDER BY), so chunks are
// collected per query id in any order and a query is complete when no chunk of it arrived for WINDOW_ROWS
// rows (or at the end of the file). Memory is bounded by the queries open in that window (at most
// MAX_OPEN_QUERIES). A query whose chunks do not run 0..n without a gap is reported, not guessed.
import type { LogRecord, QueryRecord } from '../types.ts';

export const WINDOW_ROWS = 100_000;
export const MAX_OPEN_QUERIES = 50_000;

export interface StlChunk {
  id: string;
  sequence: number;
  text: string;
  line: number;
  /** The query's attributes, from its first chunk seen (every chunk row repeats them). */
  record: QueryRecord;
}

interface OpenQuery {
  record: QueryRecord;
  chunks: Map<number, string>;
  lastRow: number;
  conflict: number | null;
}

export class StlTextAssembler {
  /** Insertion order is last-touched order (a touched query is moved to the end). */
  private readonly open = new Map<string, OpenQuery>();
  private rows = 0;

  /** Adds one chunk row; yields the queries that are complete by now. */
  *add(chunk: StlChunk): Generator<LogRecord> {
    this.rows++;
    let q = this.open.get(chunk.id);
    if (q) this.open.delete(chunk.id);
    else q = { record: chunk.record, chunks: new Map(), lastRow: 0, conflict: null };
    const known = q.chunks.get(chunk.sequence);
    if (known !== undefined && known !== chunk.text) q.conflict = chunk.sequence;
    q.chunks.set(chunk.sequence, chunk.text);
    if (chunk.line < q.record.line) q.record = { ...q.record, line: chunk.line };
    q.lastRow = this.rows;
    this.open.set(chunk.id, q);
    yield* this.evict();
  }

  /** Yields every query still open (end of the file), in the order their first chunk appeared. */
  *finish(): Generator<LogRecord> {
    const rest = [...this.open.entries()].sort(([, a], [, b]) => a.record.line - b.record.line);
    this.open.clear();
    for (const [id, q] of rest) yield complete(id, q);
  }

  private *evict(): Generator<LogRecord> {
    for (const [id, q] of this.open) {
      if (q.lastRow > this.rows - WINDOW_ROWS && this.open.size <= MAX_OPEN_QUERIES) return;
      this.open.delete(id);
      yield complete(id, q);
    }
  }
}

function complete(id: string, q: OpenQuery): LogRecord {
  const sequences = [...q.chunks.keys()].sort((a, b) => a - b);
  const gap = sequences.findIndex((s, i) => s !== i);
  if (q.conflict !== null) return malformed(q, `query ${id}: two different texts for chunk ${q.conflict}`);
  if (gap !== -1)
    return malformed(
      q,
      `query ${id}: text chunk ${gap} is missing (chunks of one query must be within ${WINDOW_ROWS.toLocaleString('en-US')} rows of each other)`,
    );
  const text = sequences
    .map((s) => q.chunks.get(s)!)
    .join('')
    .replaceAll('\\n', '\n')
    .trim();
  return { ...q.record, text };
}

function malformed(q: OpenQuery, reason: string): LogRecord {
  return { kind: 'malformed', line: q.record.line, reason };
}
