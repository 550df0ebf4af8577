// Lineage around an asset as nodes + edges in one payload, for drawing. A relation or consumer is drawn
// at relation level (with consumers), a column at column level. Bounded by depth and a node limit.
import type { EdgeView, HopKind, LineageStore, NodeType } from '../../graph/store.ts';
import type { AnyNode } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { boundedTraverse, PartialLog } from './context.ts';
import { cmp, loadNodes } from './impact.ts';
import { describeNode } from './owners.ts';
import { resolveRef } from './resolve-ref.ts';
import { lineageError } from '../errors.ts';

export const GRAPH_DIRECTIONS = ['UPSTREAM', 'DOWNSTREAM', 'BOTH'] as const;
export type GraphDirection = (typeof GRAPH_DIRECTIONS)[number];

export interface GraphNode {
  key: string;
  type: NodeType;
  kind: string;
  name: string;
  displayName: string;
  /** Negative upstream, positive downstream, 0 for the asked asset. */
  distance: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: HopKind;
  confidence: string;
  provenances: string[];
}

export interface LineageGraphResult {
  root: string;
  level: 'relation' | 'column';
  nodes: GraphNode[];
  edges: GraphEdge[];
  partial: boolean;
  partialReasons: string[];
}

export async function lineageGraph(
  store: LineageStore,
  req: { ref: string; direction: GraphDirection; depth: number; limit: number },
  ctx: AnalysisContext,
): Promise<LineageGraphResult> {
  if (!Number.isInteger(req.depth) || req.depth < 1 || req.depth > ctx.maxDepth)
    throw lineageError('API_LIMIT_EXCEEDED', `depth ${req.depth} is outside 1..${ctx.maxDepth}`);
  const root = await resolveRef(store, req.ref);
  const level = root.type === 'column' ? 'column' : 'relation';
  const log = new PartialLog(ctx.deadline);
  const distance = new Map<string, number>([[root.node.key, 0]]);
  const dirs: ('upstream' | 'downstream')[] =
    req.direction === 'BOTH'
      ? ['upstream', 'downstream']
      : [req.direction === 'UPSTREAM' ? 'upstream' : 'downstream'];
  // Both walks are sent at once (one wait on a server); their answers are applied in `dirs` order, so a key
  // reached both ways keeps its upstream distance, as when they ran one after the other.
  const walks = await Promise.all(
    dirs
      .filter((direction) => !(root.type === 'consumer' && direction === 'downstream'))
      .map(async (direction) => ({
        sign: direction === 'upstream' ? -1 : 1,
        t: await boundedTraverse(
          store,
          [root.node.key],
          { direction, level, maxDepth: req.depth, limit: req.limit, includeConsumers: level === 'relation' },
          `the ${direction} walk`,
          log,
        ),
      })),
  );
  for (const { sign, t } of walks)
    for (const r of t.reached) if (!distance.has(r.key)) distance.set(r.key, sign * r.distance);
  const nodes = new Map<string, AnyNode>([[root.node.key, root]]);
  // The drawn nodes and the edges between them, read together. An edge between two drawn nodes is a
  // downstream edge of its source: one call for all of them.
  const [, edgeViews] = await Promise.all([
    loadNodes(store, nodes, distance.keys()),
    log.expired() ? undefined : store.edgesOfMany([...distance.keys()], 'downstream'),
  ]);
  const edges = new Map<string, EdgeView>();
  for (const views of edgeViews?.values() ?? [])
    for (const e of views) {
      if (!distance.has(e.to) || e.from === e.to) continue;
      const isColumnEdge = e.kind !== 'RELATION' && e.kind !== 'CONSUMER';
      if ((level === 'column') !== isColumnEdge) continue;
      edges.set(`${e.from}\u0000${e.to}\u0000${e.kind}`, e);
    }
  const graphNodes: GraphNode[] = [...distance].map(([key, d]) => {
    const a = describeNode(nodes.get(key), key);
    return { key, type: a.type, kind: a.kind, name: a.name, displayName: a.displayName, distance: d };
  });
  graphNodes.sort((a, b) => a.distance - b.distance || cmp(a.key, b.key));
  const graphEdges = [...edges.values()]
    .map((e) => ({
      from: e.from,
      to: e.to,
      kind: e.kind,
      confidence: e.confidence,
      provenances: e.provenances,
    }))
    .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind, b.kind));
  return {
    root: root.node.key,
    level,
    nodes: graphNodes,
    edges: graphEdges,
    partial: log.partial,
    partialReasons: [...log.reasons].sort(),
  };
}
