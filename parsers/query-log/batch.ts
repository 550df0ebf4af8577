// Aggregated statements and usage -> a LineageBatch: edges with query counts and first/last seen, temp
// relations collapsed, nodes for every endpoint, one recent-write evidence per
// written relation. Pure.
import { splitColumnKey, splitKey } from '../../src/model/identity.ts';
import type {
  ColumnEdge,
  ColumnNode,
  Diagnostic,
  Evidence,
  LineageBatch,
  Origin,
  Platform,
  RelationEdge,
  RelationKind,
  RelationNode,
  UsageRecord,
} from '../../src/model/lineage.ts';
import { withoutOversizedKeys } from '../../src/model/key-size.ts';
import { emptyBatch } from '../../src/model/lineage.ts';
import type { StatementStats } from './aggregate.ts';
import { collapseTemporary } from './collapse.ts';
import { worstConfidence } from './statement.ts';

export interface QueryLogLineage {
  columnEdges: ColumnEdge[];
  relationEdges: RelationEdge[];
  temporary: Set<string>;
  /** Every relation the log names (reads, writes, edge endpoints), with how to create it if unknown. */
  relations: Map<string, { displayName: string; kind: RelationKind; platform: Platform }>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Edges from every statement, merged per (from, to, kind, statementId), temp relations collapsed. */
export function lineageOf(stats: readonly StatementStats[]): QueryLogLineage {
  const temporary = new Set<string>();
  const relations: QueryLogLineage['relations'] = new Map();
  const columnEdges = new Map<string, ColumnEdge>();
  const relationEdges = new Map<string, RelationEdge>();
  for (const s of stats) {
    const f = s.facts;
    for (const t of f.temporary) temporary.add(t);
    for (const r of f.reads) {
      const known = relations.get(r.key);
      if (!known || (known.kind === 'table' && r.view))
        relations.set(r.key, {
          displayName: r.displayName,
          kind: r.view ? 'view' : 'table',
          platform: f.platform,
        });
    }
    for (const w of f.writes) {
      const known = relations.get(w.key);
      if (!known || (known.kind === 'table' && w.kind === 'view'))
        relations.set(w.key, { displayName: w.displayName, kind: w.kind, platform: f.platform });
    }
    const facts = {
      provenance: f.provenance,
      confidence: f.confidence,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      queryCount: s.executions,
      statementId: f.fingerprint,
    };
    for (const [from, to, kind] of f.columnEdges)
      merge(columnEdges, `${from}\u0000${to}\u0000${kind}`, { ...facts, from, to, kind });
    for (const [from, to] of f.relationEdges)
      merge(relationEdges, `${from}\u0000${to}`, { ...facts, from, to });
    for (const [from, to] of f.columnEdges) {
      for (const key of [splitColumnKey(from).relationKey, splitColumnKey(to).relationKey])
        if (!relations.has(key))
          relations.set(key, { displayName: key, kind: 'table', platform: f.platform });
    }
  }
  const sortEdges = <E extends ColumnEdge | RelationEdge>(edges: E[]): E[] =>
    edges.sort(
      (a, b) =>
        cmp(a.from, b.from) ||
        cmp(a.to, b.to) ||
        cmp('kind' in a ? String(a.kind) : '', 'kind' in b ? String(b.kind) : '') ||
        cmp(a.statementId ?? '', b.statementId ?? ''),
    );
  const col = reMerge(collapseTemporary([...columnEdges.values()], temporary, 'column'), true);
  const rel = reMerge(collapseTemporary([...relationEdges.values()], temporary, 'relation'), false);
  for (const t of temporary) relations.delete(t);
  return { columnEdges: sortEdges(col), relationEdges: sortEdges(rel), temporary, relations };
}

function merge<E extends ColumnEdge | RelationEdge>(map: Map<string, E>, key: string, edge: E): void {
  const fullKey = `${key}\u0000${edge.statementId ?? ''}`;
  const old = map.get(fullKey);
  if (!old) {
    map.set(fullKey, edge);
    return;
  }
  old.queryCount += edge.queryCount;
  if (edge.firstSeen < old.firstSeen) old.firstSeen = edge.firstSeen;
  if (edge.lastSeen > old.lastSeen) old.lastSeen = edge.lastSeen;
  old.confidence = worstConfidence(old.confidence, edge.confidence);
}

/** Collapsing can produce the same edge twice (two paths through temp tables): merge again. */
function reMerge<E extends ColumnEdge | RelationEdge>(edges: E[], withKind: boolean): E[] {
  const map = new Map<string, E>();
  for (const e of edges) {
    const kind = withKind ? (e as ColumnEdge).kind : '';
    merge(map, `${e.from}\u0000${e.to}\u0000${kind}`, { ...e });
  }
  return [...map.values()];
}

function relationNode(
  key: string,
  info: { displayName: string; kind: RelationKind; platform: Platform },
): RelationNode {
  const parts = splitKey(key);
  const name = parts[parts.length - 1];
  return {
    key,
    kind: info.kind,
    platform: info.platform,
    displayName: info.displayName,
    database: parts.length >= 3 ? parts[parts.length - 3] : null,
    schema: parts.length >= 2 ? parts[parts.length - 2] : null,
    name,
    owners: [],
    tags: [],
    isKeyAsset: false,
  };
}

export interface BatchInput {
  origin: Origin;
  lineage: QueryLogLineage;
  usage: UsageRecord[];
  diagnostics: Diagnostic[];
}

/** Relation keys that need to exist: edge endpoints and read/written relations (not temp). */
export function neededRelations(lineage: QueryLogLineage): string[] {
  return [...lineage.relations.keys()].sort();
}

export function neededColumns(lineage: QueryLogLineage): string[] {
  const cols = new Set<string>();
  for (const e of lineage.columnEdges) {
    cols.add(e.from);
    cols.add(e.to);
  }
  return [...cols].sort();
}

/**
 * Nodes for every endpoint are emitted by this origin even when another origin (dbt) has them too: the
 * store's merge ranks dbt first, and the edges stay valid if that origin is removed later.
 */
export function buildBatch(input: BatchInput): LineageBatch {
  const batch = emptyBatch(input.origin);
  const { lineage } = input;
  const relations = new Map<string, RelationNode>();
  for (const key of neededRelations(lineage))
    relations.set(key, relationNode(key, lineage.relations.get(key)!));
  for (const key of neededColumns(lineage)) {
    const { relationKey, column } = splitColumnKey(key);
    if (!relations.has(relationKey))
      relations.set(
        relationKey,
        relationNode(relationKey, { displayName: relationKey, kind: 'table', platform: 'generic' }),
      );
    const node: ColumnNode = { key, relationKey, name: column, displayName: column, tags: [] };
    batch.columns.push(node);
  }
  batch.relations = [...relations.values()].sort((a, b) => cmp(a.key, b.key));
  batch.columnEdges = lineage.columnEdges;
  batch.relationEdges = lineage.relationEdges;
  batch.usage = input.usage;
  batch.evidence = recentWrites(input.usage);
  batch.diagnostics = input.diagnostics;
  return withoutOversizedKeys(batch);
}

/** The latest write per relation, as root-cause evidence. */
export function recentWrites(usage: readonly UsageRecord[]): Evidence[] {
  const latest = new Map<string, UsageRecord>();
  for (const u of usage) {
    if (u.access !== 'write') continue;
    const old = latest.get(u.target);
    if (!old || u.lastAt > old.lastAt || (u.lastAt === old.lastAt && u.user < old.user))
      latest.set(u.target, u);
  }
  return [...latest.values()]
    .map((u) => ({
      nodeKey: u.target,
      kind: 'recent_write' as const,
      at: u.lastAt,
      message: `written by ${u.user}${u.role ? ` (${u.role})` : ''}: ${u.count} write(s) on ${u.day}`,
      subject: u.user,
    }))
    .sort((a, b) => cmp(a.nodeKey, b.nodeKey));
}
