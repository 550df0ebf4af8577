// Query-log records: what every format reader yields, whatever the warehouse. Plain data, no store.
import type { Platform } from '../../src/model/lineage.ts';

/** Relations and columns a warehouse itself reports for one query (Snowflake ACCESS_HISTORY, BigQuery JOBS). */
export interface ReportedAccess {
  /** Relations read, as written by the warehouse (`DB.SCHEMA.T`), with the columns read when known. */
  reads: { name: string; columns: string[]; view?: boolean }[];
  /** Relations written. */
  writes: { name: string; columns: string[] }[];
  /** Exact column lineage (Snowflake OBJECTS_MODIFIED.columns[].directSources). */
  columnLineage: { target: string; column: string; sources: { table: string; column: string }[] }[];
  /** True when the warehouse reports columns (ACCESS_HISTORY); false when only tables (BigQuery JOBS). */
  columnLevel: boolean;
}

export type QueryStatus = 'success' | 'failed' | 'cancelled';

export interface QueryRecord {
  kind: 'query';
  /** 1-based line of the record's first line in the file. */
  line: number;
  text: string;
  user: string;
  role?: string;
  /** ISO-8601 UTC: when the execution started. */
  at: string;
  /**
   * The warehouse's id of this execution (Snowflake QUERY_ID, BigQuery job, Redshift query, csvlog session
   * line): with `at`, the key that counts an execution once across overlapping exports.
   */
  queryId?: string;
  database?: string;
  schema?: string;
  status: QueryStatus;
  /** When the record names its dialect (generic JSONL). */
  platform?: Platform;
  /** The warehouse's own statement type (Snowflake QUERY_TYPE, BigQuery statement_type…), upper case. */
  queryType?: string;
  /** How many executions this record stands for (pg_stat_statements `calls`); 1 otherwise. */
  executions: number;
  access?: ReportedAccess;
}

export interface MalformedRecord {
  kind: 'malformed';
  line: number;
  /** Last line of the damage when one report covers several lines (a broken CSV quote). */
  endLine?: number;
  reason: string;
}

export type LogRecord = QueryRecord | MalformedRecord;

/** A streaming reader: yields records in file order, never holding the file in memory. */
export interface QueryLogReader {
  read(file: string, options: ReadOptions): AsyncIterable<LogRecord>;
}

export interface ReadOptions {
  /** Called with the number of bytes consumed since the last call (for progress). */
  onBytes?(n: number): void;
  /** IANA zone of times written without one, and of zone abbreviations (csvlog `log_timezone`); default UTC. */
  timeZone?: string;
}
