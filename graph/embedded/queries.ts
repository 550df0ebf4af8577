// Read-only answers over one GraphIndex: pure functions of the index and the arguments.
//
// No copies on the read path (issue 14): nodes leave as the index's own views, deep-frozen the first time
// they leave (a caller that writes to one gets a TypeError instead of changing the store), in a fresh outer
// array; the relation and consumer lists and the relation graph are computed once per index and reused.
// (structuredClone of every listed node made each whole-graph analysis megabytes of garbage, and 50 of them
// at once GC pauses of 80-170 ms.)
import type {
  Check,
  Diagnostic,
  EdgeFacts,
  ColumnNode,
  ConsumerNode,
  Evidence,
  Fingerprint,
  NodeKey,
  RelationKind,
  RelationNode,
} from '../../src/model/lineage.ts';
import { pausePoint, PAUSE_MASK } from '../cooperate.ts';
import { compareEdgeViews, compareStrings, HOP_KIND_ORDER, mergeEdge, type Contribution } from '../merge.ts';
import { aggregateUsage, selectChecks, selectEvidence } from '../records.ts';
import { compareSearchHits, normalizeSearchText, searchScore } from '../search-score.ts';
import type {
  AnyNode,
  DiagnosticQuery,
  EdgeView,
  NodeType,
  OriginInfo,
  RelationGraph,
  SearchHit,
  SearchOptions,
  StoreSize,
  StoreStats,
  UsageAggregate,
  UsageQuery,
} from '../store.ts';
import { edgeFacts } from './column-edges.ts';
import type { FingerprintHistory } from './fingerprints.ts';
import {
  NODE_TYPES,
  TYPE_COLUMN,
  TYPE_CONSUMER,
  TYPE_RELATION,
  type EdgeGroup,
  type FactTable,
  type GraphIndex,
} from './graph-index.ts';

/** Freezes `v` and everything it holds (plain objects and arrays), once. */
function frozen<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const x of Object.values(v)) frozen(x);
  return v;
}

/** Caches of pure functions of one index (an index never changes; a write builds a new one). */
const relationLists = new WeakMap<GraphIndex, readonly RelationNode[]>();
const consumerLists = new WeakMap<GraphIndex, readonly ConsumerNode[]>();
const columnLists = new WeakMap<GraphIndex, (readonly ColumnNode[] | undefined)[]>();
const relationGraphs = new WeakMap<GraphIndex, RelationGraph>();

/** Every node of type `t`, frozen, in id order: built once per index (pausing), then reused. */
async function nodesOfType<T>(
  ix: GraphIndex,
  t: number,
  cache: WeakMap<GraphIndex, readonly T[]>,
): Promise<readonly T[]> {
  const cached = cache.get(ix);
  if (cached) return cached;
  const out: T[] = [];
  const pause = pausePoint();
  for (let id = 0; id < ix.keys.length; id++) {
    if (pause && (id & PAUSE_MASK) === PAUSE_MASK) await pause();
    if (ix.type[id] === t) out.push(frozen(ix.views[id]) as T);
  }
  cache.set(ix, Object.freeze(out));
  return out;
}

function anyNode(ix: GraphIndex, id: number): AnyNode {
  const node = frozen(ix.views[id]);
  switch (ix.type[id]) {
    case TYPE_RELATION:
      return { type: 'relation', node: node as RelationNode };
    case TYPE_COLUMN:
      return { type: 'column', node: node as ColumnNode };
    default:
      return { type: 'consumer', node: node as ConsumerNode };
  }
}

export async function getNodes(ix: GraphIndex, keys: readonly NodeKey[]): Promise<Map<NodeKey, AnyNode>> {
  const out = new Map<NodeKey, AnyNode>();
  const pause = pausePoint();
  for (let i = 0; i < keys.length; i++) {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    const k = keys[i];
    const id = ix.ids.get(k);
    if (id !== undefined && !out.has(k)) out.set(k, anyNode(ix, id));
  }
  return out;
}

export function findByUniqueId(ix: GraphIndex, uniqueId: string): AnyNode[] {
  return (ix.byUniqueId.get(uniqueId) ?? []).map((id) => anyNode(ix, id));
}

export async function search(ix: GraphIndex, text: string, options: SearchOptions): Promise<SearchHit[]> {
  const needle = normalizeSearchText(text);
  if (needle === '' || options.limit <= 0) return [];
  const allowed = new Set<NodeType>(options.types ?? NODE_TYPES);
  const hits: SearchHit[] = [];
  const pause = pausePoint();
  for (let id = 0; id < ix.keys.length; id++) {
    if (pause && (id & PAUSE_MASK) === PAUSE_MASK) await pause();
    const type = NODE_TYPES[ix.type[id]];
    if (!allowed.has(type)) continue;
    const v = ix.views[id] as { key: string; name: string; displayName?: string };
    const candidate = { key: v.key, name: v.name, displayName: v.displayName ?? v.name };
    const score = searchScore(needle, candidate);
    if (score > 0)
      hits.push({ key: v.key, type, name: candidate.name, displayName: candidate.displayName, score });
  }
  return hits.sort(compareSearchHits).slice(0, options.limit);
}

/** The frozen columns of relation id `r` (a relation), built once per relation and index. */
function columnsOfId(ix: GraphIndex, r: number): readonly ColumnNode[] {
  let lists = columnLists.get(ix);
  if (!lists) columnLists.set(ix, (lists = []));
  let list = lists[r];
  if (!list) {
    const out: ColumnNode[] = [];
    for (let i = ix.relationColumnsOff[r]; i < ix.relationColumnsOff[r + 1]; i++)
      out.push(frozen(ix.views[ix.relationColumns[i]] as ColumnNode));
    lists[r] = list = Object.freeze(out);
  }
  return list;
}

export function columnsOf(ix: GraphIndex, relationKey: string): ColumnNode[] {
  const r = ix.ids.get(relationKey);
  if (r === undefined || ix.type[r] !== TYPE_RELATION) return [];
  return columnsOfId(ix, r).slice();
}

export async function columnsOfMany(
  ix: GraphIndex,
  relationKeys: readonly string[],
): Promise<Map<string, ColumnNode[]>> {
  const out = new Map<string, ColumnNode[]>();
  const pause = pausePoint();
  for (let i = 0; i < relationKeys.length; i++) {
    // a relation's first listing freezes its columns: pause every 64 relations, not every PAUSE_STRIDE
    if (pause && (i & 63) === 63) await pause();
    const k = relationKeys[i];
    const r = ix.ids.get(k);
    if (r !== undefined && ix.type[r] === TYPE_RELATION && !out.has(k))
      out.set(k, columnsOfId(ix, r).slice());
  }
  return out;
}

export async function listRelations(
  ix: GraphIndex,
  filter?: { schema?: string; kinds?: readonly RelationKind[] },
): Promise<RelationNode[]> {
  const all = await nodesOfType(ix, TYPE_RELATION, relationLists);
  if (filter?.schema === undefined && filter?.kinds === undefined) return all.slice();
  const out: RelationNode[] = [];
  const pause = pausePoint();
  for (let i = 0; i < all.length; i++) {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    const r = all[i];
    if (filter.schema !== undefined && r.schema !== filter.schema) continue;
    if (filter.kinds !== undefined && !filter.kinds.includes(r.kind)) continue;
    out.push(r);
  }
  return out;
}

export async function listConsumers(ix: GraphIndex): Promise<ConsumerNode[]> {
  return (await nodesOfType(ix, TYPE_CONSUMER, consumerLists)).slice();
}

function factOf(ix: GraphIndex, table: FactTable, section: 'relationEdges' | 'consumerEdges') {
  return (f: number): EdgeFacts => ix.origins[table.origin[f]][section][table.index[f]];
}

function columnFactOf(ix: GraphIndex) {
  const table = ix.columnFacts;
  return (f: number): EdgeFacts =>
    edgeFacts(ix.origins[table.origin[f]].columnEdges, table.index[f], ix.pool);
}

function viewsOf(
  ix: GraphIndex,
  g: EdgeGroup,
  u: number,
  down: boolean,
  fact: (f: number) => EdgeFacts,
  out: EdgeView[],
): void {
  const one = (e: number) => {
    const facts: EdgeFacts[] = [];
    for (let i = g.factStart[e]; i < g.factStart[e + 1]; i++) facts.push(fact(g.facts[i]));
    out.push(mergeEdge(ix.keys[g.from[e]], ix.keys[g.to[e]], HOP_KIND_ORDER[g.kind[e]], facts));
  };
  if (down) for (let e = g.outOff[u]; e < g.outOff[u + 1]; e++) one(e);
  else for (let i = g.inOff[u]; i < g.inOff[u + 1]; i++) one(g.inEdges[i]);
}

export function edgesOf(ix: GraphIndex, key: NodeKey, direction: 'upstream' | 'downstream'): EdgeView[] {
  const id = ix.ids.get(key);
  if (id === undefined) return [];
  const down = direction === 'downstream';
  const out: EdgeView[] = [];
  const columnFact = columnFactOf(ix);
  const relationFact = factOf(ix, ix.relationFacts, 'relationEdges');
  const fc = ix.columnFacts.origin.length;
  const pairFact = (f: number) => (f < fc ? columnFact(f) : relationFact(f - fc));
  const consumerFact = factOf(ix, ix.consumerFacts, 'consumerEdges');
  switch (ix.type[id]) {
    case TYPE_COLUMN:
      viewsOf(ix, ix.columnEdges, id, down, columnFact, out);
      break;
    case TYPE_RELATION:
      viewsOf(ix, ix.relationEdges, id, down, pairFact, out);
      if (down) viewsOf(ix, ix.consumerEdges, id, down, consumerFact, out);
      break;
    default:
      if (!down) viewsOf(ix, ix.consumerEdges, id, down, consumerFact, out);
  }
  return out.sort(compareEdgeViews);
}

/** The relation graph of the index: built once (pausing), then the same frozen object for every caller. */
export async function relationGraph(ix: GraphIndex): Promise<RelationGraph> {
  const cached = relationGraphs.get(ix);
  if (cached) return cached;
  const g = frozen(await buildRelationGraph(ix));
  relationGraphs.set(ix, g);
  return g;
}

async function buildRelationGraph(ix: GraphIndex): Promise<RelationGraph> {
  const pos = new Int32Array(ix.keys.length).fill(-1);
  const keys: string[] = [];
  const relations: RelationNode[] = [];
  const pause = pausePoint();
  for (let id = 0; id < ix.keys.length; id++) {
    if (pause && (id & PAUSE_MASK) === PAUSE_MASK) await pause();
    if (ix.type[id] !== TYPE_RELATION) continue;
    pos[id] = keys.length;
    keys.push(ix.keys[id]);
    relations.push(ix.views[id] as RelationNode);
  }
  const g = ix.relationEdges;
  const edges: [number, number][] = [];
  for (let e = 0; e < g.count; e++) {
    if (pause && (e & PAUSE_MASK) === PAUSE_MASK) await pause();
    edges.push([pos[g.from[e]], pos[g.to[e]]]);
  }
  const consumerCount = new Array<number>(keys.length).fill(0);
  for (let e = 0; e < ix.consumerEdges.count; e++) consumerCount[pos[ix.consumerEdges.from[e]]]++;
  const columnEdgesIn = new Array<number>(keys.length).fill(0);
  const columnEdgesOut = new Array<number>(keys.length).fill(0);
  const c = ix.columnEdges;
  for (let e = 0; e < c.count; e++) {
    if (pause && (e & PAUSE_MASK) === PAUSE_MASK) await pause();
    const a = ix.columnRelation[c.from[e]];
    const b = ix.columnRelation[c.to[e]];
    if (a < 0 || b < 0 || a === b) continue;
    columnEdgesOut[pos[a]]++;
    columnEdgesIn[pos[b]]++;
  }
  return { keys, relations, edges, consumerCount, columnEdgesIn, columnEdgesOut };
}

export function usage(ix: GraphIndex, q: UsageQuery): UsageAggregate[] {
  const targets = q.targets ?? [...ix.usageByTarget.keys()];
  function* records() {
    for (const target of new Set(targets)) yield* ix.usageByTarget.get(target) ?? [];
  }
  return aggregateUsage(records(), q);
}

export function fingerprints(
  history: FingerprintHistory,
  keys: readonly NodeKey[],
  limitPerNode: number,
): Map<NodeKey, Fingerprint[]> {
  const out = new Map<NodeKey, Fingerprint[]>();
  for (const k of keys) {
    const list = history.get(k);
    if (list && list.length > 0 && limitPerNode > 0)
      out.set(k, list.slice(-limitPerNode).reverse().map(frozen));
  }
  return out;
}

export function evidence(ix: GraphIndex, keys: readonly NodeKey[], since?: string): Evidence[] {
  const out: Evidence[] = [];
  for (const k of new Set(keys)) for (const e of ix.evidenceByKey.get(k) ?? []) out.push({ ...e });
  return selectEvidence(out, since);
}

export function checks(ix: GraphIndex, keys: readonly NodeKey[]): Check[] {
  const from = new Map<Check, Contribution<Check>>();
  for (const o of ix.origins) {
    for (const c of o.checks)
      from.set(c, { originId: o.origin.id, provenance: o.origin.provenance, node: c });
  }
  const found = new Set<Contribution<Check>>();
  for (const k of new Set(keys)) for (const c of ix.checksByKey.get(k) ?? []) found.add(from.get(c)!);
  return selectChecks([...found]).map((c) => ({ ...c }));
}

export function origins(ix: GraphIndex): OriginInfo[] {
  return [...ix.origins]
    .sort((a, b) => compareStrings(a.origin.id, b.origin.id))
    .map((o) => ({
      ...o.origin,
      relations: o.relations.length,
      columns: o.columns.length,
      columnEdges: o.columnEdges.length,
      relationEdges: o.relationEdges.length,
      diagnostics: o.diagnostics.length,
    }));
}

export function diagnostics(ix: GraphIndex, q: DiagnosticQuery): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sorted = [...ix.origins].sort((a, b) => compareStrings(a.origin.id, b.origin.id));
  for (const o of sorted) {
    if (q.originId !== undefined && o.origin.id !== q.originId) continue;
    for (const d of o.diagnostics) {
      if (out.length >= q.limit) return out;
      if (q.severity !== undefined && d.severity !== q.severity) continue;
      if (q.code !== undefined && d.code !== q.code) continue;
      out.push(frozen(d));
    }
  }
  return out;
}

function nodeCounts(ix: GraphIndex): number[] {
  const counts = [0, 0, 0];
  for (let id = 0; id < ix.keys.length; id++) counts[ix.type[id]]++;
  return counts;
}

export function size(ix: GraphIndex): StoreSize {
  const counts = nodeCounts(ix);
  return { relations: counts[TYPE_RELATION], columns: counts[TYPE_COLUMN] };
}

export function stats(ix: GraphIndex): StoreStats {
  const counts = nodeCounts(ix);
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const o of ix.origins) for (const d of o.diagnostics) bySeverity[d.severity]++;
  return {
    relations: counts[TYPE_RELATION],
    columns: counts[TYPE_COLUMN],
    consumers: counts[TYPE_CONSUMER],
    columnEdges: ix.columnEdges.count,
    relationEdges: ix.relationEdges.count,
    consumerEdges: ix.consumerEdges.count,
    origins: origins(ix),
    diagnosticsBySeverity: bySeverity,
  };
}
