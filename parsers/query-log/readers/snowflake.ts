// Snowflake: an export of SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY (CSV with header or JSON lines), optionally
// joined with ACCESS_HISTORY on QUERY_ID (columns DIRECT_OBJECTS_ACCESSED, BASE_OBJECTS_ACCESSED,
// OBJECTS_MODIFIED). Column names and value sets follow Snowflake's documentation of both views.
import { malformedRow, readTable } from '../table.ts';
import type { LogRecord, QueryLogReader, QueryStatus, ReportedAccess } from '../types.ts';
import { badTime, parseTimestamp } from '../time.ts';
import { jsonCell, str } from '../values.ts';
import { requireColumns } from './require.ts';

/** Snowflake error codes for a cancelled statement (604: "SQL execution canceled", 630: timeout). */
const CANCEL_CODES = new Set(['604', '000604', '630', '000630']);

function status(row: Record<string, unknown>): QueryStatus {
  const s = (str(row.execution_status) ?? 'SUCCESS').toUpperCase();
  if (s === 'SUCCESS') return 'success';
  const code = str(row.error_code);
  if (code && CANCEL_CODES.has(code)) return 'cancelled';
  // FAIL, INCIDENT; RUNNING/QUEUED/BLOCKED/RESUMING_WAREHOUSE never completed.
  return s === 'FAIL' || s === 'INCIDENT' || s.startsWith('FAILED') ? 'failed' : 'cancelled';
}

interface SfObject {
  objectName?: string;
  objectDomain?: string;
  columns?: { columnName?: string; directSources?: SfSource[]; baseSources?: SfSource[] }[];
}
interface SfSource {
  columnName?: string;
  objectName?: string;
}

const TABLE_DOMAINS = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'EXTERNAL TABLE', 'DYNAMIC TABLE']);

function objects(value: unknown): SfObject[] {
  const parsed = jsonCell(value);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (o): o is SfObject =>
      typeof o === 'object' &&
      o !== null &&
      typeof (o as SfObject).objectName === 'string' &&
      TABLE_DOMAINS.has(String((o as SfObject).objectDomain ?? 'TABLE').toUpperCase()),
  );
}

/** ACCESS_HISTORY columns -> reported access, or undefined when the row has none of them. */
export function snowflakeAccess(row: Record<string, unknown>): ReportedAccess | undefined {
  if (!('base_objects_accessed' in row || 'direct_objects_accessed' in row || 'objects_modified' in row))
    return undefined;
  const reads = new Map<string, Set<string>>();
  const views = new Set<string>();
  for (const o of [...objects(row.direct_objects_accessed), ...objects(row.base_objects_accessed)]) {
    const cols = reads.get(o.objectName!) ?? new Set<string>();
    for (const c of o.columns ?? []) if (c.columnName) cols.add(c.columnName);
    reads.set(o.objectName!, cols);
    if (/VIEW/i.test(String(o.objectDomain ?? ''))) views.add(o.objectName!);
  }
  const writes: ReportedAccess['writes'] = [];
  const columnLineage: ReportedAccess['columnLineage'] = [];
  for (const o of objects(row.objects_modified)) {
    writes.push({ name: o.objectName!, columns: (o.columns ?? []).flatMap((c) => c.columnName ?? []) });
    for (const c of o.columns ?? []) {
      if (!c.columnName) continue;
      const sources = (c.directSources ?? [])
        .filter((s) => s.columnName && s.objectName)
        .map((s) => ({ table: s.objectName!, column: s.columnName! }));
      columnLineage.push({ target: o.objectName!, column: c.columnName, sources });
    }
  }
  return {
    reads: [...reads].map(([name, cols]) => ({ name, columns: [...cols], view: views.has(name) })),
    writes,
    columnLineage,
    columnLevel: true,
  };
}

export const snowflakeReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    const rows = readTable(file, options, (head) =>
      requireColumns('snowflake QUERY_HISTORY', head, [
        ['query_text'],
        ['user_name'],
        ['start_time'],
        ['execution_status'],
      ]),
    );
    for await (const r of rows) {
      if (!r.ok) {
        yield malformedRow(r);
        continue;
      }
      const row = r.row;
      const text = str(row.query_text);
      const at = parseTimestamp(row.start_time, options.timeZone);
      if (!text || !at.ok) {
        yield {
          kind: 'malformed',
          line: r.line,
          reason: at.ok ? 'empty QUERY_TEXT' : badTime('START_TIME', at),
        };
        continue;
      }
      yield {
        kind: 'query',
        line: r.line,
        text,
        user: str(row.user_name) ?? 'unknown',
        role: str(row.role_name),
        at: at.at,
        queryId: str(row.query_id),
        database: str(row.database_name),
        schema: str(row.schema_name),
        status: status(row),
        queryType: str(row.query_type)?.toUpperCase(),
        executions: 1,
        access: snowflakeAccess(row),
      };
    }
  },
};
