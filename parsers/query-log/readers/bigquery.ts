// BigQuery: an export of `region-xx`.INFORMATION_SCHEMA.JOBS (or JOBS_BY_PROJECT/USER/ORGANIZATION) as JSON
// lines (`bq query --format=json` / EXPORT DATA … format='JSON'), where destination_table, referenced_tables
// and error_result are nested records. A CSV export with those three columns as TO_JSON_STRING(...) or
// `project.dataset.table` strings reads too. Field names follow the JOBS view schema in Google's docs.
import { malformedRow, readTable } from '../table.ts';
import type { LogRecord, QueryLogReader, QueryStatus, ReportedAccess } from '../types.ts';
import { badTime, parseTimestamp } from '../time.ts';
import { jsonCell, str } from '../values.ts';
import { requireColumns } from './require.ts';

interface TableRef {
  project_id?: string;
  dataset_id?: string;
  table_id?: string;
}

function tableName(value: unknown): string | undefined {
  const v = typeof value === 'string' && !value.trim().startsWith('{') ? value : jsonCell(value);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (v && typeof v === 'object') {
    const t = v as TableRef;
    if (!t.dataset_id || !t.table_id) return undefined;
    return [t.project_id, t.dataset_id, t.table_id]
      .filter((p): p is string => !!p)
      .map((p) => `\`${p}\``)
      .join('.');
  }
  return undefined;
}

function tableNames(value: unknown): string[] {
  const v = typeof value === 'string' && value.trim().startsWith('[') ? jsonCell(value) : value;
  if (Array.isArray(v)) return v.flatMap((t) => tableName(t) ?? []);
  const one = tableName(v);
  return one ? [one] : [];
}

/** Anonymous result tables of plain queries live in datasets starting with `_` (e.g. `_a1b2…`). */
function isAnonymous(name: string): boolean {
  return /(^|\.)`?_/.test(name.split('.').slice(-2, -1)[0] ?? '');
}

/** A job id is unique within its project (JOBS view `job_id`). */
function jobId(row: Record<string, unknown>): string | undefined {
  const job = str(row.job_id);
  return job === undefined ? undefined : `${str(row.project_id) ?? ''}:${job}`;
}

function status(row: Record<string, unknown>): QueryStatus {
  const state = (str(row.state) ?? 'DONE').toUpperCase();
  if (state !== 'DONE') return 'cancelled';
  const err = jsonCell(row.error_result);
  if (err && typeof err === 'object') {
    const reason = String((err as { reason?: unknown }).reason ?? '').toLowerCase();
    return reason === 'stopped' ? 'cancelled' : 'failed';
  }
  return 'success';
}

const WRITING = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'CREATE_TABLE_AS_SELECT',
  'CREATE_VIEW',
  'CREATE_MATERIALIZED_VIEW',
  'CREATE_TABLE',
  'TRUNCATE_TABLE',
]);

export const bigqueryReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    const rows = readTable(file, options, (head) =>
      requireColumns('BigQuery INFORMATION_SCHEMA.JOBS', head, [
        ['query'],
        ['user_email'],
        ['creation_time'],
      ]),
    );
    for await (const r of rows) {
      if (!r.ok) {
        yield malformedRow(r);
        continue;
      }
      const row = r.row;
      const jobType = (str(row.job_type) ?? 'QUERY').toUpperCase();
      if (jobType !== 'QUERY') continue; // LOAD/EXTRACT/COPY jobs carry no SQL
      const text = str(row.query);
      const at = parseTimestamp(row.creation_time, options.timeZone);
      if (!text || !at.ok) {
        yield {
          kind: 'malformed',
          line: r.line,
          reason: at.ok ? 'empty query' : badTime('creation_time', at),
        };
        continue;
      }
      const statementType = str(row.statement_type)?.toUpperCase();
      const destination = tableName(row.destination_table);
      const writes =
        destination && !isAnonymous(destination) && (!statementType || WRITING.has(statementType))
          ? [{ name: destination, columns: [] }]
          : [];
      const hasRefs = 'referenced_tables' in row || 'destination_table' in row;
      const access: ReportedAccess | undefined = hasRefs
        ? {
            reads: tableNames(row.referenced_tables).map((name) => ({ name, columns: [] })),
            writes,
            columnLineage: [],
            columnLevel: false,
          }
        : undefined;
      yield {
        kind: 'query',
        line: r.line,
        text,
        user: str(row.user_email) ?? 'unknown',
        at: at.at,
        queryId: jobId(row),
        database: str(row.project_id),
        status: status(row),
        queryType: statementType,
        executions: 1,
        access,
      };
    }
  },
};
