// Bounded breadth-first traversal over the CSR adjacency of a GraphIndex, implementing the witness and
// truncation rules of graph/store.ts (TraverseOptions, ReachedNode, TraversalResult).
import { pausePoint, PAUSE_MASK, type Checkpoint } from '../cooperate.ts';
import { TRANSFORM_KINDS } from '../../src/model/lineage.ts';
import { HOP_KIND_ORDER } from '../merge.ts';
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

/**
 * LineageStore.neighbors over the index, in its canonical order without sorting the hops: ids are in key
 * order, so the starts are sorted as numbers and each start's few (to, kind) pairs as numbers too. (A sort of
 * all hops by their key strings was one stretch of 150-600 ms for unusedColumns' 92,000 keys.) Pauses every
 * PAUSE_STRIDE starts.
 */
export async function neighborsIndex(
  ix: GraphIndex,
  keys: readonly string[],
  options: NeighborOptions,
): Promise<Hop[]> {
  const { startType, neighbors } = stepper(ix, options, checkStepOptions(options));
  const pause = pausePoint();
  const starts: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    const u = ix.ids.get(keys[i]);
    if (u !== undefined && ix.type[u] === startType) starts.push(u);
  }
  starts.sort((a, b) => a - b);
  const hops: Hop[] = [];
  const pairs: number[] = [];
  const collect = (v: number, kind: number) => pairs.push(v * KIND_SLOTS + kind);
  for (let i = 0; i < starts.length; i++) {
    const u = starts[i];
    if (i > 0 && u === starts[i - 1]) continue;
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    pairs.length = 0;
    neighbors(u, collect);
    pairs.sort((a, b) => a - b);
    for (let j = 0; j < pairs.length; j++) {
      if (j > 0 && pairs[j] === pairs[j - 1]) continue;
      const v = Math.floor(pairs[j] / KIND_SLOTS);
      const kind = HOP_KIND_ORDER[pairs[j] % KIND_SLOTS];
      hops.push({ from: ix.keys[u], to: ix.keys[v], kind, type: NODE_TYPES[ix.type[v]] });
    }
  }
  return hops;
}

/** (to, kind) packed into one number that sorts like the pair: kind indexes HOP_KIND_ORDER. */
const KIND_SLOTS = 16;

/** Per-walk marks: a node is reached in this walk when stamp[v] === gen. */
interface Scratch {
  gen: number;
  stamp: Uint32Array;
  dist: Int32Array;
  parent: Int32Array;
  kind: Uint8Array;
}

/**
 * Scratch spaces a walk borrows for its whole run, so a walk that pauses (graph/cooperate.ts) never shares
 * its marks with another walk. Up to MAX_SCRATCH are kept per index (the index's own is the first); a walk
 * that finds all of them lent out waits for one when it may pause, else gets a temporary one.
 */
const MAX_SCRATCH = 4;
interface ScratchPool {
  free: Scratch[];
  made: number;
  waiting: ((s: Scratch) => void)[];
}
// keyed by the index's own scratch: an index rebuilt only for origin metadata shares it with the old one
const pools = new WeakMap<Scratch, ScratchPool>();

const newScratch = (n: number): Scratch => ({
  gen: 0,
  stamp: new Uint32Array(n),
  dist: new Int32Array(n),
  parent: new Int32Array(n),
  kind: new Uint8Array(n),
});

async function borrowScratch(ix: GraphIndex, canWait: boolean): Promise<[Scratch, () => void]> {
  let pool = pools.get(ix.scratch);
  if (!pool) pools.set(ix.scratch, (pool = { free: [ix.scratch], made: 1, waiting: [] }));
  const p = pool;
  let s = p.free.pop();
  if (!s && p.made < MAX_SCRATCH) {
    p.made++;
    s = newScratch(ix.keys.length);
  }
  if (!s && !canWait) return [newScratch(ix.keys.length), () => undefined];
  s ??= await new Promise<Scratch>((resolve) => p.waiting.push(resolve));
  const lent = s;
  const giveBack = () => {
    const next = p.waiting.shift();
    if (next) next(lent);
    else p.free.push(lent);
  };
  return [lent, giveBack];
}

/** A new generation of `s`: every node unmarked. */
function nextGen(s: Scratch): number {
  if (++s.gen === 0xffffffff) {
    s.stamp.fill(0);
    s.gen = 1;
  }
  return s.gen;
}

interface Walk {
  ix: GraphIndex;
  s: Scratch;
  gen: number;
  neighbors: Stepper['neighbors'];
  pause: Checkpoint | null;
}

/** Breadth-first levels (each sorted by id) up to maxDepth, stopping once more than `limit` nodes are reached. */
async function bfsLevels(w: Walk, starts: number[], maxDepth: number, limit: number) {
  const { s, gen, neighbors, pause } = w;
  const levels: number[][] = [];
  let frontier = starts;
  let total = 0;
  let steps = 0;
  for (let d = 0; d < maxDepth && frontier.length > 0; d++) {
    const next: number[] = [];
    const visit = (u: number) => (v: number, kind: number) => {
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
    };
    for (const u of frontier) {
      if (pause && (++steps & PAUSE_MASK) === 0) await pause();
      neighbors(u, visit(u));
    }
    next.sort((a, b) => a - b);
    if (next.length > 0) levels.push(next);
    total += next.length;
    if (total > limit) return { levels, truncatedBy: 'limit' as const };
    frontier = next;
  }
  return { levels, truncatedBy: null };
}

/** Whether a node of the last level has an edge to a node this walk did not reach. */
function goesDeeper(w: Walk, last: readonly number[]): boolean {
  for (const u of last) {
    let found = false;
    w.neighbors(u, (v) => {
      if (w.s.stamp[v] !== w.gen) found = true;
    });
    if (found) return true;
  }
  return false;
}

/** The first `limit` reached nodes with their witness paths (one PathStep object per node, shared). */
async function reachedOf(w: Walk, levels: readonly number[][], limit: number): Promise<ReachedNode[]> {
  const { ix, s, pause } = w;
  const stepOf = new Map<number, PathStep>();
  const step = (v: number) => {
    let st = stepOf.get(v);
    if (!st) {
      st = { from: ix.keys[s.parent[v]], to: ix.keys[v], kind: HOP_KIND_ORDER[s.kind[v]] };
      stepOf.set(v, st);
    }
    return st;
  };
  const reached: ReachedNode[] = [];
  for (const level of levels) {
    for (const id of level) {
      if (reached.length >= limit) return reached;
      if (pause && (reached.length & PAUSE_MASK) === PAUSE_MASK) await pause();
      const path: PathStep[] = new Array(s.dist[id]);
      for (let v = id, i = s.dist[id] - 1; i >= 0; v = s.parent[v], i--) path[i] = step(v);
      reached.push({ key: ix.keys[id], type: NODE_TYPES[ix.type[id]], distance: s.dist[id], path });
    }
  }
  return reached;
}

/**
 * LineageStore.traverse over the index. Inside withPauses it pauses every PAUSE_STRIDE expanded nodes, on
 * a scratch space of its own (borrowed for the walk), so other walks can run while it waits.
 */
export async function traverseIndex(
  ix: GraphIndex,
  startKeys: readonly string[],
  options: TraverseOptions,
): Promise<TraversalResult> {
  const { maxDepth, limit } = options;
  const { startType, neighbors } = stepper(ix, options, checkTraverseOptions(options));
  const startIds = [
    ...new Set(
      startKeys
        .map((k) => ix.ids.get(k))
        .filter((id): id is number => id !== undefined && ix.type[id] === startType),
    ),
  ].sort((a, b) => a - b);
  const pause = pausePoint();
  const [s, giveBack] = await borrowScratch(ix, pause !== null);
  try {
    const w: Walk = { ix, s, gen: nextGen(s), neighbors, pause };
    for (const id of startIds) {
      s.stamp[id] = w.gen;
      s.dist[id] = 0;
      s.parent[id] = -1;
    }
    const { levels, truncatedBy } = await bfsLevels(w, startIds, maxDepth, limit);
    const deeper = truncatedBy === null && levels.length === maxDepth && goesDeeper(w, levels[maxDepth - 1]);
    const reached = await reachedOf(w, levels, limit);
    return {
      starts: startIds.map((id) => ix.keys[id]),
      reached,
      truncatedBy: deeper ? 'depth' : truncatedBy,
    };
  } finally {
    giveBack();
  }
}
