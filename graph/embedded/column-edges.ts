// Column edges held columnar: one typed array per field, strings as StringPool ids, enums as small codes.
// A warehouse has millions of them; as JS objects they dominated the store's memory and load time. An
// edge object is materialized only when a query returns it. A stored origin is an OriginData whose
// columnEdges are such a table.
import {
  CONFIDENCES,
  PROVENANCES,
  TRANSFORM_KINDS,
  type ColumnEdge,
  type EdgeFacts,
} from '../../src/model/lineage.ts';
import type { OriginData } from '../canonical.ts';
import type { ContentView } from '../records.ts';
import type { StringPool } from './strings.ts';

export interface ColumnEdgeTable {
  length: number;
  /** Pool ids. */
  from: Uint32Array;
  to: Uint32Array;
  /** TRANSFORM_KINDS, PROVENANCES, CONFIDENCES indexes. */
  kind: Uint8Array;
  provenance: Uint8Array;
  confidence: Uint8Array;
  firstSeen: Uint32Array;
  lastSeen: Uint32Array;
  queryCount: Float64Array;
  /** Pool id, -1 when absent. */
  statementId: Int32Array;
}

export interface StoredOrigin extends Omit<OriginData, 'columnEdges'> {
  columnEdges: ColumnEdgeTable;
}

export function emptyEdgeTable(n: number): ColumnEdgeTable {
  return {
    length: n,
    from: new Uint32Array(n),
    to: new Uint32Array(n),
    kind: new Uint8Array(n),
    provenance: new Uint8Array(n),
    confidence: new Uint8Array(n),
    firstSeen: new Uint32Array(n),
    lastSeen: new Uint32Array(n),
    queryCount: new Float64Array(n),
    statementId: new Int32Array(n),
  };
}

/** The table of canonical (validated, sorted) column edges, in the same order. */
export function edgeTable(edges: readonly ColumnEdge[], pool: StringPool): ColumnEdgeTable {
  const t = emptyEdgeTable(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    t.from[i] = pool.intern(e.from);
    t.to[i] = pool.intern(e.to);
    t.kind[i] = TRANSFORM_KINDS.indexOf(e.kind);
    t.provenance[i] = PROVENANCES.indexOf(e.provenance);
    t.confidence[i] = CONFIDENCES.indexOf(e.confidence);
    t.firstSeen[i] = pool.intern(e.firstSeen);
    t.lastSeen[i] = pool.intern(e.lastSeen);
    t.queryCount[i] = e.queryCount;
    t.statementId[i] = e.statementId === undefined ? -1 : pool.intern(e.statementId);
  }
  return t;
}

/** The facts of edge i (what mergeEdge reads). */
export function edgeFacts(t: ColumnEdgeTable, i: number, pool: StringPool): EdgeFacts {
  const f: EdgeFacts = {
    provenance: PROVENANCES[t.provenance[i]],
    confidence: CONFIDENCES[t.confidence[i]],
    firstSeen: pool.at(t.firstSeen[i]),
    lastSeen: pool.at(t.lastSeen[i]),
    queryCount: t.queryCount[i],
  };
  if (t.statementId[i] >= 0) f.statementId = pool.at(t.statementId[i]);
  return f;
}

/** Edge i as the canonical object (property order of canonicalizeBatch). */
export function edgeAt(t: ColumnEdgeTable, i: number, pool: StringPool): ColumnEdge {
  // edgeFacts keeps the remaining properties in canonical order (provenance … statementId)
  return {
    from: pool.at(t.from[i]),
    to: pool.at(t.to[i]),
    kind: TRANSFORM_KINDS[t.kind[i]],
    ...edgeFacts(t, i, pool),
  };
}

export function toStored(data: OriginData, pool: StringPool): StoredOrigin {
  return { ...data, columnEdges: edgeTable(data.columnEdges, pool) };
}

/** The stored origin as a ContentView (graph/records.ts), its column edges materialized one at a time. */
export function storedContent(a: StoredOrigin, pool: StringPool): ContentView {
  const t = a.columnEdges;
  return {
    provenance: a.origin.provenance,
    sections: { ...a, columnEdges: { length: t.length, at: (i: number) => edgeAt(t, i, pool) } },
  };
}
