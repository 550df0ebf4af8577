// Redshift, two layouts (CSV with header or JSON lines), told apart by the `sequence` column:
// - SYS_QUERY_HISTORY (Redshift Serverless and provisioned): user_id, query_id, session_id, database_name,
//   query_type, status (success|failed|canceled|running|queued), start_time, end_time, query_text (first
//   4,000 characters). A `user_name` column (join with pg_user / svv_user_info on user_id) is used when present.
// - STL_QUERY joined with STL_QUERYTEXT, one row per 200-character chunk, ORDER BY query, sequence:
//   query, userid (or user_name), database, starttime, aborted, sequence, text. Chunks of one query are
//   concatenated in sequence order; `\n` escapes in the chunks become newlines.
// Column names are those of the system tables/views in the Amazon Redshift Database Developer Guide.
import { readTable } from '../table.ts';
import type { TableRow } from '../table.ts';
import type { LogRecord, QueryLogReader, QueryRecord, QueryStatus } from '../types.ts';
import { parseTime, str } from '../values.ts';
import { requireColumns } from './require.ts';

function sysStatus(value: unknown): QueryStatus {
  const s = (str(value) ?? 'success').toLowerCase();
  if (s === 'success') return 'success';
  if (s === 'failed') return 'failed';
  return 'cancelled';
}

function user(row: Record<string, unknown>): string {
  return (
    str(row.user_name) ??
    str(row.usename) ??
    `uid:${str(row.user_id) ?? str(row.userid) ?? '?'}`
  ).trim();
}

function* sysRow(r: Extract<TableRow, { ok: true }>): Generator<LogRecord> {
  const text = str(r.row.query_text);
  const at = parseTime(r.row.start_time);
  if (!text || !at) {
    yield { kind: 'malformed', line: r.line, reason: !text ? 'empty query_text' : 'bad start_time' };
    return;
  }
  yield {
    kind: 'query',
    line: r.line,
    text: text.trim(),
    user: user(r.row),
    at,
    database: str(r.row.database_name)?.trim(),
    status: sysStatus(r.row.status),
    queryType: str(r.row.query_type)?.toUpperCase(),
    executions: 1,
  };
}

export const redshiftReader: QueryLogReader = {
  async *read(file, hooks): AsyncIterable<LogRecord> {
    let layout: 'sys' | 'stl' = 'sys';
    const rows = readTable(file, hooks, (head) => {
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
    let current: { id: string; chunks: string[]; record: QueryRecord } | null = null;
    const finish = (): QueryRecord | null => {
      if (!current) return null;
      const text = current.chunks.join('').replaceAll('\\n', '\n').trim();
      const rec = { ...current.record, text };
      current = null;
      return rec;
    };
    for await (const r of rows) {
      if (!r.ok) {
        yield { kind: 'malformed', line: r.line, reason: r.reason };
        continue;
      }
      if (layout === 'sys') {
        yield* sysRow(r);
        continue;
      }
      const id = str(r.row.query)?.trim();
      const at = parseTime(r.row.starttime);
      if (!id || !at) {
        yield { kind: 'malformed', line: r.line, reason: !id ? 'empty query id' : 'bad starttime' };
        continue;
      }
      const chunk = typeof r.row.text === 'string' ? r.row.text : '';
      if (current && current.id === id) {
        current.chunks.push(chunk);
        continue;
      }
      const done = finish();
      if (done) yield done;
      current = {
        id,
        chunks: [chunk],
        record: {
          kind: 'query',
          line: r.line,
          text: '',
          user: user(r.row),
          at,
          database: str(r.row.database)?.trim(),
          status: str(r.row.aborted)?.trim() === '1' ? 'cancelled' : 'success',
          executions: 1,
        },
      };
    }
    const done = finish();
    if (done) yield done;
  },
};
