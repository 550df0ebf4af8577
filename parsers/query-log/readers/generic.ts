// Generic JSON lines, one query per line: {query, user, timestamp, dialect?, database?, schema?, role?, status?,
// query_id?}.
// `dialect` is one of the platform names (snowflake, bigquery, postgres, redshift, …); `status` is
// success (default) | failed | cancelled.
import { PLATFORMS } from '../../../src/model/lineage.ts';
import type { Platform } from '../../../src/model/lineage.ts';
import { malformedRow, readTable } from '../table.ts';
import type { LogRecord, QueryLogReader, QueryStatus } from '../types.ts';
import { badTime, parseTimestamp } from '../time.ts';
import { str } from '../values.ts';
import { requireColumns } from './require.ts';

const STATUSES: Record<string, QueryStatus> = {
  success: 'success',
  succeeded: 'success',
  ok: 'success',
  failed: 'failed',
  fail: 'failed',
  error: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export const genericReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    const rows = readTable(file, options, (head) => {
      requireColumns('generic JSON-lines query log', head, [['query'], ['timestamp']]);
    });
    for await (const r of rows) {
      if (!r.ok) {
        yield malformedRow(r);
        continue;
      }
      const row = r.row;
      const text = str(row.query);
      const at = parseTimestamp(row.timestamp, options.timeZone);
      const dialect = str(row.dialect)?.toLowerCase();
      const status = STATUSES[(str(row.status) ?? 'success').toLowerCase()];
      const problem = !text
        ? 'empty query'
        : !at.ok
          ? badTime('timestamp', at)
          : dialect && !(PLATFORMS as readonly string[]).includes(dialect)
            ? `unknown dialect '${dialect}'`
            : !status
              ? `unknown status '${str(row.status)}'`
              : null;
      if (problem) {
        yield { kind: 'malformed', line: r.line, reason: problem };
        continue;
      }
      yield {
        kind: 'query',
        line: r.line,
        text: text!,
        user: str(row.user) ?? 'unknown',
        role: str(row.role),
        queryId: str(row.query_id),
        at: (at as { at: string }).at,
        database: str(row.database),
        schema: str(row.schema),
        status,
        platform: dialect as Platform | undefined,
        executions: 1,
      };
    }
  },
};
