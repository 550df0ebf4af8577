// A synthetic dbt project (manifest v12 + catalog) of any size, shaped like a real one: sources, staging
// models renaming source columns, ephemeral helpers, incremental models reading `{{ this }}`, marts joining
// and aggregating several parents, a snapshot, and exposures. Deterministic for a given size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SyntheticOptions {
  models: number;
  /** Columns per source table. */
  columns?: number;
}

interface Col {
  name: string;
  type: string;
}

const PROJECT = 'synthetic_shop';
const DB = 'analytics';

export function syntheticProject(options: SyntheticOptions): { manifest: unknown; catalog: unknown } {
  const width = options.columns ?? 8;
  const nSources = Math.max(2, Math.ceil(options.models / 10));
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const catalogNodes: Record<string, unknown> = {};
  const catalogSources: Record<string, unknown> = {};
  const exposures: Record<string, unknown> = {};
  const colsOf = new Map<string, Col[]>();
  const relOf = new Map<string, string>();

  const catalogEntry = (uid: string, schema: string, name: string, cols: Col[]) => ({
    metadata: { type: 'BASE TABLE', schema, name, database: DB, comment: null, owner: null },
    columns: Object.fromEntries(
      cols.map((c, i) => [c.name, { type: c.type, index: i + 1, name: c.name, comment: null }]),
    ),
    stats: {
      has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false, description: '' },
    },
    unique_id: uid,
  });

  for (let s = 0; s < nSources; s++) {
    const uid = `source.${PROJECT}.raw.src_${s}`;
    const cols: Col[] = [
      { name: 'id', type: 'INTEGER' },
      { name: 'updated_at', type: 'TIMESTAMP' },
      ...Array.from({ length: width - 2 }, (_, i) => ({
        name: `attr_${i}`,
        type: i % 2 ? 'VARCHAR' : 'DECIMAL(18,2)',
      })),
    ];
    colsOf.set(uid, cols);
    relOf.set(uid, `"${DB}"."raw"."src_${s}"`);
    sources[uid] = {
      database: DB,
      schema: 'raw',
      name: `src_${s}`,
      resource_type: 'source',
      package_name: PROJECT,
      unique_id: uid,
      source_name: 'raw',
      identifier: `src_${s}`,
      relation_name: relOf.get(uid),
      columns: {},
      description: '',
      meta: {},
      tags: [],
    };
    catalogSources[uid] = catalogEntry(uid, 'raw', `src_${s}`, cols);
  }

  const modelIds: string[] = [];
  const addModel = (
    i: number,
    sql: (self: string) => string,
    deps: string[],
    cols: Col[],
    materialized: string,
  ) => {
    const name = `m_${i}`;
    const uid = `model.${PROJECT}.${name}`;
    const rel = `"${DB}"."marts"."${name}"`;
    colsOf.set(uid, cols);
    relOf.set(uid, rel);
    nodes[uid] = {
      database: DB,
      schema: 'marts',
      name,
      resource_type: 'model',
      package_name: PROJECT,
      path: `${name}.sql`,
      original_file_path: `models/${name}.sql`,
      unique_id: uid,
      alias: name,
      checksum: { name: 'sha256', checksum: `sum${i}` },
      config: {
        materialized,
        tags: [],
        meta: i % 50 === 0 ? { owner: `team${i % 7}@example.com` } : {},
        group: null,
      },
      tags: i % 100 === 0 ? ['key-asset'] : [],
      description: '',
      columns: Object.fromEntries(
        cols
          .slice(0, 2)
          .map((c) => [
            c.name,
            { name: c.name, description: `${c.name} of ${name}`, data_type: null, tags: [], meta: {} },
          ]),
      ),
      meta: {},
      relation_name: materialized === 'ephemeral' ? null : rel,
      depends_on: { macros: [], nodes: deps },
      compiled: true,
      compiled_code: sql(rel),
      access: 'protected',
    };
    if (materialized !== 'ephemeral') catalogNodes[uid] = catalogEntry(uid, 'marts', name, cols);
    modelIds.push(uid);
  };

  for (let i = 0; i < options.models; i++) {
    if (i < nSources) {
      // staging: rename and cast source columns
      const src = `source.${PROJECT}.raw.src_${i}`;
      const sc = colsOf.get(src) as Col[];
      const cols = sc.map((c) => ({ name: c.name === 'id' ? `key_${i}` : c.name, type: c.type }));
      const select = sc.map((c) => (c.name === 'id' ? `id as key_${i}` : `${c.name}`)).join(',\n    ');
      addModel(
        i,
        () => `with source as (\n  select * from ${relOf.get(src)}\n)\nselect\n    ${select}\nfrom source`,
        [src],
        cols,
        'view',
      );
      continue;
    }
    const a = modelIds[(i * 7) % modelIds.length];
    const b = modelIds[(i * 13 + 1) % modelIds.length];
    const ac = colsOf.get(a) as Col[];
    const bc = colsOf.get(b) as Col[];
    const aKey = ac[0].name;
    const bKey = bc[0].name;
    const kind = i % 10;
    if (
      kind === 3 &&
      nodes[a] &&
      (nodes[a] as { config: { materialized: string } }).config.materialized !== 'ephemeral'
    ) {
      // ephemeral helper: filtered projection of one parent
      const cols = ac.slice(0, 4);
      addModel(
        i,
        () => `select ${cols.map((c) => c.name).join(', ')} from ${relOf.get(a)} where ${aKey} is not null`,
        [a],
        cols,
        'ephemeral',
      );
      continue;
    }
    const ephemeralParent =
      (nodes[a] as { config?: { materialized?: string } } | undefined)?.config?.materialized === 'ephemeral';
    const aRef = ephemeralParent ? `__dbt__cte__${a.split('.').pop()}` : (relOf.get(a) as string);
    const prefix = ephemeralParent
      ? `with __dbt__cte__${a.split('.').pop()} as (\n${(nodes[a] as { compiled_code: string }).compiled_code}\n), `
      : 'with ';
    const cols: Col[] = [
      { name: `key_${i}`, type: 'INTEGER' },
      { name: 'updated_at', type: 'TIMESTAMP' },
      { name: 'total_amount', type: 'DECIMAL(38,2)' },
      { name: 'label', type: 'VARCHAR' },
      { name: 'row_count', type: 'BIGINT' },
    ];
    const amount = ac.find((c) => c.type.startsWith('DECIMAL'))?.name ?? ac[0].name;
    const label = bc.find((c) => c.type === 'VARCHAR')?.name ?? bc[0].name;
    const incremental = kind === 7;
    addModel(
      i,
      (self) =>
        `${prefix}a as (\n  select * from ${aRef}\n), b as (\n  select * from ${relOf.get(b)}\n)\n` +
        `select a.${aKey} as key_${i}, max(a.updated_at) as updated_at, sum(a.${amount}) as total_amount,\n` +
        `  case when count(*) > 10 then max(b.${label}) else 'small' end as label, count(*) as row_count\n` +
        `from a left join b on a.${aKey} = b.${bKey}\n` +
        (incremental ? `where a.updated_at > (select max(updated_at) from ${self})\n` : '') +
        `group by a.${aKey}`,
      [...new Set([a, b])].sort(),
      cols,
      incremental ? 'incremental' : 'table',
    );
  }

  for (let e = 0; e < Math.max(1, Math.floor(options.models / 500)); e++) {
    const uid = `exposure.${PROJECT}.dash_${e}`;
    const dep = modelIds[modelIds.length - 1 - e * 3];
    exposures[uid] = {
      name: `dash_${e}`,
      resource_type: 'exposure',
      package_name: PROJECT,
      path: 'exposures.yml',
      original_file_path: 'models/exposures.yml',
      unique_id: uid,
      fqn: [PROJECT, `dash_${e}`],
      type: e % 2 ? 'ml' : 'dashboard',
      owner: { name: `Owner ${e}`, email: `owner${e}@example.com` },
      url: `https://bi.example.com/${e}`,
      depends_on: { macros: [], nodes: [dep] },
    };
  }

  const generatedAt = '2026-01-01T00:00:00Z';
  return {
    manifest: {
      metadata: {
        dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
        dbt_version: '1.9.0',
        generated_at: generatedAt,
        project_name: PROJECT,
        adapter_type: 'duckdb',
      },
      nodes,
      sources,
      macros: {},
      docs: {},
      exposures,
      metrics: {},
      groups: {},
      selectors: {},
      disabled: {},
      parent_map: {},
      child_map: {},
      semantic_models: {},
    },
    catalog: {
      metadata: {
        dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json',
        generated_at: generatedAt,
      },
      nodes: catalogNodes,
      sources: catalogSources,
      errors: null,
    },
  };
}

/** Writes manifest.json and catalog.json of a synthetic project into `dir`. */
export function writeSyntheticTarget(dir: string, options: SyntheticOptions): void {
  mkdirSync(dir, { recursive: true });
  const p = syntheticProject(options);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(p.manifest));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(p.catalog));
}
