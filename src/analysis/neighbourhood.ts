// The neighbourhood of an asset as the explorer draws it: relations (and consumers) with their columns
// inside, the relation edges and column edges between them, walked level by level up and down from the
// asset. A level never draws more than `levelLimit` nodes: the rest are grouped by (schema, kind) into
// one box each ("+340 models in marts"), which the client can open (`expandGroups`). So a hub with
// thousands of neighbours costs one neighbours call per level and draws as few boxes as a leaf.
// Nodes can also be opened one level further (`expandUpstream` / `expandDownstream`) without raising
// the depth of the whole picture. Written over LineageStore.neighbors (one call per level).
import type { AnyNode, Hop, LineageStore } from '../../graph/store.ts';
import { lineageError } from '../errors.ts';
import type { AnalysisContext } from './context.ts';
import { PartialLog } from './context.ts';
import { cmp, loadNodes } from './impact.ts';
import { describeNode } from './owners.ts';
import { resolveRef } from './resolve-ref.ts';

export interface NeighbourhoodRequest {
  ref: string;
  upstreamDepth: number;
  downstreamDepth: number;
  /** Drawn node keys to open one more level upstream / downstream. */
  expandUpstream: readonly string[];
  expandDownstream: readonly string[];
  /** Group ids (from an earlier answer) whose members are drawn, up to `levelLimit` more each. */
  expandGroups: readonly string[];
  /** Most nodes drawn per level (per expansion) before the rest is grouped. */
  levelLimit: number;
  /** Most columns returned per relation. */
  columnLimit: number;
}

export type Flow = 'upstream' | 'downstream';

export interface NeighbourhoodColumn {
  key: string;
  name: string;
  dataType: string | null;
}

export interface NeighbourhoodNode {
  key: string;
  type: 'relation' | 'consumer';
  kind: string;
  name: string;
  displayName: string;
  schema: string | null;
  /** Negative upstream, positive downstream, 0 for the asked asset's relation. */
  distance: number;
  columns: NeighbourhoodColumn[];
  columnCount: number;
  /** Neighbours of this node that are not drawn (neither as a node nor inside a group). */
  hiddenUpstream: number;
  hiddenDownstream: number;
}

export interface NeighbourhoodGroup {
  id: string;
  direction: Flow;
  distance: number;
  schema: string | null;
  kind: string;
  count: number;
  /** The first few member keys, for a tooltip. */
  sample: string[];
}

export interface NeighbourhoodEdge {
  /** Data flows from `from` to `to`; either end may be a group id. */
  from: string;
  to: string;
  kind: string;
}

export interface NeighbourhoodResult {
  root: string;
  /** The column asked for, when the ref was a column. */
  focus: string | null;
  upstreamDepth: number;
  downstreamDepth: number;
  nodes: NeighbourhoodNode[];
  groups: NeighbourhoodGroup[];
  edges: NeighbourhoodEdge[];
  columnEdges: NeighbourhoodEdge[];
  partial: boolean;
  partialReasons: string[];
}

const GROUP_SAMPLE = 5;

/** What the walk has placed so far: drawn nodes with their distance, grouped nodes with their group. */
interface Placement {
  store: LineageStore;
  req: NeighbourhoodRequest;
  log: PartialLog;
  nodes: Map<string, AnyNode>;
  drawn: Map<string, number>;
  grouped: Map<string, string>;
  groups: Map<string, NeighbourhoodGroup>;
  groupEdges: Map<string, NeighbourhoodEdge>;
}

export async function neighbourhood(
  store: LineageStore,
  req: NeighbourhoodRequest,
  ctx: AnalysisContext,
): Promise<NeighbourhoodResult> {
  checkBounds(req, ctx);
  const asked = await resolveRef(store, req.ref);
  const root = asked.type === 'column' ? asked.node.relationKey : asked.node.key;
  const p: Placement = {
    store,
    req,
    log: new PartialLog(ctx.deadline),
    nodes: new Map(),
    drawn: new Map([[root, 0]]),
    grouped: new Map(),
    groups: new Map(),
    groupEdges: new Map(),
  };
  await loadNodes(store, p.nodes, [root]);
  await walk(p, [root], 'upstream', req.upstreamDepth, 0, 'u');
  await walk(p, [root], 'downstream', req.downstreamDepth, 0, 'd');
  await openRequested(p);
  return assemble(p, root, asked.type === 'column' ? asked.node.key : null);
}

function checkBounds(req: NeighbourhoodRequest, ctx: AnalysisContext): void {
  for (const [name, d] of [
    ['upstreamDepth', req.upstreamDepth],
    ['downstreamDepth', req.downstreamDepth],
  ] as const)
    if (!Number.isInteger(d) || d < 0 || d > ctx.maxDepth)
      throw lineageError('API_LIMIT_EXCEEDED', `${name} ${d} is outside 0..${ctx.maxDepth}`);
  if (!Number.isInteger(req.levelLimit) || req.levelLimit < 1 || req.levelLimit > 200)
    throw lineageError('API_LIMIT_EXCEEDED', `levelLimit ${req.levelLimit} is outside 1..200`);
  if (!Number.isInteger(req.columnLimit) || req.columnLimit < 0 || req.columnLimit > 1000)
    throw lineageError('API_LIMIT_EXCEEDED', `columnLimit ${req.columnLimit} is outside 0..1000`);
}

/** Level-by-level walk from `starts`; each level goes on only from the nodes it drew. */
async function walk(
  p: Placement,
  starts: string[],
  direction: Flow,
  depth: number,
  startDistance: number,
  groupScope: string,
): Promise<void> {
  let frontier = starts;
  const sign = direction === 'upstream' ? -1 : 1;
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    if (p.log.expired()) return;
    const distance = startDistance + sign * level;
    frontier = await placeLevel(p, frontier, direction, distance, `${groupScope}${level}`);
  }
}

/** Opens the nodes the client asked to open, again for nodes that only became drawn by an opening. */
async function openRequested(p: Placement): Promise<void> {
  const pending: [string, Flow][] = [
    ...[...p.req.expandUpstream].sort(cmp).map((k): [string, Flow] => [k, 'upstream']),
    ...[...p.req.expandDownstream].sort(cmp).map((k): [string, Flow] => [k, 'downstream']),
  ];
  const done = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const [key, direction] of pending) {
      const id = `${direction}:${key}`;
      const distance = p.drawn.get(key);
      if (done.has(id) || distance === undefined || p.log.expired()) continue;
      done.add(id);
      progress = true;
      await walk(p, [key], direction, 1, distance, `x:${id}:`);
    }
  }
}

/** One level: the new neighbours of `parents`, drawn up to the limit, the rest grouped. Returns the drawn. */
async function placeLevel(
  p: Placement,
  parents: string[],
  direction: Flow,
  distance: number,
  groupScope: string,
): Promise<string[]> {
  const hops = await hopsFrom(p.store, parents, direction);
  const fresh = [...new Set(hops.map((h) => h.to))].filter((k) => !p.drawn.has(k) && !p.grouped.has(k));
  await loadNodes(p.store, p.nodes, fresh);
  const byGroup = new Map<string, string[]>();
  for (const key of fresh.sort(cmp)) {
    const id = groupId(p, key, direction, groupScope);
    byGroup.set(id, [...(byGroup.get(id) ?? []), key]);
  }
  const { draw, rest } = chooseDrawn(byGroup, p.req.levelLimit, new Set(p.req.expandGroups));
  for (const key of draw) p.drawn.set(key, distance);
  for (const [id, members] of rest) addGroup(p, id, members, direction, distance);
  linkGroups(p, hops, direction);
  return draw;
}

/**
 * Relation-level neighbours of `keys` (consumers included downstream). A consumer is not a relation for
 * LineageStore.neighbors, so its upstream relations come from its edges.
 */
async function hopsFrom(store: LineageStore, keys: string[], direction: Flow): Promise<Hop[]> {
  const hops = await store.neighbors(keys, { direction, level: 'relation', includeConsumers: true });
  if (direction === 'downstream') return hops;
  const consumers = [...(await store.getNodes(keys)).values()].filter((n) => n.type === 'consumer');
  for (const c of consumers)
    for (const e of await store.edgesOf(c.node.key, 'upstream'))
      hops.push({ from: c.node.key, to: e.from, kind: e.kind, type: 'relation' });
  return hops;
}

function groupId(p: Placement, key: string, direction: Flow, scope: string): string {
  const a = describeNode(p.nodes.get(key), key);
  return `${direction === 'upstream' ? 'u' : 'd'}|${scope}|${a.schema ?? ''}|${a.kind}`;
}

/**
 * Which fresh nodes are drawn: everything when they fit in the limit; otherwise the members of opened
 * groups (up to the limit each), then the other nodes in key order up to the limit. The rest stays grouped.
 */
export function chooseDrawn(
  byGroup: Map<string, string[]>,
  limit: number,
  opened: ReadonlySet<string>,
): { draw: string[]; rest: Map<string, string[]> } {
  const all = [...byGroup.values()].flat();
  if (all.length <= limit) return { draw: all.sort(cmp), rest: new Map() };
  const draw: string[] = [];
  const rest = new Map<string, string[]>();
  const ids = [...byGroup.keys()].sort(cmp);
  for (const id of ids.filter((i) => opened.has(i))) {
    const members = byGroup.get(id) ?? [];
    draw.push(...members.slice(0, limit));
    if (members.length > limit) rest.set(id, members.slice(limit));
  }
  let room = Math.max(0, limit - draw.length);
  for (const id of ids.filter((i) => !opened.has(i))) {
    const members = byGroup.get(id) ?? [];
    const shown = members.slice(0, room);
    room -= shown.length;
    draw.push(...shown);
    if (members.length > shown.length) rest.set(id, members.slice(shown.length));
  }
  return { draw: draw.sort(cmp), rest };
}

function addGroup(p: Placement, id: string, members: string[], direction: Flow, distance: number): void {
  const a = describeNode(p.nodes.get(members[0]), members[0]);
  for (const m of members) p.grouped.set(m, id);
  p.groups.set(id, {
    id,
    direction,
    distance,
    schema: a.schema,
    kind: a.kind,
    count: members.length,
    sample: members.slice(0, GROUP_SAMPLE),
  });
}

/** An edge from each drawn parent to each group one of its neighbours fell into (data-flow direction). */
function linkGroups(p: Placement, hops: Hop[], direction: Flow): void {
  for (const h of hops) {
    const group = p.grouped.get(h.to);
    if (!group || !p.drawn.has(h.from)) continue;
    const e = direction === 'downstream' ? { from: h.from, to: group } : { from: group, to: h.from };
    p.groupEdges.set(`${e.from}\u0000${e.to}`, { ...e, kind: 'GROUP' });
  }
}

/** Node records, edges between drawn nodes, hidden-neighbour counts and the columns with their edges. */
async function assemble(p: Placement, root: string, focus: string | null): Promise<NeighbourhoodResult> {
  const keys = [...p.drawn.keys()].sort(cmp);
  await loadNodes(p.store, p.nodes, keys);
  const relationKeys = keys.filter((k) => p.nodes.get(k)?.type === 'relation');
  const [down, up] = await Promise.all([
    hopsFrom(p.store, keys, 'downstream'),
    hopsFrom(p.store, keys, 'upstream'),
  ]);
  const edges = down
    .filter((h) => p.drawn.has(h.to) && h.from !== h.to)
    .map((h) => ({ from: h.from, to: h.to, kind: h.kind }));
  const columns = await loadColumns(p, relationKeys);
  const columnEdges = await columnEdgesBetween(p.store, columns);
  const nodes = keys.map((key) => nodeRecord(p, key, columns.get(key), hidden(p, key, up, down)));
  return {
    root,
    focus,
    upstreamDepth: p.req.upstreamDepth,
    downstreamDepth: p.req.downstreamDepth,
    nodes: nodes.sort((a, b) => a.distance - b.distance || cmp(a.key, b.key)),
    groups: [...p.groups.values()].sort((a, b) => cmp(a.id, b.id)),
    edges: [...edges, ...p.groupEdges.values()].sort(
      (a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind, b.kind),
    ),
    columnEdges,
    partial: p.log.partial,
    partialReasons: [...p.log.reasons].sort(),
  };
}

function hidden(p: Placement, key: string, up: Hop[], down: Hop[]): { up: number; down: number } {
  const count = (hops: Hop[]) =>
    new Set(hops.filter((h) => h.from === key && !p.drawn.has(h.to) && !p.grouped.has(h.to)).map((h) => h.to))
      .size;
  return { up: count(up), down: count(down) };
}

interface ColumnsOf {
  shown: NeighbourhoodColumn[];
  total: number;
}

async function loadColumns(p: Placement, relationKeys: string[]): Promise<Map<string, ColumnsOf>> {
  const out = new Map<string, ColumnsOf>();
  for (const key of relationKeys) {
    if (p.log.expired()) break;
    const cols = await p.store.columnsOf(key);
    if (cols.length > p.req.columnLimit)
      p.log.add(`limit: ${key} has ${cols.length} columns, ${p.req.columnLimit} are returned`);
    out.set(key, {
      total: cols.length,
      shown: cols
        .slice(0, p.req.columnLimit)
        .map((c) => ({ key: c.key, name: c.displayName, dataType: c.dataType ?? null })),
    });
  }
  return out;
}

/** Column edges whose both ends are returned columns, in data-flow direction, sorted. */
async function columnEdgesBetween(
  store: LineageStore,
  columns: Map<string, ColumnsOf>,
): Promise<NeighbourhoodEdge[]> {
  const shown = new Set([...columns.values()].flatMap((c) => c.shown.map((col) => col.key)));
  if (shown.size === 0) return [];
  const hops = await store.neighbors([...shown], { direction: 'downstream', level: 'column' });
  return hops
    .filter((h) => shown.has(h.to) && h.from !== h.to)
    .map((h) => ({ from: h.from, to: h.to, kind: h.kind }));
}

function nodeRecord(
  p: Placement,
  key: string,
  cols: ColumnsOf | undefined,
  hiddenCounts: { up: number; down: number },
): NeighbourhoodNode {
  const a = describeNode(p.nodes.get(key), key);
  return {
    key,
    type: a.type === 'consumer' ? 'consumer' : 'relation',
    kind: a.kind,
    name: a.name,
    displayName: a.displayName,
    schema: a.schema,
    distance: p.drawn.get(key) ?? 0,
    columns: cols?.shown ?? [],
    columnCount: cols?.total ?? 0,
    hiddenUpstream: hiddenCounts.up,
    hiddenDownstream: hiddenCounts.down,
  };
}
