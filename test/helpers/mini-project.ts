// Builds tiny v12 dbt target directories for focused tests (real manifest field names, minimal content).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MiniNode {
  id: string;
  type?: 'model' | 'seed' | 'snapshot' | 'test' | 'analysis';
  schema?: string;
  materialized?: string;
  sql?: string | null;
  deps?: string[];
  columns?: Record<string, { description?: string; data_type?: string }>;
  config?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export interface MiniSource {
  id: string;
  schema?: string;
}

export function miniManifest(
  nodes: MiniNode[],
  sources: MiniSource[] = [],
  extra: Record<string, unknown> = {},
) {
  const node = (n: MiniNode) => {
    const type = n.type ?? 'model';
    const name = n.id;
    const schema = n.schema ?? 'main';
    const uid = `${type}.mini.${name}`;
    const ephemeral = n.materialized === 'ephemeral';
    return [
      uid,
      {
        database: 'db',
        schema,
        name,
        resource_type: type,
        package_name: 'mini',
        path: `${name}.sql`,
        original_file_path: type === 'seed' ? `seeds/${name}.csv` : `models/${name}.sql`,
        unique_id: uid,
        alias: name,
        checksum: { name: 'sha256', checksum: `c-${name}` },
        config: {
          materialized: n.materialized ?? (type === 'seed' ? 'seed' : 'table'),
          tags: [],
          meta: {},
          ...n.config,
        },
        tags: [],
        description: '',
        columns: Object.fromEntries(Object.entries(n.columns ?? {}).map(([c, v]) => [c, { name: c, ...v }])),
        meta: {},
        relation_name:
          ephemeral || type === 'test' || type === 'analysis' ? null : `"db"."${schema}"."${name}"`,
        depends_on: { macros: [], nodes: n.deps ?? [] },
        compiled: n.sql != null,
        ...(n.sql !== undefined && n.sql !== null ? { compiled_code: n.sql } : {}),
        ...n.extra,
      },
    ] as const;
  };
  const source = (s: MiniSource) => {
    const uid = `source.mini.raw.${s.id}`;
    return [
      uid,
      {
        database: 'db',
        schema: s.schema ?? 'raw',
        name: s.id,
        resource_type: 'source',
        package_name: 'mini',
        unique_id: uid,
        source_name: 'raw',
        identifier: s.id,
        relation_name: `"db"."${s.schema ?? 'raw'}"."${s.id}"`,
        columns: {},
      },
    ] as const;
  };
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.9.0',
      generated_at: '2026-01-01T00:00:00Z',
      project_name: 'mini',
      adapter_type: 'duckdb',
    },
    nodes: Object.fromEntries(nodes.map(node)),
    sources: Object.fromEntries(sources.map(source)),
    macros: {},
    exposures: {},
    ...extra,
  };
}

export function catalogOf(tables: Record<string, { schema?: string; columns: [string, string][] }>) {
  const entry = (uid: string, t: { schema?: string; columns: [string, string][] }) => ({
    metadata: { type: 'BASE TABLE', database: 'db', schema: t.schema ?? 'main', name: uid.split('.').pop() },
    columns: Object.fromEntries(t.columns.map(([n, type], i) => [n, { name: n, type, index: i + 1 }])),
    stats: {},
    unique_id: uid,
  });
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  for (const [uid, t] of Object.entries(tables))
    (uid.startsWith('source.') ? sources : nodes)[uid] = entry(uid, t);
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json',
      generated_at: '2026-01-01T00:00:00Z',
    },
    nodes,
    sources,
  };
}

/** Writes `<tmp>/project/target/{manifest,catalog}.json` (+ extra files relative to the project) and returns the target dir. */
export function writeTarget(
  manifest: unknown,
  catalog?: unknown,
  projectFiles: Record<string, string> = {},
): string {
  const root = mkdtempSync(join(tmpdir(), 'dbt-mini-'));
  const target = join(root, 'target');
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'manifest.json'), JSON.stringify(manifest));
  if (catalog) writeFileSync(join(target, 'catalog.json'), JSON.stringify(catalog));
  for (const [rel, text] of Object.entries(projectFiles)) {
    const file = join(root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  return target;
}
