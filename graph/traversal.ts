// The reference traversal of the LineageStore contract: a level-by-level BFS with the store.ts witness and
// truncation rules over an `expand` callback that answers one frontier per call. The Neo4j store runs it with
// one statement per level; the embedded store has its own typed-array walk, which the conformance suite checks
// against this one (bfs over the store's `neighbors`). Also the option checks both stores share.
import { lineageError } from '../src/errors.ts';
import { TRANSFORM_KINDS, type NodeKey } from '../src/model/lineage.ts';
import { compareStrings, HOP_KIND_ORDER } from './merge.ts';
import type {
  Hop,
  HopKind,
  NeighborOptions,
  NodeType,
  PathStep,
  ReachedNode,
  TraversalResult,
  TraverseOptions,
} from './store.ts';

/** Checks asOf and kinds (LINEAGE_BAD_ARGUMENT); returns asOf in epoch ms (null when not given). */
export function checkStepOptions(options: NeighborOptions): number | null {
  let asOf: number | null = null;
  if (options.asOf !== undefined) {
    asOf = Date.parse(options.asOf);
    if (Number.isNaN(asOf)) throw lineageError('LINEAGE_BAD_ARGUMENT', `asOf is not a time: ${options.asOf}`);
  }
  for (const k of options.kinds ?? [])
    if (!TRANSFORM_KINDS.includes(k))
      throw lineageError('LINEAGE_BAD_ARGUMENT', `unknown edge kind ${String(k)}`);
  return asOf;
}

/** Checks maxDepth and limit (LINEAGE_BAD_ARGUMENT), then the step options; returns asOf as checkStepOptions. */
export function checkTraverseOptions(options: TraverseOptions): number | null {
  const { maxDepth, limit } = options;
  if (!Number.isInteger(maxDepth) || maxDepth < 1)
    throw lineageError('LINEAGE_BAD_ARGUMENT', `maxDepth must be an integer >= 1, got ${maxDepth}`);
  if (!Number.isInteger(limit) || limit < 0)
    throw lineageError('LINEAGE_BAD_ARGUMENT', `limit must be an integer >= 0, got ${limit}`);
  return checkStepOptions(options);
}

interface Visit {
  distance: number;
  parent: NodeKey | null;
  kind: HopKind | null;
  type: NodeType;
}

const kindRank = (k: HopKind): number => HOP_KIND_ORDER.indexOf(k);

export async function bfs(
  starts: readonly NodeKey[],
  startType: (key: NodeKey) => NodeType | undefined,
  maxDepth: number,
  limit: number,
  expand: (frontier: NodeKey[]) => Promise<Hop[]>,
): Promise<TraversalResult> {
  const visited = new Map<NodeKey, Visit>();
  const startKeys: NodeKey[] = [];
  for (const s of [...new Set(starts)].sort(compareStrings)) {
    const t = startType(s);
    if (t === undefined) continue;
    visited.set(s, { distance: 0, parent: null, kind: null, type: t });
    startKeys.push(s);
  }
  let frontier = startKeys;
  const levels: NodeKey[][] = [];
  let reachedCount = 0;
  let truncatedBy: TraversalResult['truncatedBy'] = null;
  for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
    const best = new Map<NodeKey, { parent: NodeKey; kind: HopKind; type: NodeType }>();
    for (const h of await expand(frontier)) {
      if (visited.has(h.to)) continue;
      const cur = best.get(h.to);
      if (
        !cur ||
        compareStrings(h.from, cur.parent) < 0 ||
        (h.from === cur.parent && kindRank(h.kind) < kindRank(cur.kind))
      )
        best.set(h.to, { parent: h.from, kind: h.kind, type: h.type });
    }
    const level = [...best.keys()].sort(compareStrings);
    for (const k of level) {
      const b = best.get(k)!;
      visited.set(k, { distance: d, parent: b.parent, kind: b.kind, type: b.type });
    }
    levels.push(level);
    reachedCount += level.length;
    frontier = level;
    if (reachedCount > limit) {
      truncatedBy = 'limit';
      break;
    }
  }
  if (truncatedBy === null && levels.length === maxDepth && frontier.length > 0) {
    const further = await expand(frontier);
    if (further.some((h) => !visited.has(h.to))) truncatedBy = 'depth';
  }
  const reached: ReachedNode[] = [];
  outer: for (const level of levels) {
    for (const key of level) {
      if (reached.length >= limit) break outer;
      const v = visited.get(key)!;
      reached.push({ key, type: v.type, distance: v.distance, path: witness(visited, key) });
    }
  }
  return { starts: startKeys, reached, truncatedBy };
}

function witness(visited: Map<NodeKey, Visit>, key: NodeKey): PathStep[] {
  const steps: PathStep[] = [];
  let cur = key;
  for (;;) {
    const v = visited.get(cur)!;
    if (v.parent === null || v.kind === null) break;
    steps.push({ from: v.parent, to: cur, kind: v.kind });
    cur = v.parent;
  }
  return steps.reverse();
}

/** A node a one-statement traversal reached: its BFS distance and every followed edge into it. */
export interface DistanceRow {
  key: NodeKey;
  type: NodeType;
  /** 1..maxDepth + 1 (a node at maxDepth + 1 only tells that the walk was truncated by depth). */
  distance: number;
  /** (from, kind) of every edge the walk would follow into the node (needed for nodes within maxDepth). */
  preds: readonly (readonly [from: NodeKey, kind: HopKind])[];
}

/**
 * The TraversalResult of `bfs` from the minimum distances of the reached nodes (for stores that compute them
 * in one statement): the same witness rule (smallest-key parent at distance - 1, then the first kind in
 * HOP_KIND_ORDER) and the same truncation rules. `startKeys` are the valid starts (distance 0).
 */
export function traversalFromDistances(
  starts: readonly NodeKey[],
  rows: readonly DistanceRow[],
  maxDepth: number,
  limit: number,
): TraversalResult {
  const startKeys = [...new Set(starts)].sort(compareStrings);
  const distance = new Map<NodeKey, number>(startKeys.map((k) => [k, 0]));
  const within: DistanceRow[] = [];
  let beyond = false;
  for (const r of rows) {
    if (distance.has(r.key)) continue;
    if (r.distance <= maxDepth) {
      distance.set(r.key, r.distance);
      within.push(r);
    } else beyond = true;
  }
  within.sort((a, b) => a.distance - b.distance || compareStrings(a.key, b.key));
  const truncatedBy: TraversalResult['truncatedBy'] =
    within.length > limit ? 'limit' : beyond && within.length > 0 ? 'depth' : null;
  const parent = new Map<NodeKey, { from: NodeKey; kind: HopKind }>();
  const kept = within.slice(0, limit);
  for (const r of kept) {
    let best: { from: NodeKey; kind: HopKind } | null = null;
    for (const [from, kind] of r.preds) {
      if (distance.get(from) !== r.distance - 1) continue;
      if (
        !best ||
        compareStrings(from, best.from) < 0 ||
        (from === best.from && kindRank(kind) < kindRank(best.kind))
      )
        best = { from, kind };
    }
    if (!best) throw new Error(`traversal: no parent for ${r.key} at distance ${r.distance}`);
    parent.set(r.key, best);
  }
  const reached: ReachedNode[] = kept.map((r) => {
    const path: PathStep[] = [];
    let cur = r.key;
    for (let p = parent.get(cur); p; p = parent.get(cur)) {
      path.push({ from: p.from, to: cur, kind: p.kind });
      cur = p.from;
    }
    return { key: r.key, type: r.type, distance: r.distance, path: path.reverse() };
  });
  return { starts: startKeys, reached, truncatedBy };
}
