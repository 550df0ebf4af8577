// Redshift, two layouts (CSV with header or JSON lines), told apart by the `sequence` column:
// - SYS_QUERY_HISTORY (Redshift Serverless and provisioned): user_id, query_id, session_id, database_name,
//   query_type, status (planning|queued|running|returning|success|failed|canceled), start_time, end_time,
//   query_text (first 4,000 characters). A `user_name` column (join with pg_user / svv_user_info on user_id)
//   is used when present.
// - STL_QUERY joined with STL_QUERYTEXT, one row per 200-character chunk: query, userid (or user_name),
//   database, starttime, aborted, sequence, text. Chunks are reassembled per query in `sequence` order
//   (stl-text.ts), whatever order the export lists them in; `\n` escapes in the chunks become newlines.
// Column names are those of the system tables/views in the Amazon Redshift Database Developer Guide; their
// times are UTC.
import { malformedRow, readTable } from '../table.ts';
import type { TableRow } from '../table.ts';
import { badTime, parseTimestamp } from '../time.ts';
import type { LogRecord, QueryLogReader, QueryStatus, ReadOptions } from '../types.ts';
import { str } from '../values.ts';
import { requireColumns } from './require.ts';
import { StlTextAssembler } from './stl-text.ts';

/**
 * SYS_QUERY_HISTORY status -> ours. `returning` (results being sent to the client) ran to completion;
 * `planning`/`queued`/`running` had not completed when the history was exported: not counted, as cancelled.
 */
const SYS_STATUS: Readonly<Record<string, QueryStatus>> = {
  success: 'success',
  returning: 'success',
  failed: 'failed',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  planning: 'cancelled',
  queued: 'cancelled',
  running: 'cancelled',
};

function user(row: Record<string, unknown>): string {
  return (
    str(row.user_name) ??
    str(row.usename) ??
    `uid:${str(row.user_id) ?? str(row.userid) ?? '?'}`
  ).trim();
}

function sysRecord(r: Extract<TableRow, { ok: true }>, options: ReadOptions): LogRecord {
  const text = str(r.row.query_text)?.trim();
  const at = parseTimestamp(r.row.start_time, options.timeZone);
  const statusText = (str(r.row.status) ?? 'success').trim().toLowerCase();
  const status = SYS_STATUS[statusText];
  const problem = !text
    ? 'empty query_text'
    : !at.ok
      ? badTime('start_time', at)
      : !status
        ? `unknown status '${statusText}'`
        : null;
  if (problem !== null || !text || !at.ok) return { kind: 'malformed', line: r.line, reason: problem ?? '' };
  return {
    kind: 'query',
    line: r.line,
    text,
    user: user(r.row),
    at: at.at,
    queryId: str(r.row.query_id)?.trim(),
    database: str(r.row.database_name)?.trim(),
    status,
    queryType: str(r.row.query_type)?.toUpperCase(),
    executions: 1,
  };
}

function* stlChunk(
  assembler: StlTextAssembler,
  r: Extract<TableRow, { ok: true }>,
  options: ReadOptions,
): Generator<LogRecord> {
  const id = str(r.row.query)?.trim();
  const at = parseTimestamp(r.row.starttime, options.timeZone);
  const sequence = Number(str(r.row.sequence)?.trim());
  if (!id || !at.ok || !Number.isInteger(sequence) || sequence < 0) {
    const reason = !id
      ? 'empty query id'
      : !at.ok
        ? badTime('starttime', at)
        : 'sequence is not a chunk number';
    yield { kind: 'malformed', line: r.line, reason };
    return;
  }
  yield* assembler.add({
    id,
    sequence,
    text: typeof r.row.text === 'string' ? r.row.text : '',
    line: r.line,
    record: {
      kind: 'query',
      line: r.line,
      text: '',
      user: user(r.row),
      at: at.at,
      queryId: id,
      database: str(r.row.database)?.trim(),
      status: str(r.row.aborted)?.trim() === '1' ? 'cancelled' : 'success',
      executions: 1,
    },
  });
}

export const redshiftReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    let layout: 'sys' | 'stl' = 'sys';
    const rows = readTable(file, options, (head) => {
      layout = head.columns.includes('sequence') ? 'stl' : 'sys';
      if (layout === 'sys')
        requireColumns('Redshift SYS_QUERY_HISTORY', head, [
          ['query_id'],
          ['query_text'],
          ['start_time'],
          ['status'],
        ]);
      else
        requireColumns('Redshift STL_QUERY + STL_QUERYTEXT', head, [
          ['query'],
          ['sequence'],
          ['text'],
          ['starttime'],
        ]);
    });
    const assembler = new StlTextAssembler();
    for await (const r of rows) {
      if (!r.ok) yield malformedRow(r);
      else if (layout === 'sys') yield sysRecord(r, options);
      else yield* stlChunk(assembler, r, options);
    }
    yield* assembler.finish();
  },
};
