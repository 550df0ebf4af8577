// OpenLineage dataset naming (https://openlineage.io/docs/spec/naming) -> our relation keys.
//
// The namespace names the data source, the name the table inside it. Our keys are `database.schema.name`
// folded per platform (src/model/identity.ts) and carry no host: `postgres://db1:5432` + `shop.public.orders`
// and a dbt model `shop.public.orders` are the same relation, which is what joins OpenLineage to dbt and query
// logs. (Two servers holding the same database.schema.table are one relation here — as everywhere else.)
//
//   namespace scheme                      platform    name                      key
//   postgres:// postgresql://             postgres    db.schema.table           folded lower (unquoted)
//   redshift://                           redshift    db.schema.table           lower
//   snowflake://                          snowflake   db.schema.table           UPPER
//   bigquery                              bigquery    project.dataset.table     case kept
//   trino:// presto://                    trino       catalog.schema.table      lower
//   mysql:// mariadb:// oceanbase://      mysql       database.table            lower
//   databricks:// unitycatalog:// hive:// databricks  [catalog.]schema.table    lower
//   duckdb://                             duckdb      db.schema.table           lower
//   sqlserver:// mssql://                 tsql        [db.]schema.table         lower (case-insensitive)
//   teradata://                           teradata    database.table            lower (case-insensitive)
//   oracle:// db2:// ...                  generic     as written                lower unless quoted
//   s3:// gs:// file hdfs:// dbfs:// abfss:// kafka:// inmemory:// (paths, topics)
//                                         generic     one quoted part           `"<namespace>/<name>"`, kind external
// A Spark dataset named by path with a `symlinks` facet pointing at a TABLE is keyed by that table instead.
// Names are unquoted identifiers as the emitters send them (a quoted part, `"My Table"`, keeps its case).
import { columnName, relationIdentity, type RelationIdentity } from '../../src/model/identity.ts';
import type { Platform, RelationKind } from '../../src/model/lineage.ts';

export interface DatasetIdentity extends RelationIdentity {
  platform: Platform;
  kind: RelationKind;
  /** `namespace` + `name` as the emitter sent them. */
  namespace: string;
  olName: string;
}

const SCHEMES: Record<string, Platform> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  redshift: 'redshift',
  snowflake: 'snowflake',
  bigquery: 'bigquery',
  trino: 'trino',
  presto: 'trino',
  mysql: 'mysql',
  mariadb: 'mysql',
  oceanbase: 'mysql',
  databricks: 'databricks',
  unitycatalog: 'databricks',
  hive: 'databricks',
  spark: 'databricks',
  duckdb: 'duckdb',
  sqlserver: 'tsql',
  mssql: 'tsql',
  teradata: 'teradata',
};

/** Namespaces whose names are paths, object keys or topics, not database tables. */
const STORAGE_SCHEMES = new Set([
  's3',
  's3a',
  's3n',
  'gs',
  'gcs',
  'file',
  'hdfs',
  'dbfs',
  'abfs',
  'abfss',
  'wasb',
  'wasbs',
  'kafka',
  'pubsub',
  'inmemory',
  'box',
  'filenet',
  'mssharepoint',
  'arn',
  'azurecosmos',
  'azurekusto',
]);

/** The scheme of a namespace (`postgres://h:5432` -> postgres, `bigquery` -> bigquery), lower-cased. */
export function namespaceScheme(namespace: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(namespace);
  return (m ? m[1] : namespace).toLowerCase();
}

export function platformOfNamespace(namespace: string): Platform {
  return SCHEMES[namespaceScheme(namespace)] ?? 'generic';
}

/** The platform a `sql` facet's dialect names, when it names one we know. */
export function platformOfDialect(dialect: string | null | undefined): Platform | undefined {
  if (!dialect) return undefined;
  const d = dialect.toLowerCase();
  if (d === 'postgresql') return 'postgres';
  if (d === 'spark' || d === 'sparksql' || d === 'hive') return 'databricks';
  return SCHEMES[d];
}

export function isStorageNamespace(namespace: string): boolean {
  return STORAGE_SCHEMES.has(namespaceScheme(namespace));
}

/**
 * The relation a dataset is. `symlinks` are the facet's identifiers (Spark: the table a path belongs to);
 * the first of type TABLE in a database namespace wins over a storage path.
 */
export function datasetIdentity(
  namespace: string,
  name: string,
  symlinks?: readonly { namespace: string; name: string; type?: string | null }[],
): DatasetIdentity {
  if (isStorageNamespace(namespace) && symlinks) {
    const table = symlinks.find(
      (s) => (s.type ?? 'TABLE').toUpperCase() === 'TABLE' && !isStorageNamespace(s.namespace),
    );
    if (table) return { ...datasetIdentity(table.namespace, table.name), namespace, olName: name };
  }
  if (isStorageNamespace(namespace)) {
    const ns = namespace.replace(/\/+$/, '');
    const joined = ns.includes('://') ? `${ns}${name.startsWith('/') ? '' : '/'}${name}` : `${ns}:${name}`;
    return {
      key: `"${joined.replaceAll('"', '""')}"`,
      database: null,
      schema: null,
      name: joined,
      displayName: joined,
      platform: 'generic',
      kind: 'external',
      namespace,
      olName: name,
    };
  }
  const platform = platformOfNamespace(namespace);
  const id = relationIdentity(platform, name);
  return { ...id, platform, kind: 'table', namespace, olName: name };
}

/** A dataset field's folded column name. */
export function fieldName(platform: Platform, field: string): string {
  return columnName(platform, field);
}

/** The inverse for export: a namespace for a platform (no host is known, so a placeholder one). */
export function namespaceOfPlatform(platform: Platform): string {
  switch (platform) {
    case 'bigquery':
      return 'bigquery';
    case 'postgres':
      return 'postgres://lineage-graph:5432';
    case 'redshift':
      return 'redshift://lineage-graph:5439';
    case 'snowflake':
      return 'snowflake://lineage-graph';
    case 'trino':
      return 'trino://lineage-graph:8080';
    case 'mysql':
      return 'mysql://lineage-graph:3306';
    case 'databricks':
      return 'databricks://lineage-graph';
    case 'duckdb':
      return 'duckdb://lineage-graph';
    case 'tsql':
      return 'sqlserver://lineage-graph:1433';
    case 'teradata':
      return 'teradata://lineage-graph:1025';
    case 'generic':
      return 'lineage-graph';
  }
}
