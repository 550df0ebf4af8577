// Bounded breadth-first traversal over the CSR adjacency of a GraphIndex, implementing the witness and
// truncation rules of graph/store.ts (TraverseOptions, ReachedNode, TraversalResult).
import { pausePoint, PAUSE_MASK } from '../cooperate.ts';
import { TRANSFORM_KINDS } from '../../src/model/lineage.ts';
import { HOP_KIND_ORDER } from '../merge.ts';
import { canonicalHops } from '../records.ts';
import { checkStepOptions, checkTraverseOptions } from '../traversal.ts';
import type {
  Hop,
  NeighborOptions,
  PathStep,
  ReachedNode,
  TraversalResult,
  TraverseOptions,
} from '../store.ts';
import { NODE_TYPES, TYPE_COLUMN, TYPE_RELATION, type EdgeGroup, type GraphIndex } from './graph-index.ts';

type Visit = (v: number, kind: number) => void;

function forEachEdge(g: EdgeGroup, u: number, down: boolean, asOf: number, mask: number, visit: Visit): void {
  if (down) {
    for (let e = g.outOff[u], end = g.outOff[u + 1]; e < end; e++) {
      if (g.firstSeenMs[e] > asOf || ((1 << g.kind[e]) & mask) === 0) continue;
      visit(g.to[e], g.kind[e]);
    }
  } else {
    for (let i = g.inOff[u], end = g.inOff[u + 1]; i < end; i++) {
      const e = g.inEdges[i];
      if (g.firstSeenMs[e] > asOf || ((1 << g.kind[e]) & mask) === 0) continue;
      visit(g.from[e], g.kind[e]);
    }
  }
}

interface Stepper {
  startType: number;
  /** Calls visit for every edge the step follows from u (merged edges: one call per (to, kind)). */
  neighbors: (u: number, visit: Visit) => void;
}

/** The edge walk `traverseIndex` and `neighborsIndex` share (options already checked; asOf in epoch ms). */
function stepper(ix: GraphIndex, options: NeighborOptions, asOfMs: number | null): Stepper {
  const asOf = asOfMs ?? Number.POSITIVE_INFINITY;
  const down = options.direction === 'downstream';
  const columnLevel = options.level === 'column';
  let mask = 0xffff;
  if (columnLevel && options.kinds !== undefined) {
    mask = 0;
    for (const k of options.kinds) mask |= 1 << TRANSFORM_KINDS.indexOf(k);
  }
  const withConsumers = !columnLevel && down && options.includeConsumers === true;
  return {
    startType: columnLevel ? TYPE_COLUMN : TYPE_RELATION,
    neighbors: (u, visit) => {
      if (columnLevel) forEachEdge(ix.columnEdges, u, down, asOf, mask, visit);
      else {
        forEachEdge(ix.relationEdges, u, down, asOf, mask, visit);
        if (withConsumers) forEachEdge(ix.consumerEdges, u, down, asOf, mask, visit);
      }
    },
  };
}

/** LineageStore.neighbors over the index. */
export async function neighborsIndex(
  ix: GraphIndex,
  keys: readonly string[],
  options: NeighborOptions,
): Promise<Hop[]> {
  const { startType, neighbors } = stepper(ix, options, checkStepOptions(options));
  const hops: Hop[] = [];
  const pause = pausePoint();
  let i = 0;
  for (const key of new Set(keys)) {
    if (pause && (i++ & PAUSE_MASK) === PAUSE_MASK) await pause();
    const u = ix.ids.get(key);
    if (u === undefined || ix.type[u] !== startType) continue;
    neighbors(u, (v, kind) =>
      hops.push({ from: key, to: ix.keys[v], kind: HOP_KIND_ORDER[kind], type: NODE_TYPES[ix.type[v]] }),
    );
  }
  return canonicalHops(hops);
}

export function traverseIndex(
  ix: GraphIndex,
  startKeys: readonly string[],
  options: TraverseOptions,
): TraversalResult {
  const { maxDepth, limit } = options;
  const { startType, neighbors } = stepper(ix, options, checkTraverseOptions(options));

  const startIds = [
    ...new Set(
      startKeys
        .map((k) => ix.ids.get(k))
        .filter((id): id is number => id !== undefined && ix.type[id] === startType),
    ),
  ].sort((a, b) => a - b);

  const s = ix.scratch;
  s.gen++;
  if (s.gen === 0xffffffff) {
    s.stamp.fill(0);
    s.gen = 1;
  }
  const gen = s.gen;
  for (const id of startIds) {
    s.stamp[id] = gen;
    s.dist[id] = 0;
    s.parent[id] = -1;
  }
  const levels: number[][] = [];
  let frontier = startIds;
  let total = 0;
  let truncatedBy: TraversalResult['truncatedBy'] = null;
  for (let d = 0; d < maxDepth && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const u of frontier) {
      neighbors(u, (v, kind) => {
        if (s.stamp[v] !== gen) {
          s.stamp[v] = gen;
          s.dist[v] = d + 1;
          s.parent[v] = u;
          s.kind[v] = kind;
          next.push(v);
        } else if (s.dist[v] === d + 1) {
          if (u < s.parent[v]) {
            s.parent[v] = u;
            s.kind[v] = kind;
          } else if (u === s.parent[v] && kind < s.kind[v]) s.kind[v] = kind;
        }
      });
    }
    next.sort((a, b) => a - b);
    if (next.length > 0) levels.push(next);
    total += next.length;
    if (total > limit) {
      truncatedBy = 'limit';
      break;
    }
    frontier = next;
  }
  if (truncatedBy === null && levels.length === maxDepth) {
    const last = levels[maxDepth - 1];
    outer: for (const u of last) {
      let found = false;
      neighbors(u, (v) => {
        if (s.stamp[v] !== gen) found = true;
      });
      if (found) {
        truncatedBy = 'depth';
        break outer;
      }
    }
  }

  const reached: ReachedNode[] = [];
  for (const level of levels) {
    for (const id of level) {
      if (reached.length >= limit) break;
      const path: PathStep[] = new Array(s.dist[id]);
      for (let v = id, i = s.dist[id] - 1; i >= 0; v = s.parent[v], i--) {
        path[i] = { from: ix.keys[s.parent[v]], to: ix.keys[v], kind: HOP_KIND_ORDER[s.kind[v]] };
      }
      reached.push({ key: ix.keys[id], type: NODE_TYPES[ix.type[id]], distance: s.dist[id], path });
    }
  }
  return { starts: startIds.map((id) => ix.keys[id]), reached, truncatedBy };
}
