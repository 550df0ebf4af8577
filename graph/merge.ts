// Merged views of facts contributed by several origins. Both stores call these functions, so a node or edge
// contributed by a dbt manifest and a query log reads the same from either store.
//
// Node rule: contributions are ranked by provenance (PROVENANCE_PRIORITY) then origin id. Required fields come
// from the first-ranked contribution; each optional field from the first-ranked contribution that defines it;
// owners and tags are unioned (owners unique by id — the first-ranked owner record wins — sorted by id; tags
// unique and sorted); isKeyAsset is true when any contribution says so.
//
// Edge rule (graph/store.ts EdgeView): provenances sorted and unique; confidence the best
// (EXACT > INFERRED > TABLE_LEVEL); firstSeen the earliest; lastSeen the latest; queryCount the sum;
// statementIds sorted, unique, at most MAX_STATEMENT_IDS.
import type {
  ColumnNode,
  Confidence,
  ConsumerNode,
  EdgeFacts,
  NodeKey,
  Owner,
  Provenance,
  RelationNode,
} from '../src/model/lineage.ts';
import type { EdgeView, HopKind } from './store.ts';

/** Lower index = higher priority when origins disagree on a node field. */
export const PROVENANCE_PRIORITY: readonly Provenance[] = [
  'dbt_manifest',
  'manual',
  'openlineage',
  'access_history',
  'query_log',
];

export const MAX_STATEMENT_IDS = 20;

const CONFIDENCE_RANK: Record<Confidence, number> = { EXACT: 0, INFERRED: 1, TABLE_LEVEL: 2 };

export interface Contribution<T> {
  originId: string;
  provenance: Provenance;
  node: T;
}

/** Code-unit string order (what Array.prototype.sort uses by default), as a comparator. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareContributions(a: Contribution<unknown>, b: Contribution<unknown>): number {
  const pa = PROVENANCE_PRIORITY.indexOf(a.provenance);
  const pb = PROVENANCE_PRIORITY.indexOf(b.provenance);
  return pa !== pb ? pa - pb : compareStrings(a.originId, b.originId);
}

/** Tags unique and sorted. */
export function normalizeTags(tags: readonly string[]): string[] {
  if (tags.length <= 1) return [...tags];
  return [...new Set(tags)].sort(compareStrings);
}

/** Owners unique by id (the first occurrence wins), sorted by id, undefined fields dropped. */
export function normalizeOwners(owners: readonly Owner[]): Owner[] {
  if (owners.length === 0) return [];
  const byId = new Map<string, Owner>();
  for (const o of owners) if (!byId.has(o.id)) byId.set(o.id, stripUndefined({ ...o }));
  return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
}

/** Removes properties whose value is undefined, so views compare equal whatever store produced them. */
export function stripUndefined<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}

function ranked<T>(contributions: readonly Contribution<T>[]): T[] {
  if (contributions.length === 0) throw new Error('merge: no contributions');
  return [...contributions].sort(compareContributions).map((c) => c.node);
}

function firstDefined<T, K extends keyof T>(nodes: readonly T[], field: K): T[K] | undefined {
  for (const n of nodes) if (n[field] !== undefined) return n[field];
  return undefined;
}

function fillOptional<T extends object>(target: T, nodes: readonly T[], fields: readonly (keyof T)[]): T {
  for (const f of fields) {
    const v = firstDefined(nodes, f);
    if (v !== undefined) target[f] = v;
    else delete target[f];
  }
  return target;
}

const RELATION_OPTIONAL = [
  'uniqueId',
  'description',
  'materialization',
  'packageName',
  'sqlChecksum',
  'sqlShape',
  'sizeBytes',
  'rowCount',
  'access',
  'group',
] as const satisfies readonly (keyof RelationNode)[];

const COLUMN_OPTIONAL = [
  'dataType',
  'description',
  'ordinal',
  'missingFromCatalog',
] as const satisfies readonly (keyof ColumnNode)[];

const CONSUMER_OPTIONAL = [
  'uniqueId',
  'url',
  'description',
  'maturity',
] as const satisfies readonly (keyof ConsumerNode)[];

/** A single node normalized exactly as mergeX([it]) would (owners/tags sorted, undefined dropped), fast. */
export function normalizeRelation(n: RelationNode): RelationNode {
  const out: RelationNode = {
    key: n.key,
    kind: n.kind,
    platform: n.platform,
    displayName: n.displayName,
    database: n.database,
    schema: n.schema,
    name: n.name,
    owners: normalizeOwners(n.owners),
    tags: normalizeTags(n.tags),
    isKeyAsset: n.isKeyAsset,
  };
  return copyOptional(out, n, RELATION_OPTIONAL);
}
export function normalizeColumn(n: ColumnNode): ColumnNode {
  const out: ColumnNode = {
    key: n.key,
    relationKey: n.relationKey,
    name: n.name,
    displayName: n.displayName,
    tags: normalizeTags(n.tags),
  };
  return copyOptional(out, n, COLUMN_OPTIONAL);
}
export function normalizeConsumer(n: ConsumerNode): ConsumerNode {
  const out: ConsumerNode = {
    key: n.key,
    kind: n.kind,
    name: n.name,
    owners: normalizeOwners(n.owners),
    tags: normalizeTags(n.tags),
  };
  return copyOptional(out, n, CONSUMER_OPTIONAL);
}

function copyOptional<T extends object>(target: T, source: T, fields: readonly (keyof T)[]): T {
  for (const f of fields) if (source[f] !== undefined) target[f] = source[f];
  return target;
}

export function mergeRelation(contributions: readonly Contribution<RelationNode>[]): RelationNode {
  const nodes = ranked(contributions);
  const p = nodes[0];
  const merged: RelationNode = {
    key: p.key,
    kind: p.kind,
    platform: p.platform,
    displayName: p.displayName,
    database: p.database,
    schema: p.schema,
    name: p.name,
    owners: normalizeOwners(nodes.flatMap((n) => n.owners)),
    tags: normalizeTags(nodes.flatMap((n) => n.tags)),
    isKeyAsset: nodes.some((n) => n.isKeyAsset),
  };
  return fillOptional(merged, nodes, RELATION_OPTIONAL);
}

export function mergeColumn(contributions: readonly Contribution<ColumnNode>[]): ColumnNode {
  const nodes = ranked(contributions);
  const p = nodes[0];
  const merged: ColumnNode = {
    key: p.key,
    relationKey: p.relationKey,
    name: p.name,
    displayName: p.displayName,
    tags: normalizeTags(nodes.flatMap((n) => n.tags)),
  };
  return fillOptional(merged, nodes, COLUMN_OPTIONAL);
}

export function mergeConsumer(contributions: readonly Contribution<ConsumerNode>[]): ConsumerNode {
  const nodes = ranked(contributions);
  const p = nodes[0];
  const merged: ConsumerNode = {
    key: p.key,
    kind: p.kind,
    name: p.name,
    owners: normalizeOwners(nodes.flatMap((n) => n.owners)),
    tags: normalizeTags(nodes.flatMap((n) => n.tags)),
  };
  return fillOptional(merged, nodes, CONSUMER_OPTIONAL);
}

/**
 * Merges all facts of one logical edge (same from, to, kind). For a relation pair, the facts are the
 * explicit relation edges plus every column edge between the two relations (kind 'RELATION').
 */
export function mergeEdge(from: NodeKey, to: NodeKey, kind: HopKind, facts: readonly EdgeFacts[]): EdgeView {
  if (facts.length === 0) throw new Error('mergeEdge: no facts');
  const provenances = new Set<Provenance>();
  const statements = new Set<string>();
  let confidence = facts[0].confidence;
  let firstSeen = facts[0].firstSeen;
  let lastSeen = facts[0].lastSeen;
  let queryCount = 0;
  for (const f of facts) {
    provenances.add(f.provenance);
    if (CONFIDENCE_RANK[f.confidence] < CONFIDENCE_RANK[confidence]) confidence = f.confidence;
    // Facts of one ingest share their timestamps: skip parsing when the strings are equal.
    if (f.firstSeen !== firstSeen && compareTimes(f.firstSeen, firstSeen) < 0) firstSeen = f.firstSeen;
    if (f.lastSeen !== lastSeen && compareTimes(f.lastSeen, lastSeen) > 0) lastSeen = f.lastSeen;
    queryCount += f.queryCount;
    if (f.statementId !== undefined) statements.add(f.statementId);
  }
  return {
    from,
    to,
    kind,
    provenances: [...provenances].sort(compareStrings),
    confidence,
    firstSeen,
    lastSeen,
    queryCount,
    statementIds: [...statements].sort(compareStrings).slice(0, MAX_STATEMENT_IDS),
  };
}

/**
 * Compares two ISO-8601 times by instant (falls back to string order when either does not parse), so
 * `2024-01-01T00:00:00Z` and `2024-01-01T00:00:00.000Z` are the same moment.
 */
export function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return compareStrings(a, b);
  return ta - tb || compareStrings(a, b);
}

/** Order of hop kinds for the witness rule and for sorting edges: TRANSFORM_KINDS, then RELATION, CONSUMER. */
export const HOP_KIND_ORDER: readonly HopKind[] = [
  'IDENTITY',
  'TRANSFORMATION',
  'AGGREGATION',
  'JOIN',
  'FILTER',
  'GROUP_BY',
  'SORT',
  'WINDOW',
  'CONDITIONAL',
  'RELATION',
  'CONSUMER',
];

/** Sort order of EdgeViews: (from, to, kind) with keys in code-unit order and kind in string order. */
export function compareEdgeViews(a: EdgeView, b: EdgeView): number {
  return compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || compareStrings(a.kind, b.kind);
}
