// node-sql-parser's grammars per platform (no import of the library, so the plan can be made without
// loading it): first the platform's own grammar, then the closest relatives.
import type { Platform } from '../../src/model/lineage.ts';

/** Grammar chains per platform: first the platform's own grammar, then the closest relatives. */
export const GRAMMARS: Record<Platform, readonly string[]> = {
  snowflake: ['snowflake', 'postgresql', 'bigquery', 'redshift'],
  bigquery: ['bigquery', 'postgresql', 'mysql', 'snowflake'],
  postgres: ['postgresql', 'redshift', 'snowflake', 'bigquery'],
  redshift: ['redshift', 'postgresql', 'snowflake'],
  databricks: ['hive', 'bigquery', 'mysql', 'postgresql'],
  trino: ['trino', 'athena', 'postgresql', 'snowflake'],
  duckdb: ['postgresql', 'snowflake', 'bigquery', 'trino'],
  mysql: ['mysql', 'mariadb', 'postgresql'],
  tsql: ['transactsql', 'postgresql', 'mysql'],
  // node-sql-parser has no Teradata grammar: polyglot's reads first, these after it.
  teradata: ['postgresql', 'snowflake', 'mysql'],
  generic: ['postgresql', 'snowflake', 'bigquery', 'mysql', 'hive', 'transactsql', 'trino'],
};
