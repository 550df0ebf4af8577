// Generic JSON lines, one query per line: {query, user, timestamp, dialect?, database?, schema?, role?, status?}.
// `dialect` is one of the platform names (snowflake, bigquery, postgres, redshift, …); `status` is
// success (default) | failed | cancelled.
import { PLATFORMS } from '../../../src/model/lineage.ts';
import type { Platform } from '../../../src/model/lineage.ts';
import { readTable } from '../table.ts';
import type { LogRecord, QueryLogReader, QueryStatus } from '../types.ts';
import { parseTime, str } from '../values.ts';
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
  async *read(file, hooks): AsyncIterable<LogRecord> {
    const rows = readTable(file, hooks, (head) => {
      requireColumns('generic JSON-lines query log', head, [['query'], ['timestamp']]);
    });
    for await (const r of rows) {
      if (!r.ok) {
        yield { kind: 'malformed', line: r.line, reason: r.reason };
        continue;
      }
      const row = r.row;
      const text = str(row.query);
      const at = parseTime(row.timestamp);
      const dialect = str(row.dialect)?.toLowerCase();
      const status = STATUSES[(str(row.status) ?? 'success').toLowerCase()];
      const problem = !text
        ? 'empty query'
        : !at
          ? 'bad timestamp'
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
        at: at!,
        database: str(row.database),
        schema: str(row.schema),
        status,
        platform: dialect as Platform | undefined,
        executions: 1,
      };
    }
  },
};
