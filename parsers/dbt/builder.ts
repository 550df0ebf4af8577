// Accumulates one LineageBatch: nodes deduplicated by key, edges by (from, to, kind), every edge endpoint
// guaranteed to be a node (unknown relations become `external` relations, unknown columns column nodes).
// Memory at warehouse scale (150k models, 9M column edges): every edge endpoint is the column node's own key
// string (one instance per column, not one per edge), and column edges are deduplicated by a number built
// from small endpoint ids and the kind, not by a concatenated string key per edge.
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
import { TRANSFORM_KINDS } from '../../src/model/lineage.ts';
import { namedRelation } from '../relation-node.ts';
import { cmp } from './manifest.ts';

export class BatchBuilder {
  readonly relations = new Map<RelationKey, RelationNode>();
  readonly columns = new Map<string, ColumnNode>();
  /** Folded column names per relation in insertion (ordinal) order. */
  readonly columnsOf = new Map<RelationKey, string[]>();
  readonly consumers = new Map<string, ConsumerNode>();
  private readonly columnEdges = new Map<number | string, ColumnEdge>();
  /** Small ids of column-edge endpoints (the dedup key of an edge is a number made of two ids and the kind). */
  private readonly endpointIds = new Map<string, number>();
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
    this.addRelation(namedRelation({ ...id, key }, 'external', this.platform));
  }

  /**
   * Makes sure a column exists on a relation (which must exist) and returns its key: the node's own key
   * string, so the edges built from it share one instance per column.
   */
  ensureColumn(relation: RelationKey, folded: string, displayName = folded): string {
    const key = columnKey(relation, folded);
    const existing = this.columns.get(key);
    if (existing) return existing.key;
    const ordinal = (this.columnsOf.get(relation)?.length ?? 0) + 1;
    this.addColumn({ key, relationKey: relation, name: folded, displayName, tags: [], ordinal });
    return key;
  }

  addColumnEdge(e: ColumnEdge): void {
    if (e.from === e.to) return;
    const k = this.columnEdgeKey(e);
    if (!this.columnEdges.has(k)) this.columnEdges.set(k, e);
  }

  /** (from id · 2^24 + to id) · 16 + kind: exact below 2^24 endpoints (2^52 < 2^53); a string beyond. */
  private columnEdgeKey(e: ColumnEdge): number | string {
    const from = this.endpointId(e.from);
    const to = this.endpointId(e.to);
    const kind = TRANSFORM_KINDS.indexOf(e.kind);
    if (to >= ENDPOINT_LIMIT || from >= ENDPOINT_LIMIT || kind < 0)
      return `${e.from}\u0000${e.to}\u0000${e.kind}`;
    return (from * ENDPOINT_LIMIT + to) * 16 + kind;
  }

  private endpointId(key: string): number {
    let id = this.endpointIds.get(key);
    if (id === undefined) this.endpointIds.set(key, (id = this.endpointIds.size));
    return id;
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

  /**
   * The batch, sorted. The builder is spent afterwards: each map is emptied as soon as its list is built,
   * so the peak holds one copy of the largest section, not the maps and all lists at once.
   */
  toBatch(origin: Origin): LineageBatch {
    this.endpointIds.clear();
    const drain = <T>(m: Map<unknown, T>): T[] => {
      const out = [...m.values()];
      m.clear();
      return out;
    };
    const byKey = <T extends { key: string }>(xs: T[]): T[] => xs.sort((a, b) => cmp(a.key, b.key));
    const byEdge = <T extends { from: string; to: string; kind?: string }>(xs: T[]): T[] =>
      xs.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind ?? '', b.kind ?? ''));
    const columnEdges = byEdge(drain(this.columnEdges));
    this.columnsOf.clear();
    return {
      origin,
      relations: byKey(drain(this.relations)),
      columns: byKey(drain(this.columns)),
      consumers: byKey(drain(this.consumers)),
      columnEdges,
      relationEdges: byEdge(drain(this.relationEdges)),
      consumerEdges: byEdge(drain(this.consumerEdges)),
      checks: drain(this.checks).sort((a, b) => cmp(a.id, b.id)),
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

const ENDPOINT_LIMIT = 2 ** 24;

function rank(c: string): number {
  return c === 'EXACT' ? 0 : c === 'INFERRED' ? 1 : 2;
}
