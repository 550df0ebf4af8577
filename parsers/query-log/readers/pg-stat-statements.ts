// PostgreSQL pg_stat_statements snapshots (CSV with header or JSON lines), exported with
//   SELECT r.rolname AS user_name, d.datname AS database_name, s.queryid, s.calls, s.query, now() AS snapshot_time
//   FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON d.oid = s.dbid;
// Column names are the view's (PostgreSQL 15 docs, F.32); user/database names come from the joins. Each
// row stands for `calls` executions; constants are already replaced by $n. Only successful executions are
// counted by the extension, so every row is a success.
import { statSync } from 'node:fs';
import { malformedRow, readTable } from '../table.ts';
import type { LogRecord, QueryLogReader } from '../types.ts';
import { badTime, parseTimestamp } from '../time.ts';
import { str } from '../values.ts';
import { requireColumns } from './require.ts';

export const pgStatStatementsReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    const fileTime = statSync(file).mtime.toISOString();
    const rows = readTable(file, options, (head) =>
      requireColumns('pg_stat_statements snapshot', head, [
        ['query'],
        ['calls'],
        ['user_name', 'rolname', 'userid'],
      ]),
    );
    for await (const r of rows) {
      if (!r.ok) {
        yield malformedRow(r);
        continue;
      }
      const row = r.row;
      const text = str(row.query);
      const calls = Number(str(row.calls));
      if (!text || !Number.isInteger(calls) || calls < 0) {
        yield { kind: 'malformed', line: r.line, reason: !text ? 'empty query' : 'calls is not a count' };
        continue;
      }
      if (calls === 0) continue;
      const snapshot =
        row.snapshot_time === undefined ? null : parseTimestamp(row.snapshot_time, options.timeZone);
      if (snapshot && !snapshot.ok) {
        yield { kind: 'malformed', line: r.line, reason: badTime('snapshot_time', snapshot) };
        continue;
      }
      const at = snapshot?.at ?? fileTime;
      yield {
        kind: 'query',
        line: r.line,
        text,
        user: str(row.user_name) ?? str(row.rolname) ?? `uid:${str(row.userid) ?? '?'}`,
        at,
        database: str(row.database_name) ?? str(row.datname),
        status: 'success',
        executions: calls,
      };
    }
  },
};
