// The registry of query-log formats: name -> streaming reader and the platform its SQL is written for.
import { lineageError } from '../../src/errors.ts';
import type { Platform } from '../../src/model/lineage.ts';
import { bigqueryReader } from './readers/bigquery.ts';
import { genericReader } from './readers/generic.ts';
import { pgStatStatementsReader } from './readers/pg-stat-statements.ts';
import { postgresCsvlogReader } from './readers/postgres-csvlog.ts';
import { redshiftReader } from './readers/redshift.ts';
import { snowflakeReader } from './readers/snowflake.ts';
import type { QueryLogReader } from './types.ts';

export interface QueryLogFormat {
  name: string;
  /** The dialect of the SQL in the log (generic: per record `dialect`, else --platform, else 'generic'). */
  platform: Platform | null;
  /** Default schema when a record names none (Postgres sessions start on `public`). */
  defaultSchema?: string;
  reader: QueryLogReader;
  summary: string;
}

export const QUERY_LOG_FORMATS: readonly QueryLogFormat[] = [
  {
    name: 'snowflake',
    platform: 'snowflake',
    reader: snowflakeReader,
    summary: 'ACCOUNT_USAGE.QUERY_HISTORY export (CSV or JSONL), optionally joined with ACCESS_HISTORY',
  },
  {
    name: 'bigquery',
    platform: 'bigquery',
    reader: bigqueryReader,
    summary: 'INFORMATION_SCHEMA.JOBS export (JSONL)',
  },
  {
    name: 'postgres-csvlog',
    platform: 'postgres',
    defaultSchema: 'public',
    reader: postgresCsvlogReader,
    summary: 'server csvlog with log_statement=all or log_min_duration_statement=0',
  },
  {
    name: 'pg-stat-statements',
    platform: 'postgres',
    defaultSchema: 'public',
    reader: pgStatStatementsReader,
    summary: 'pg_stat_statements snapshot (CSV or JSONL)',
  },
  {
    name: 'redshift',
    platform: 'redshift',
    defaultSchema: 'public',
    reader: redshiftReader,
    summary: 'SYS_QUERY_HISTORY, or STL_QUERY joined with STL_QUERYTEXT (CSV or JSONL)',
  },
  {
    name: 'generic',
    platform: null,
    reader: genericReader,
    summary: 'JSON lines {query, user, timestamp, dialect, database, schema}',
  },
];

export function queryLogFormat(name: string): QueryLogFormat {
  const format = QUERY_LOG_FORMATS.find((f) => f.name === name);
  if (!format)
    throw lineageError(
      'QUERY_LOG_UNKNOWN_FORMAT',
      `unknown query-log format '${name}' (known: ${QUERY_LOG_FORMATS.map((f) => f.name).join(', ')})`,
    );
  return format;
}
