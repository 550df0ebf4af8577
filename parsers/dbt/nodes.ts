// DbtProject + catalog -> relation, column, consumer nodes and checks in a BatchBuilder.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ConsumerKind, ConsumerNode, RelationKind, RelationKey } from '../../src/model/lineage.ts';
import { columnKey, columnName, relationIdentity } from '../../src/model/identity.ts';
import type { BatchBuilder } from './builder.ts';
import type { Catalog, CatalogTable } from './catalog.ts';
import type { DbtExposure, DbtNode, DbtProject, DbtSemantic } from './types.ts';

const RELATION_TYPES: Record<string, RelationKind | undefined> = {
  model: 'model',
  source: 'source',
  seed: 'seed',
  snapshot: 'snapshot',
};

export function isRelationNode(n: DbtNode): boolean {
  return RELATION_TYPES[n.resourceType] !== undefined;
}

/** A dbt node's relation: relation_name when present, else database.schema.alias|identifier|name. */
export function nodeRelation(n: DbtNode, project: DbtProject): ReturnType<typeof relationIdentity> {
  if (n.relationName) return relationIdentity(project.platform, n.relationName);
  const parts = [n.database, n.schema, n.identifier]
    .filter((p): p is string => p !== null && p !== '')
    .map((value) => ({ value, quoted: false }));
  return relationIdentity(project.platform, parts);
}

export interface NodeIndex {
  /** unique_id -> relation key, for models, sources, seeds, snapshots. */
  keyOf: Map<string, RelationKey>;
  /** Ephemeral model name -> its unique_id (for `__dbt__cte__<name>`). */
  ephemeralByName: Map<string, string>;
  /** Relation key -> folded column names known from the catalog (the warehouse truth). */
  catalogColumns: Map<RelationKey, string[]>;
}

export function addRelations(
  b: BatchBuilder,
  project: DbtProject,
  catalog: Catalog | null,
  targetDir: string,
): NodeIndex {
  const index: NodeIndex = {
    keyOf: new Map(),
    ephemeralByName: new Map(),
    catalogColumns: new Map(),
  };
  const ids = [...project.nodes.keys()].sort();
  for (const id of ids) {
    const n = project.nodes.get(id) as DbtNode;
    const kind = RELATION_TYPES[n.resourceType];
    if (!kind) continue;
    const ident = nodeRelation(n, project);
    const cat = catalog?.tables.get(id);
    index.keyOf.set(id, ident.key);
    if (n.materialized === 'ephemeral') index.ephemeralByName.set(n.name, id);
    b.addRelation({
      key: ident.key,
      kind,
      platform: project.platform,
      displayName: ident.displayName,
      database: ident.database,
      schema: ident.schema,
      name: ident.name,
      uniqueId: id,
      ...(n.description ? { description: n.description } : {}),
      owners: n.owners,
      tags: n.tags,
      // Key assets are marked by tag (key, key-asset, key_asset, critical, tier1/tier-1).
      isKeyAsset: n.tags.some((t) => /^(key|key[-_]asset|critical|tier[-_]?1)$/i.test(t)),
      ...(n.materialized ? { materialization: n.materialized } : {}),
      packageName: n.packageName,
      ...(n.checksum && n.resourceType !== 'source' ? { sqlChecksum: n.checksum } : {}),
      ...(cat?.sizeBytes !== undefined ? { sizeBytes: cat.sizeBytes } : {}),
      ...(cat?.rowCount !== undefined ? { rowCount: cat.rowCount } : {}),
      ...(n.access ? { access: n.access } : {}),
      ...(n.group ? { group: n.group } : {}),
    });
    addColumns(b, project, n, ident.key, cat, targetDir, index);
  }
  return index;
}

function addColumns(
  b: BatchBuilder,
  project: DbtProject,
  n: DbtNode,
  relation: RelationKey,
  cat: CatalogTable | undefined,
  targetDir: string,
  index: NodeIndex,
): void {
  const documented = new Map(n.columns.map((c) => [columnName(project.platform, c.name), c]));
  const seen = new Set<string>();
  let ordinal = 0;
  if (cat) {
    const names: string[] = [];
    for (const c of cat.columns) {
      const folded = columnName(project.platform, c.name);
      if (seen.has(folded)) continue;
      seen.add(folded);
      names.push(folded);
      const doc = documented.get(folded);
      b.addColumn({
        key: columnKey(relation, folded),
        relationKey: relation,
        name: folded,
        displayName: c.name,
        ...(c.type ? { dataType: c.type } : doc?.dataType ? { dataType: doc.dataType } : {}),
        ...(doc?.description
          ? { description: doc.description }
          : c.comment
            ? { description: c.comment }
            : {}),
        tags: doc?.tags ?? [],
        ordinal: c.index ?? ++ordinal,
      });
      ordinal = Math.max(ordinal, c.index ?? ordinal);
    }
    index.catalogColumns.set(relation, names);
  } else if (n.resourceType === 'seed') {
    const header = seedHeader(n, targetDir);
    if (header)
      index.catalogColumns.set(
        relation,
        header.map((h) => columnName(project.platform, h)),
      );
    for (const h of header ?? []) {
      const folded = columnName(project.platform, h);
      if (seen.has(folded)) continue;
      seen.add(folded);
      const doc = documented.get(folded);
      b.addColumn({
        key: columnKey(relation, folded),
        relationKey: relation,
        name: folded,
        displayName: h,
        ...(doc?.dataType ? { dataType: doc.dataType } : {}),
        ...(doc?.description ? { description: doc.description } : {}),
        tags: doc?.tags ?? [],
        ordinal: ++ordinal,
      });
    }
  }
  for (const [folded, doc] of documented) {
    if (seen.has(folded)) continue;
    seen.add(folded);
    b.addColumn({
      key: columnKey(relation, folded),
      relationKey: relation,
      name: folded,
      displayName: doc.name,
      ...(doc.dataType ? { dataType: doc.dataType } : {}),
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags,
      ordinal: ++ordinal + 10_000,
      ...(cat ? { missingFromCatalog: true } : {}),
    });
  }
}

/** The header line of a seed's CSV when the project files sit next to target/ (or under root_path). */
function seedHeader(n: DbtNode, targetDir: string): string[] | null {
  if (!n.originalFilePath) return null;
  const candidates = isAbsolute(n.originalFilePath)
    ? [n.originalFilePath]
    : [
        ...(n.rootPath ? [join(n.rootPath, n.originalFilePath)] : []),
        join(dirname(targetDir), n.originalFilePath),
      ];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const len = readSync(fd, buf, 0, buf.length, 0);
      const line = buf
        .subarray(0, len)
        .toString('utf8')
        .split(/\r?\n/)[0]
        .replace(/^\uFEFF/, '');
      return splitCsvLine(line).filter((h) => h !== '');
    } finally {
      closeSync(fd);
    }
  }
  return null;
}

export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const CONSUMER_KINDS: Record<string, ConsumerKind> = {
  dashboard: 'dashboard',
  notebook: 'notebook',
  ml: 'ml',
  application: 'application',
  analysis: 'analysis',
};

/** What the consumer phases share: the builder, the relation index, semantics by id and the ingest time. */
interface ConsumerRun {
  b: BatchBuilder;
  index: NodeIndex;
  semantics: Map<string, DbtSemantic>;
  firstSeen: string;
}

/** The relations under dependencies, through metrics / semantic models (at most 8 levels deep). */
function relationsOf(run: ConsumerRun, deps: string[]): Set<RelationKey> {
  const out = new Set<RelationKey>();
  const seen = new Set<string>();
  let frontier = deps;
  for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const d of frontier) {
      if (seen.has(d)) continue;
      seen.add(d);
      const key = run.index.keyOf.get(d);
      if (key) out.add(key);
      else next.push(...(run.semantics.get(d)?.dependsOn ?? []));
    }
    frontier = next;
  }
  return out;
}

/** Adds the consumer and an edge from every relation it depends on. */
function addConsumer(run: ConsumerRun, consumer: ConsumerNode, dependsOn: string[]): void {
  run.b.consumers.set(consumer.key, consumer);
  for (const from of relationsOf(run, dependsOn))
    run.b.addConsumerEdge({
      from,
      to: consumer.key,
      provenance: 'dbt_manifest',
      confidence: 'EXACT',
      firstSeen: run.firstSeen,
      lastSeen: run.firstSeen,
      queryCount: 1,
      statementId: consumer.key,
    });
}

function exposureConsumer(e: DbtExposure): ConsumerNode {
  return {
    key: `exposure:${e.uniqueId}`,
    kind: CONSUMER_KINDS[e.type] ?? 'other',
    name: e.label ?? e.name,
    uniqueId: e.uniqueId,
    ...(e.url ? { url: e.url } : {}),
    ...(e.description ? { description: e.description } : {}),
    owners: e.owners,
    tags: e.tags,
    ...(e.maturity ? { maturity: e.maturity } : {}),
  };
}

function semanticConsumer(s: DbtSemantic): ConsumerNode {
  return {
    key: `${s.kind}:${s.uniqueId}`,
    kind: 'other',
    name: s.name,
    uniqueId: s.uniqueId,
    ...(s.description ? { description: s.description } : {}),
    owners: [],
    tags: [...new Set([...s.tags, s.kind])].sort(),
  };
}

function analysisConsumer(n: DbtNode): ConsumerNode {
  return {
    key: `analysis:${n.uniqueId}`,
    kind: 'analysis',
    name: n.name,
    uniqueId: n.uniqueId,
    ...(n.description ? { description: n.description } : {}),
    owners: n.owners,
    tags: n.tags,
  };
}

/**
 * Exposures (and analyses, metrics, semantic models) become consumers. Dependencies on metrics / semantic
 * models are followed (bounded) to the relations underneath.
 */
export function addConsumers(
  b: BatchBuilder,
  project: DbtProject,
  index: NodeIndex,
  firstSeen: string,
): void {
  const run: ConsumerRun = {
    b,
    index,
    semantics: new Map(project.semantics.map((s) => [s.uniqueId, s])),
    firstSeen,
  };
  for (const e of project.exposures) addConsumer(run, exposureConsumer(e), e.dependsOn);
  for (const s of project.semantics) addConsumer(run, semanticConsumer(s), s.dependsOn);
  for (const n of project.nodes.values())
    if (n.resourceType === 'analysis') addConsumer(run, analysisConsumer(n), n.dependsOn);
}

/** Tests become checks on the column they test (when it is a known column) or on the relation. */
export function addChecks(b: BatchBuilder, project: DbtProject, index: NodeIndex): void {
  for (const n of project.nodes.values()) {
    if (n.resourceType !== 'test') continue;
    const target = n.attachedNode ?? n.dependsOn.find((d) => index.keyOf.has(d));
    const relationKey = target ? index.keyOf.get(target) : undefined;
    if (!relationKey) continue;
    let colKey: string | undefined;
    if (n.testColumn) {
      const folded = columnName(project.platform, n.testColumn.replace(/^"(.*)"$/, '$1'));
      const k = columnKey(relationKey, folded);
      if (b.columns.has(k)) colKey = k;
    }
    b.checks.set(n.uniqueId, {
      id: n.uniqueId,
      name: n.name,
      relationKey,
      ...(colKey ? { columnKey: colKey } : {}),
      testType: n.testName ?? 'singular',
    });
  }
}
