// The only importer of @polyglot-sql/sdk (a WASM port of sqlglot): the second front end, used only for
// statements no node-sql-parser grammar reads. Its AST goes through convert-polyglot.ts into our tree.
import { Dialect, generate, parse } from '@polyglot-sql/sdk';
import type { Platform } from '../../src/model/lineage.ts';

export type PolyNode = Record<string, unknown>;

const DIALECTS: Record<Platform, Dialect> = {
  snowflake: Dialect.Snowflake,
  bigquery: Dialect.BigQuery,
  postgres: Dialect.PostgreSQL,
  redshift: Dialect.Redshift,
  databricks: Dialect.Databricks,
  trino: Dialect.Trino,
  duckdb: Dialect.DuckDB,
  mysql: Dialect.MySQL,
  tsql: Dialect.TSQL,
  teradata: Dialect.Teradata,
  generic: Dialect.Generic,
};

export type PolyOutcome = { ok: true; ast: PolyNode } | { ok: false; message: string };

/** Parses one statement with sqlglot's grammar for the platform. Never throws. */
export function parsePolyglot(sql: string, platform: Platform): PolyOutcome {
  try {
    const r = parse(sql, DIALECTS[platform]);
    if (!r.success)
      return { ok: false, message: `polyglot: ${String(r.error ?? 'parse failed')}`.slice(0, 400) };
    const ast = r.ast as unknown;
    const first = Array.isArray(ast) ? ast[0] : ast;
    if (!first || typeof first !== 'object') return { ok: false, message: 'polyglot: empty statement' };
    return { ok: true, ast: first as PolyNode };
  } catch (err) {
    return {
      ok: false,
      message: `polyglot: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400),
    };
  }
}

/** SQL text of one expression node (names unaliased SELECT items). Never throws. */
export function polyglotSqlOf(node: unknown, platform: Platform): string {
  try {
    const r = generate([node], DIALECTS[platform]);
    return r.success && r.sql ? (r.sql[0] ?? '') : '';
  } catch {
    return '';
  }
}
