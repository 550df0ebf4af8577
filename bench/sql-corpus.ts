// Shared loader for the SQL benchmarks: TPC-DS / TPC-H queries and the compiled SQL of every real dbt
// manifest in ../shared/corpus, each with the platform it was written for.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../src/model/lineage.ts';
import { columnName, relationKey } from '../src/model/identity.ts';
import type { SchemaLookup } from '../parsers/sql/index.ts';
import { mapSchema, schemaFromDdl } from '../parsers/sql/index.ts';

export const CORPUS = process.env.LINEAGE_CORPUS ?? '/work/shared/corpus';

export interface CorpusStatement {
  corpus: string;
  id: string;
  sql: string;
  platform: Platform;
  defaultDatabase?: string | null;
  defaultSchema?: string | null;
  /** Known columns: the TPC DDL, or the project's catalog.json. */
  schema?: SchemaLookup;
}

const ADAPTERS: Record<string, Platform> = {
  snowflake: 'snowflake',
  bigquery: 'bigquery',
  postgres: 'postgres',
  redshift: 'redshift',
  databricks: 'databricks',
  spark: 'databricks',
  trino: 'trino',
  duckdb: 'duckdb',
  mysql: 'mysql',
};

function ddlSchema(dir: string): SchemaLookup | undefined {
  if (!existsSync(dir)) return undefined;
  const map = new Map<string, string[]>();
  for (const f of readdirSync(dir).sort()) {
    for (const [k, v] of schemaFromDdl(readFileSync(join(dir, f), 'utf8'), 'databricks')) map.set(k, v);
  }
  return mapSchema(map);
}

function queries(dir: string, corpus: string): CorpusStatement[] {
  if (!existsSync(dir)) return [];
  const schema = ddlSchema(join(dir, '..', 'schema'));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({
      corpus,
      id: f,
      sql: readFileSync(join(dir, f), 'utf8'),
      platform: 'databricks' as Platform,
      schema,
    }));
}

interface ManifestNode {
  resource_type?: string;
  compiled_code?: string;
  compiled_sql?: string;
  database?: string;
  schema?: string;
}

export function manifestStatements(): CorpusStatement[] {
  const dir = join(CORPUS, 'manifests');
  if (!existsSync(dir)) return [];
  const out: CorpusStatement[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'manifest.json');
    if (!existsSync(file)) continue;
    const m = JSON.parse(readFileSync(file, 'utf8')) as {
      metadata?: { adapter_type?: string };
      nodes?: Record<string, ManifestNode>;
    };
    const platform = ADAPTERS[m.metadata?.adapter_type ?? ''] ?? 'generic';
    const schema = catalogSchema(join(dir, name, 'catalog.json'), platform);
    for (const [id, n] of Object.entries(m.nodes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (n.resource_type !== 'model') continue;
      const sql = n.compiled_code ?? n.compiled_sql;
      if (!sql || !sql.trim()) continue;
      out.push({
        corpus: `dbt:${name}`,
        id,
        sql,
        platform,
        defaultDatabase: n.database ?? null,
        defaultSchema: n.schema ?? null,
        schema,
      });
    }
  }
  return out;
}

export function allStatements(): CorpusStatement[] {
  return [
    ...queries(join(CORPUS, 'tpcds', 'queries'), 'tpcds'),
    ...queries(join(CORPUS, 'tpch', 'queries'), 'tpch'),
    ...manifestStatements(),
  ];
}

interface CatalogTable {
  metadata: { database?: string | null; schema: string; name: string };
  columns: Record<string, { name: string; index: number }>;
}

/** Columns of every relation in a dbt catalog.json, keyed as the engine keys relations. */
function catalogSchema(file: string, platform: Platform): SchemaLookup | undefined {
  if (!existsSync(file)) return undefined;
  const c = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes?: Record<string, CatalogTable>;
    sources?: Record<string, CatalogTable>;
  };
  const map = new Map<string, string[]>();
  for (const t of [...Object.values(c.nodes ?? {}), ...Object.values(c.sources ?? {})]) {
    const parts = [t.metadata.database, t.metadata.schema, t.metadata.name]
      .filter((p): p is string => typeof p === 'string' && p !== '')
      .map((value) => ({ value, quoted: true }));
    const cols = Object.values(t.columns)
      .sort((a, b) => a.index - b.index)
      .map((col) =>
        columnName(platform, {
          value: col.name,
          quoted: platform === 'snowflake' && col.name !== col.name.toUpperCase(),
        }),
      );
    map.set(relationKey(platform, parts), cols);
  }
  return mapSchema(map);
}
