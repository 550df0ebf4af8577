// Accumulates one LineageBatch: nodes deduplicated by key, edges by (from, to, kind), every edge endpoint
// guaranteed to be a node (unknown relations become `external` relations, unknown columns column nodes).
import type {
  Check,
  ColumnEdge,
  ColumnNode,
  ConsumerEdge,
  ConsumerNode,
  Diagnostic,
  Evidence,
  Fingerprint,
  LineageBatch,
  Origin,
  Platform,
  RelationEdge,
  RelationKey,
  RelationNode,
} from '../../src/model/lineage.ts';
import { columnKey, relationIdentity } from '../../src/model/identity.ts';
import { cmp } from './manifest.ts';

export class BatchBuilder {
  readonly relations = new Map<RelationKey, RelationNode>();
  readonly columns = new Map<string, ColumnNode>();
  /** Folded column names per relation in insertion (ordinal) order. */
  readonly columnsOf = new Map<RelationKey, string[]>();
  readonly consumers = new Map<string, ConsumerNode>();
  private readonly columnEdges = new Map<string, ColumnEdge>();
  private readonly relationEdges = new Map<string, RelationEdge>();
  private readonly consumerEdges = new Map<string, ConsumerEdge>();
  readonly checks = new Map<string, Check>();
  readonly evidence: Evidence[] = [];
  readonly fingerprints: Fingerprint[] = [];
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly platform: Platform,
    readonly at: string,
  ) {}

  addRelation(r: RelationNode): void {
    if (!this.relations.has(r.key)) this.relations.set(r.key, r);
  }

  addColumn(c: ColumnNode): void {
    if (this.columns.has(c.key)) return;
    this.columns.set(c.key, c);
    const list = this.columnsOf.get(c.relationKey);
    if (list) list.push(c.name);
    else this.columnsOf.set(c.relationKey, [c.name]);
  }

  /** Makes sure a relation exists; unknown ones become `external` relations named as written. */
  ensureRelation(key: RelationKey, displayName: string): void {
    if (this.relations.has(key)) return;
    const id = relationIdentity(this.platform, displayName);
    this.addRelation({
      key,
      kind: 'external',
      platform: this.platform,
      displayName: id.displayName,
      database: id.database,
      schema: id.schema,
      name: id.name,
      owners: [],
      tags: [],
      isKeyAsset: false,
    });
  }

  /** Makes sure a column exists on a relation (which must exist) and returns its key. */
  ensureColumn(relation: RelationKey, folded: string, displayName = folded): string {
    const key = columnKey(relation, folded);
    if (!this.columns.has(key)) {
      const ordinal = (this.columnsOf.get(relation)?.length ?? 0) + 1;
      this.addColumn({ key, relationKey: relation, name: folded, displayName, tags: [], ordinal });
    }
    return key;
  }

  addColumnEdge(e: ColumnEdge): void {
    if (e.from === e.to) return;
    const k = `${e.from}\u0000${e.to}\u0000${e.kind}`;
    if (!this.columnEdges.has(k)) this.columnEdges.set(k, e);
  }

  addRelationEdge(e: RelationEdge): void {
    if (e.from === e.to) return;
    const k = `${e.from}\u0000${e.to}`;
    const prev = this.relationEdges.get(k);
    if (!prev || rank(e.confidence) < rank(prev.confidence)) this.relationEdges.set(k, e);
  }

  addConsumerEdge(e: ConsumerEdge): void {
    this.consumerEdges.set(`${e.from}\u0000${e.to}`, e);
  }

  /** Relations that are the target of at least one column edge. */
  relationsWithColumnEdgesIn(): Set<RelationKey> {
    const out = new Set<RelationKey>();
    for (const e of this.columnEdges.values()) {
      const c = this.columns.get(e.to);
      if (c) out.add(c.relationKey);
    }
    return out;
  }

  toBatch(origin: Origin): LineageBatch {
    const byKey = <T extends { key: string }>(xs: Iterable<T>): T[] =>
      [...xs].sort((a, b) => cmp(a.key, b.key));
    const byEdge = <T extends { from: string; to: string; kind?: string }>(xs: Iterable<T>): T[] =>
      [...xs].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind ?? '', b.kind ?? ''));
    return {
      origin,
      relations: byKey(this.relations.values()),
      columns: byKey(this.columns.values()),
      consumers: byKey(this.consumers.values()),
      columnEdges: byEdge(this.columnEdges.values()),
      relationEdges: byEdge(this.relationEdges.values()),
      consumerEdges: byEdge(this.consumerEdges.values()),
      checks: [...this.checks.values()].sort((a, b) => cmp(a.id, b.id)),
      evidence: [...this.evidence].sort(
        (a, b) =>
          cmp(a.nodeKey, b.nodeKey) ||
          cmp(a.at, b.at) ||
          cmp(a.kind, b.kind) ||
          cmp(a.subject ?? '', b.subject ?? ''),
      ),
      usage: [],
      fingerprints: [...this.fingerprints].sort((a, b) => cmp(a.nodeKey, b.nodeKey)),
      diagnostics: [...this.diagnostics].sort(
        (a, b) =>
          cmp(a.where?.uniqueId ?? '', b.where?.uniqueId ?? '') ||
          cmp(a.code, b.code) ||
          cmp(a.message, b.message),
      ),
    };
  }
}

function rank(c: string): number {
  return c === 'EXACT' ? 0 : c === 'INFERRED' ? 1 : 2;
}
