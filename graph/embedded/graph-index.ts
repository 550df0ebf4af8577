// The read side of the embedded store: every node key interned as an integer id (ids are assigned in key
// order, so "smaller id" means "smaller key" everywhere), merged node views, and edges grouped into merged
// edges with compact CSR adjacency in typed arrays. Rebuilt from the per-origin contributions on every
// apply; never mutated afterwards, so a reader holding one index sees one consistent state.
import {
  type Check,
  type ColumnNode,
  type ConsumerNode,
  type Evidence,
  type RelationNode,
  type UsageRecord,
} from '../../src/model/lineage.ts';
import {
  compareStrings,
  HOP_KIND_ORDER,
  mergeColumn,
  mergeConsumer,
  mergeRelation,
  type Contribution,
} from '../merge.ts';
import type { NodeType } from '../store.ts';
import type { StoredOrigin } from './column-edges.ts';
import type { StringPool } from './strings.ts';

export const TYPE_RELATION = 0;
export const TYPE_COLUMN = 1;
export const TYPE_CONSUMER = 2;
export const NODE_TYPES: readonly NodeType[] = ['relation', 'column', 'consumer'];

export const KIND_RELATION = HOP_KIND_ORDER.indexOf('RELATION');
export const KIND_CONSUMER = HOP_KIND_ORDER.indexOf('CONSUMER');

/** Merged edges of one category (column, relation pair, or consumer) with CSR adjacency both ways. */
export interface EdgeGroup {
  count: number;
  from: Uint32Array;
  to: Uint32Array;
  kind: Uint8Array;
  /** Earliest firstSeen of the merged facts, epoch ms (for asOf). */
  firstSeenMs: Float64Array;
  /** Facts of merged edge e are facts[factStart[e] .. factStart[e + 1]). */
  factStart: Uint32Array;
  facts: Uint32Array;
  /** Merged edges leaving node u are outOff[u] .. outOff[u + 1] (they are sorted by from). */
  outOff: Uint32Array;
  /** Merged edges entering node u are inEdges[inOff[u] .. inOff[u + 1]). */
  inOff: Uint32Array;
  inEdges: Uint32Array;
}

/** Where a fact lives: origins[origin][section][index]. */
export interface FactTable {
  origin: Uint16Array;
  index: Uint32Array;
}

export type NodeView = RelationNode | ColumnNode | ConsumerNode;

export interface GraphIndex extends PersistedIndex {
  origins: StoredOrigin[];
  /** The strings of the origins' column edge tables. */
  pool: StringPool;
  ids: KeyIds;
  type: Uint8Array;
  /** How many origins contribute each node. */
  contributors: Uint16Array;
  views: NodeView[];
  byUniqueId: Map<string, number[]>;
  checksByKey: Map<string, Check[]>;
  evidenceByKey: Map<string, Evidence[]>;
  usageByTarget: Map<string, UsageRecord[]>;
  /** Traversal scratch space, reused with a generation stamp. */
  scratch: { gen: number; stamp: Uint32Array; dist: Int32Array; parent: Int32Array; kind: Uint8Array };
}

/** Merges sorted, individually unique string lists into one sorted unique list. */
function mergeSortedUnique(lists: string[][]): string[] {
  let acc: string[] = [];
  for (const list of lists) {
    const out: string[] = new Array(acc.length + list.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < acc.length || j < list.length) {
      if (j >= list.length || (i < acc.length && acc[i] < list[j])) out[n++] = acc[i++];
      else if (i >= acc.length || list[j] < acc[i]) out[n++] = list[j++];
      else {
        out[n++] = acc[i++];
        j++;
      }
    }
    out.length = n;
    acc = out;
  }
  return acc;
}

const msCache = new Map<string, number>();
function timeMs(iso: string): number {
  let v = msCache.get(iso);
  if (v === undefined) {
    v = Date.parse(iso);
    if (Number.isNaN(v)) v = Number.NEGATIVE_INFINITY;
    if (msCache.size > 100_000) msCache.clear();
    msCache.set(iso, v);
  }
  return v;
}

/**
 * Groups facts (from, to, kind) into merged edges. Facts with from or to < 0 are dropped (a dangling
 * endpoint: its node vanished with another origin).
 */
function groupFacts(
  n: number,
  factFrom: Int32Array,
  factTo: Int32Array,
  factKind: Uint8Array,
  factMs: Float64Array,
): EdgeGroup {
  const f = factFrom.length;
  const bucketOff = new Uint32Array(n + 1);
  let valid = 0;
  for (let i = 0; i < f; i++) {
    if (factFrom[i] < 0 || factTo[i] < 0) continue;
    bucketOff[factFrom[i] + 1]++;
    valid++;
  }
  for (let u = 0; u < n; u++) bucketOff[u + 1] += bucketOff[u];
  const facts = new Uint32Array(valid);
  const fill = bucketOff.slice(0, n);
  for (let i = 0; i < f; i++) {
    if (factFrom[i] < 0 || factTo[i] < 0) continue;
    facts[fill[factFrom[i]]++] = i;
  }
  const byToKind = (a: number, b: number) => factTo[a] - factTo[b] || factKind[a] - factKind[b] || a - b;
  // Sort each bucket by (to, kind, fact id), then collapse runs into merged edges.
  const eFrom = new Uint32Array(valid);
  const eTo = new Uint32Array(valid);
  const eKind = new Uint8Array(valid);
  const eMs = new Float64Array(valid);
  const eStart = new Uint32Array(valid + 1);
  const outOff = new Uint32Array(n + 1);
  let e = 0;
  for (let u = 0; u < n; u++) {
    const lo = bucketOff[u];
    const hi = bucketOff[u + 1];
    outOff[u] = e;
    if (hi - lo > 1) facts.subarray(lo, hi).sort(byToKind);
    for (let k = lo; k < hi; k++) {
      const fi = facts[k];
      if (k > lo && factTo[fi] === eTo[e - 1] && factKind[fi] === eKind[e - 1]) {
        if (factMs[fi] < eMs[e - 1]) eMs[e - 1] = factMs[fi];
        continue;
      }
      eFrom[e] = u;
      eTo[e] = factTo[fi];
      eKind[e] = factKind[fi];
      eMs[e] = factMs[fi];
      eStart[e] = k;
      e++;
    }
  }
  outOff[n] = e;
  eStart[e] = valid;
  const inOff = new Uint32Array(n + 1);
  for (let i = 0; i < e; i++) inOff[eTo[i] + 1]++;
  for (let u = 0; u < n; u++) inOff[u + 1] += inOff[u];
  const inEdges = new Uint32Array(e);
  const inFill = inOff.slice(0, n);
  for (let i = 0; i < e; i++) inEdges[inFill[eTo[i]]++] = i; // ascending edge id = ascending from
  return {
    count: e,
    from: eFrom.slice(0, e),
    to: eTo.slice(0, e),
    kind: eKind.slice(0, e),
    firstSeenMs: eMs.slice(0, e),
    factStart: eStart.slice(0, e + 1),
    facts,
    outOff,
    inOff,
    inEdges,
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Node ids by key: a binary search over the keys (in key order), no per-key map to build or hold. */
export class KeyIds {
  constructor(private readonly keys: readonly string[]) {}

  get(key: string): number | undefined {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

/**
 * The part of the index that the store file keeps (persist.ts), so a load does not recompute it. It is a
 * function of the origins' content alone, so the file stays deterministic.
 */
export interface PersistedIndex {
  /** Every node key, sorted: a node's id is its index here. */
  keys: string[];
  /** Column id -> relation id, or -1 when its relation is absent. */
  columnRelation: Int32Array;
  /** Columns of relation r: relationColumns[relationColumnsOff[r] .. relationColumnsOff[r + 1]), in column order. */
  relationColumnsOff: Uint32Array;
  relationColumns: Uint32Array;
  columnFacts: FactTable;
  relationFacts: FactTable;
  consumerFacts: FactTable;
  columnEdges: EdgeGroup;
  /** Relation pairs; fact ids < columnFacts count are column edges, the rest relation edges (minus that count). */
  relationEdges: EdgeGroup;
  consumerEdges: EdgeGroup;
}

/** The merged node table: every key's id, type, contributor count and merged view. */
interface NodeTable {
  keys: string[];
  ids: KeyIds;
  type: Uint8Array;
  contributors: Uint16Array;
  views: NodeView[];
}

/** Every node key of the origins, sorted and unique. */
function nodeKeys(origins: StoredOrigin[]): string[] {
  return mergeSortedUnique(
    origins.flatMap((o) => [
      o.relations.map((r) => r.key),
      o.columns.map((c) => c.key),
      o.consumers.map((c) => c.key),
    ]),
  );
}

/** Types, contributor counts and views; a node several origins contribute gets the merged view. */
function nodeTable(origins: StoredOrigin[], keys: string[]): NodeTable {
  const n = keys.length;
  const t: NodeTable = {
    keys,
    ids: new KeyIds(keys),
    type: new Uint8Array(n),
    contributors: new Uint16Array(n),
    views: new Array<NodeView>(n),
  };
  const multi = new Map<number, Contribution<NodeView>[]>();
  for (const o of origins) {
    // Each list is sorted by key like `keys`: one forward walk finds every node's id.
    const walk = (list: readonly NodeView[], type: number) => {
      let p = 0;
      for (const node of list) {
        while (p < n && keys[p] !== node.key) p++;
        if (p === n) throw new Error(`the index has no key ${node.key}`);
        addContribution(t, multi, origins, o, p++, node, type);
      }
    };
    walk(o.relations, TYPE_RELATION);
    walk(o.columns, TYPE_COLUMN);
    walk(o.consumers, TYPE_CONSUMER);
  }
  for (const [id, list] of multi) {
    const type = t.type[id];
    t.views[id] =
      type === TYPE_RELATION
        ? mergeRelation(list as Contribution<RelationNode>[])
        : type === TYPE_COLUMN
          ? mergeColumn(list as Contribution<ColumnNode>[])
          : mergeConsumer(list as Contribution<ConsumerNode>[]);
  }
  return t;
}

/** Records origin `o`'s node at `id`; a second contributor starts the node's contribution list. */
function addContribution(
  t: NodeTable,
  multi: Map<number, Contribution<NodeView>[]>,
  origins: StoredOrigin[],
  o: StoredOrigin,
  id: number,
  node: NodeView,
  type: number,
): void {
  t.type[id] = type;
  t.contributors[id]++;
  if (t.views[id] === undefined) {
    t.views[id] = node;
    return;
  }
  const c: Contribution<NodeView> = { originId: o.origin.id, provenance: o.origin.provenance, node };
  const list = multi.get(id);
  if (list) list.push(c);
  else {
    const first = origins.find((p) => p.origin.id !== o.origin.id && hasNode(p, type, node.key))!;
    multi.set(id, [{ originId: first.origin.id, provenance: first.origin.provenance, node: t.views[id] }, c]);
  }
}

/** Relation and consumer ids by dbt unique_id. */
function uniqueIdIndex(t: NodeTable): Map<string, number[]> {
  const byUniqueId = new Map<string, number[]>();
  for (let id = 0; id < t.keys.length; id++) {
    if (t.type[id] === TYPE_COLUMN) continue;
    const u = (t.views[id] as RelationNode | ConsumerNode).uniqueId;
    if (u !== undefined) pushTo(byUniqueId, u, id);
  }
  return byUniqueId;
}

/** Checks, evidence and usage by the node they are about. */
function recordsByKey(
  origins: StoredOrigin[],
): Pick<GraphIndex, 'checksByKey' | 'evidenceByKey' | 'usageByTarget'> {
  const checksByKey = new Map<string, Check[]>();
  const evidenceByKey = new Map<string, Evidence[]>();
  const usageByTarget = new Map<string, UsageRecord[]>();
  for (const o of origins) {
    for (const c of o.checks) {
      pushTo(checksByKey, c.relationKey, c);
      if (c.columnKey !== undefined && c.columnKey !== c.relationKey) pushTo(checksByKey, c.columnKey, c);
    }
    for (const e of o.evidence) pushTo(evidenceByKey, e.nodeKey, e);
    for (const u of o.usage) pushTo(usageByTarget, u.target, u);
  }
  return { checksByKey, evidenceByKey, usageByTarget };
}

/** Builds the index of `origins` (sorted by origin id); `persisted` is its saved part, when loaded. */
export function buildIndex(
  origins: StoredOrigin[],
  pool: StringPool,
  persisted?: PersistedIndex,
): GraphIndex {
  const t = nodeTable(origins, persisted?.keys ?? nodeKeys(origins));
  const n = t.keys.length;
  const structure = persisted ?? computeStructure(origins, pool, t);
  return {
    ...structure,
    ...t,
    ...recordsByKey(origins),
    origins,
    pool,
    byUniqueId: uniqueIdIndex(t),
    scratch: {
      gen: 0,
      stamp: new Uint32Array(n),
      dist: new Int32Array(n),
      parent: new Int32Array(n),
      kind: new Uint8Array(n),
    },
  };
}

/** Facts of one edge category: where each lives, its endpoint ids (-1: dangling), kind and time. */
interface Facts {
  table: FactTable;
  from: Int32Array;
  to: Int32Array;
  kind: Uint8Array;
  ms: Float64Array;
}

function emptyFacts(total: number): Facts {
  return {
    table: { origin: new Uint16Array(total), index: new Uint32Array(total) },
    from: new Int32Array(total),
    to: new Int32Array(total),
    kind: new Uint8Array(total),
    ms: new Float64Array(total),
  };
}

/** The id of `key` when it is a node of type `type`, else -1. */
function idOf(t: NodeTable, key: string, type: number): number {
  const id = t.ids.get(key);
  return id !== undefined && t.type[id] === type ? id : -1;
}

/** Columns per relation (in column order: ordinal, then name). */
function relationColumnsOf(
  t: NodeTable,
): Pick<PersistedIndex, 'columnRelation' | 'relationColumnsOff' | 'relationColumns'> {
  const { type, views, ids } = t;
  const n = t.keys.length;
  const columnRelation = new Int32Array(n).fill(-1);
  const relationColumnsOff = new Uint32Array(n + 1);
  let lastKey: string | null = null;
  let lastId: number | undefined;
  for (let id = 0; id < n; id++) {
    if (type[id] !== TYPE_COLUMN) continue;
    const relationKey = (views[id] as ColumnNode).relationKey;
    if (relationKey !== lastKey) {
      lastKey = relationKey; // columns of one relation are mostly adjacent in key order
      lastId = ids.get(relationKey);
    }
    const r = lastId;
    if (r !== undefined && type[r] === TYPE_RELATION) {
      columnRelation[id] = r;
      relationColumnsOff[r + 1]++;
    }
  }
  for (let u = 0; u < n; u++) relationColumnsOff[u + 1] += relationColumnsOff[u];
  const relationColumns = new Uint32Array(relationColumnsOff[n]);
  const fill = relationColumnsOff.slice(0, n);
  for (let id = 0; id < n; id++)
    if (columnRelation[id] >= 0) relationColumns[fill[columnRelation[id]]++] = id;
  const byOrdinal = (a: number, b: number) => {
    const ca = views[a] as ColumnNode;
    const cb = views[b] as ColumnNode;
    const oa = ca.ordinal ?? Number.POSITIVE_INFINITY;
    const ob = cb.ordinal ?? Number.POSITIVE_INFINITY;
    return oa !== ob ? (oa < ob ? -1 : 1) : compareStrings(ca.name, cb.name) || a - b;
  };
  for (let r = 0; r < n; r++) {
    const lo = relationColumnsOff[r];
    const hi = relationColumnsOff[r + 1];
    if (hi - lo > 1) {
      const sorted = Array.from(relationColumns.subarray(lo, hi)).sort(byOrdinal);
      relationColumns.set(sorted, lo);
    }
  }
  return { columnRelation, relationColumnsOff, relationColumns };
}

/** Relation or consumer edge facts. */
function objectFacts(
  origins: StoredOrigin[],
  t: NodeTable,
  section: 'relationEdges' | 'consumerEdges',
): Facts {
  const f = emptyFacts(origins.reduce((s, o) => s + o[section].length, 0));
  f.kind.fill(section === 'relationEdges' ? KIND_RELATION : KIND_CONSUMER);
  const toType = section === 'relationEdges' ? TYPE_RELATION : TYPE_CONSUMER;
  let i = 0;
  origins.forEach((o, oi) => {
    const list = o[section];
    for (let k = 0; k < list.length; k++, i++) {
      const e = list[k];
      f.table.origin[i] = oi;
      f.table.index[i] = k;
      f.ms[i] = timeMs(e.firstSeen);
      f.from[i] = idOf(t, e.from, TYPE_RELATION);
      f.to[i] = idOf(t, e.to, toType);
    }
  });
  return f;
}

/** Column edge facts: endpoints and times resolved once per distinct pool string. */
function columnFacts(origins: StoredOrigin[], pool: StringPool, t: NodeTable): Facts {
  const f = emptyFacts(origins.reduce((s, o) => s + o.columnEdges.length, 0));
  const nodeOf = new Int32Array(pool.size).fill(-2);
  const msOf = new Float64Array(pool.size).fill(Number.NaN);
  const node = (p: number) => {
    let v = nodeOf[p];
    if (v === -2) v = nodeOf[p] = idOf(t, pool.at(p), TYPE_COLUMN);
    return v;
  };
  let i = 0;
  origins.forEach((o, oi) => {
    const e = o.columnEdges;
    for (let k = 0; k < e.length; k++, i++) {
      f.table.origin[i] = oi;
      f.table.index[i] = k;
      const p = e.firstSeen[k];
      let m = msOf[p];
      if (Number.isNaN(m)) m = msOf[p] = timeMs(pool.at(p));
      f.ms[i] = m;
      f.from[i] = node(e.from[k]);
      f.to[i] = node(e.to[k]);
      f.kind[i] = e.kind[k];
    }
  });
  return f;
}

/** Relation pairs: explicit relation edges plus pairs implied by column edges (self-loops ignored). */
function relationPairs(n: number, col: Facts, rel: Facts, columnRelation: Int32Array): EdgeGroup {
  const fc = col.from.length;
  const fr = rel.from.length;
  const pFrom = new Int32Array(fc + fr);
  const pTo = new Int32Array(fc + fr);
  const pKind = new Uint8Array(fc + fr).fill(KIND_RELATION);
  const pMs = new Float64Array(fc + fr);
  for (let i = 0; i < fc; i++) {
    const a = col.from[i] >= 0 ? columnRelation[col.from[i]] : -1;
    const b = col.to[i] >= 0 ? columnRelation[col.to[i]] : -1;
    const ok = a >= 0 && b >= 0 && a !== b;
    pFrom[i] = ok ? a : -1;
    pTo[i] = ok ? b : -1;
    pMs[i] = col.ms[i];
  }
  for (let i = 0; i < fr; i++) {
    const ok = rel.from[i] !== rel.to[i];
    pFrom[fc + i] = ok ? rel.from[i] : -1;
    pTo[fc + i] = ok ? rel.to[i] : -1;
    pMs[fc + i] = rel.ms[i];
  }
  return groupFacts(n, pFrom, pTo, pKind, pMs);
}

/** Columns per relation, and the three edge groups with their fact tables. */
function computeStructure(origins: StoredOrigin[], pool: StringPool, t: NodeTable): PersistedIndex {
  const n = t.keys.length;
  const columns = relationColumnsOf(t);
  const col = columnFacts(origins, pool, t);
  const rel = objectFacts(origins, t, 'relationEdges');
  const con = objectFacts(origins, t, 'consumerEdges');
  return {
    keys: t.keys,
    ...columns,
    columnFacts: col.table,
    relationFacts: rel.table,
    consumerFacts: con.table,
    columnEdges: groupFacts(n, col.from, col.to, col.kind, col.ms),
    relationEdges: relationPairs(n, col, rel, columns.columnRelation),
    consumerEdges: groupFacts(n, con.from, con.to, con.kind, con.ms),
  };
}

function hasNode(o: StoredOrigin, t: number, key: string): boolean {
  const list: { key: string }[] =
    t === TYPE_RELATION ? o.relations : t === TYPE_COLUMN ? o.columns : o.consumers;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = list[mid].key;
    if (k === key) return true;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
