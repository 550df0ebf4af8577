// manifest.json (v1–v12) -> DbtProject. Validates node by node so the raw manifest can be dropped after.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Diagnostic, Owner, Platform } from '../../src/model/lineage.ts';
import type { DbtColumn, DbtExposure, DbtNode, DbtProject, DbtResourceType, DbtSemantic } from './types.ts';
import {
  exposureSchema,
  groupSchema,
  manifestTopSchema,
  nodeSchema,
  pathKey,
  semanticSchema,
  validate,
  type RawNode,
} from './schemas.ts';
import { checkVersion, newerVersionDiagnostic } from './versions.ts';
import { mergeOwners, ownerFrom, ownersFromMetaValue } from './owners.ts';

const ADAPTERS: Record<string, Platform> = {
  snowflake: 'snowflake',
  bigquery: 'bigquery',
  postgres: 'postgres',
  redshift: 'redshift',
  databricks: 'databricks',
  spark: 'databricks',
  trino: 'trino',
  starburst: 'trino',
  athena: 'trino',
  duckdb: 'duckdb',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlserver: 'tsql',
  synapse: 'tsql',
  fabric: 'tsql',
  teradata: 'teradata',
};

export function platformOf(adapterType: string): Platform {
  return ADAPTERS[adapterType.toLowerCase()] ?? 'generic';
}

const RESOURCE_TYPES: readonly DbtResourceType[] = [
  'model',
  'source',
  'seed',
  'snapshot',
  'analysis',
  'test',
];

function resourceType(raw: string): DbtResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(raw) ? (raw as DbtResourceType) : 'other';
}

function tagList(...values: (string | string[] | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v === 'string') out.add(v);
    else if (Array.isArray(v)) for (const t of v) out.add(t);
  }
  return [...out].sort();
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s : undefined;
}

export interface ReadManifestResult {
  project: DbtProject;
  diagnostics: Diagnostic[];
}

type ManifestTop = z.infer<typeof manifestTopSchema>;

/** Owners of each dbt group, by group name. */
function readGroups(top: ManifestTop, file: string): Map<string, Owner[]> {
  const groupOwners = new Map<string, Owner[]>();
  for (const [id, raw] of Object.entries(top.groups ?? {})) {
    const g = validate(groupSchema, raw, file, `$.groups${pathKey(id)}`);
    const o = g.owner ? ownerFrom(g.owner.name, g.owner.email, g.name) : null;
    groupOwners.set(g.name, o ? [o] : []);
  }
  return groupOwners;
}

/** Nodes and sources by unique_id; a duplicated unique_id keeps the first entry and gets a diagnostic. */
function readNodes(
  top: ManifestTop,
  file: string,
  groupOwners: Map<string, Owner[]>,
  diagnostics: Diagnostic[],
): Map<string, DbtNode> {
  const nodes = new Map<string, DbtNode>();
  const addNode = (section: string, id: string, raw: unknown): void => {
    const jsonPath = `$.${section}${pathKey(id)}`;
    const n = validate(nodeSchema, raw, file, jsonPath);
    const node = normalizeNode(n, jsonPath, groupOwners);
    const first = nodes.get(node.uniqueId);
    if (first) diagnostics.push(duplicateUniqueId(node.uniqueId, first.jsonPath, jsonPath, file));
    else nodes.set(node.uniqueId, node);
  };
  for (const [id, raw] of Object.entries(top.nodes)) addNode('nodes', id, raw);
  for (const [id, raw] of Object.entries(top.sources ?? {})) addNode('sources', id, raw);
  return nodes;
}

/** Exposures, sorted by unique_id. */
function readExposures(top: ManifestTop, file: string): DbtExposure[] {
  const exposures: DbtExposure[] = [];
  for (const [id, raw] of Object.entries(top.exposures ?? {})) {
    const e = validate(exposureSchema, raw, file, `$.exposures${pathKey(id)}`);
    const owner = ownerFrom(e.owner.name, e.owner.email);
    exposures.push({
      uniqueId: e.unique_id,
      name: e.name,
      type: e.type,
      label: nonEmpty(e.label),
      description: nonEmpty(e.description),
      url: nonEmpty(e.url),
      maturity: nonEmpty(e.maturity),
      owners: mergeOwners([...(owner ? [owner] : []), ...ownersFromMetaValue(e.meta?.owner)]),
      tags: tagList(e.tags),
      dependsOn: [...new Set(e.depends_on?.nodes ?? [])].sort(),
    });
  }
  return exposures.sort((a, b) => cmp(a.uniqueId, b.uniqueId));
}

/** Metrics and semantic models, sorted by unique_id. */
function readSemantics(top: ManifestTop, file: string): DbtSemantic[] {
  const semantics: DbtSemantic[] = [];
  const readSemantic = (section: 'metrics' | 'semantic_models', kind: DbtSemantic['kind']): void => {
    for (const [id, raw] of Object.entries(top[section] ?? {})) {
      const s = validate(semanticSchema, raw, file, `$.${section}${pathKey(id)}`);
      semantics.push({
        uniqueId: s.unique_id,
        kind,
        name: s.label ? s.label : s.name,
        description: nonEmpty(s.description),
        dependsOn: [...new Set(s.depends_on?.nodes ?? [])].sort(),
        tags: tagList(s.tags),
      });
    }
  };
  readSemantic('metrics', 'metric');
  readSemantic('semantic_models', 'semantic_model');
  return semantics.sort((a, b) => cmp(a.uniqueId, b.uniqueId));
}

/** Normalizes a parsed manifest. Throws DBT_* LineageErrors; never returns a half-valid project. */
export function readManifest(json: unknown, file: string): ReadManifestResult {
  const diagnostics: Diagnostic[] = [];
  const version = checkVersion(json, 'manifest', file);
  if (version.newer) diagnostics.push(newerVersionDiagnostic(version, file));
  const top = validate(manifestTopSchema, json, file, '$');
  const md = top.metadata;
  const nodes = readNodes(top, file, readGroups(top, file), diagnostics);
  const exposures = readExposures(top, file);
  const semantics = readSemantics(top, file);

  const adapterType = md.adapter_type ?? 'generic';
  const platform = platformOf(adapterType);
  if (platform === 'generic')
    diagnostics.push({
      code: 'DBT_UNKNOWN_ADAPTER',
      severity: 'info',
      message: `adapter '${adapterType}' has no identity rules; using generic (lower-case) folding`,
      where: { file, jsonPath: '$.metadata.adapter_type' },
    });

  return {
    project: {
      file,
      schemaVersion: version.version,
      dbtVersion: md.dbt_version ?? undefined,
      projectName: projectName(md.project_name, md.project_id, nodes),
      adapterType,
      platform,
      generatedAt: md.generated_at ?? undefined,
      nodes,
      exposures,
      semantics,
    },
    diagnostics,
  };
}

/** Two entries claim one unique_id (a node listed twice, or under two keys): the first is kept. */
export function duplicateUniqueId(uniqueId: string, kept: string, dropped: string, file: string): Diagnostic {
  return {
    code: 'DBT_DUPLICATE_UNIQUE_ID',
    severity: 'warning',
    message:
      kept === dropped
        ? `unique_id ${uniqueId} is listed twice at ${kept}; the first entry is used, the second ignored`
        : `unique_id ${uniqueId} is defined twice (${kept} and ${dropped}); the first is used, the second ignored`,
    where: { file, jsonPath: dropped, uniqueId },
  };
}

/** metadata.project_name (v10+); else the package whose md5 is metadata.project_id; else the main package. */
function projectName(
  name: string | null | undefined,
  projectId: string | null | undefined,
  nodes: Map<string, DbtNode>,
): string {
  if (name) return name;
  const counts = new Map<string, number>();
  for (const n of nodes.values())
    if (n.resourceType === 'model' || n.resourceType === 'seed')
      counts.set(n.packageName, (counts.get(n.packageName) ?? 0) + 1);
  if (projectId) {
    for (const pkg of [...counts.keys()].sort())
      if (createHash('md5').update(pkg).digest('hex') === projectId) return pkg;
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0];
  return best ? best[0] : 'unknown';
}

function normalizeNode(n: RawNode, jsonPath: string, groupOwners: Map<string, Owner[]>): DbtNode {
  const type = resourceType(n.resource_type);
  const config = n.config ?? {};
  const group = nonEmpty(n.group) ?? nonEmpty(config.group);
  const owners = mergeOwners([
    ...ownersFromMetaValue(n.meta?.owner),
    ...ownersFromMetaValue(config.meta?.owner),
    ...(group ? (groupOwners.get(group) ?? []) : []),
  ]);
  const columns: DbtColumn[] = Object.values(n.columns ?? {}).map((c) => ({
    name: c.name,
    description: nonEmpty(c.description),
    dataType: nonEmpty(c.data_type),
    tags: tagList(c.tags),
  }));
  const compiled = n.compiled_code ?? n.compiled_sql ?? null;
  // raw SQL only as the fallback of a relation that has no compiled SQL (tests' is dropped while reading)
  const raw = compiled || type === 'test' ? null : (n.raw_code ?? n.raw_sql ?? null);
  const uniqueKey = config.unique_key;
  return {
    uniqueId: n.unique_id,
    resourceType: type,
    name: n.name,
    packageName: n.package_name,
    database: nonEmpty(n.database) ?? null,
    schema: nonEmpty(n.schema) ?? null,
    identifier: nonEmpty(n.alias) ?? nonEmpty(n.identifier) ?? n.name,
    relationName: nonEmpty(n.relation_name) ?? null,
    description: nonEmpty(n.description),
    columns,
    dependsOn: [...new Set(n.depends_on?.nodes ?? [])].sort(),
    materialized: nonEmpty(config.materialized),
    compiledSql: typeof compiled === 'string' && compiled.trim() !== '' ? compiled : null,
    rawSql: typeof raw === 'string' && raw.trim() !== '' ? raw : null,
    checksum: nonEmpty(n.checksum?.checksum),
    tags: tagList(n.tags, config.tags),
    owners,
    access: nonEmpty(n.access) ?? nonEmpty(config.access),
    group,
    testName: n.test_metadata?.name ?? undefined,
    testColumn: nonEmpty(n.column_name),
    attachedNode: nonEmpty(n.attached_node),
    snapshot:
      type === 'snapshot'
        ? {
            uniqueKey: (Array.isArray(uniqueKey) ? uniqueKey : [uniqueKey]).filter(
              (k): k is string => typeof k === 'string',
            ),
            updatedAt: nonEmpty(config.updated_at),
            strategy: nonEmpty(config.strategy),
          }
        : undefined,
    originalFilePath: nonEmpty(n.original_file_path),
    rootPath: nonEmpty(n.root_path),
    jsonPath,
  };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
