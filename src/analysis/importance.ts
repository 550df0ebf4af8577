// Importance of an asset: what is hit when it breaks. One formula, used to rank impact results and to
// pick alert severities (see docs/api.md "Importance and severity"):
//   exposuresDownstream counts consumers of kind dashboard/notebook/ml/application/analysis (not metrics).
//   score = 10 × exposuresDownstream + 5 × log10(1 + reads in window) + 20 × (key asset ? 1 : 0)
//   severity: CRITICAL when a key asset or ≥ 3 exposures, HIGH when ≥ 1 exposure or ≥ 1000 reads,
//             MEDIUM when any read, else LOW.
import type { AnyNode, Hop, LineageStore } from '../../graph/store.ts';

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type AlertSeverity = (typeof SEVERITIES)[number];

/** Tags that mark an asset as key even when the ingest did not set isKeyAsset. */
export const KEY_ASSET_TAGS = ['key_asset', 'key-asset', 'critical', 'tier1', 'tier_1', 'tier-1'];

export interface Importance {
  score: number;
  exposuresDownstream: number;
  reads: number;
  keyAsset: boolean;
  severity: AlertSeverity;
}

export interface ImportanceContext {
  /** Inclusive UTC day of the usage window start. */
  sinceDay: string;
  excludeUsers?: readonly string[];
  excludeRoles?: readonly string[];
  /** Bound on the downstream subgraph explored to count exposures. */
  maxNodes: number;
  /** Asked between store calls; true stops the exploration (the result is then partial). */
  expired?: () => boolean;
}

export function isKeyAsset(node: AnyNode | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'relation':
      return node.node.isKeyAsset || node.node.tags.some((t) => KEY_ASSET_TAGS.includes(t.toLowerCase()));
    case 'column':
      return node.node.tags.some((t) => KEY_ASSET_TAGS.includes(t.toLowerCase()));
    case 'consumer':
      return (
        node.node.maturity?.toLowerCase() === 'high' ||
        node.node.tags.some((t) => KEY_ASSET_TAGS.includes(t.toLowerCase()))
      );
  }
}

export function importanceScore(exposures: number, reads: number, keyAsset: boolean): number {
  return Math.round((10 * exposures + 5 * Math.log10(1 + reads) + (keyAsset ? 20 : 0)) * 100) / 100;
}

export function severityOf(exposures: number, reads: number, keyAsset: boolean): AlertSeverity {
  if (keyAsset || exposures >= 3) return 'CRITICAL';
  if (exposures >= 1 || reads >= 1000) return 'HIGH';
  if (reads >= 1) return 'MEDIUM';
  return 'LOW';
}

export function maxSeverity(list: readonly AlertSeverity[]): AlertSeverity {
  let best = 0;
  for (const s of list) best = Math.max(best, SEVERITIES.indexOf(s));
  return SEVERITIES[best];
}

/** The record importanceOf's phases share: the explored downstream subgraph and the consumers met in it. */
interface ImportanceRun {
  store: LineageStore;
  keys: readonly string[];
  nodes: Map<string, AnyNode>;
  ctx: ImportanceContext;
  /** Explored node -> its downstream neighbours (relations and consumers). */
  adjacency: Map<string, string[]>;
  /** Real exposures met (metrics and semantic models are dropped once loaded). */
  consumers: Set<string>;
  /** Node -> the exposures reachable from it (memo). */
  reach: Map<string, Set<string>>;
  partial: boolean;
}

/**
 * Importance of relations and consumers. Exposures downstream are counted over the downstream subgraph
 * explored from `keys` (at most ctx.maxNodes nodes); `partial` says when that bound cut it.
 */
export async function importanceOf(
  store: LineageStore,
  keys: readonly string[],
  nodes: Map<string, AnyNode>,
  ctx: ImportanceContext,
): Promise<{ byKey: Map<string, Importance>; partial: boolean }> {
  const run: ImportanceRun = {
    store,
    keys,
    nodes,
    ctx,
    adjacency: new Map(),
    consumers: new Set(),
    reach: new Map(),
    partial: false,
  };
  await exploreDownstream(run);
  await dropSemanticConsumers(run);
  const reads = await readsOf(run);
  const byKey = new Map<string, Importance>();
  for (const key of keys) {
    const node = nodes.get(key);
    const exposures =
      node?.type === 'consumer' ? (node.node.kind === 'other' ? 0 : 1) : reachOf(run, key).size;
    const r = reads.get(key) ?? 0;
    const keyAsset = isKeyAsset(node);
    byKey.set(key, {
      score: importanceScore(exposures, r, keyAsset),
      exposuresDownstream: exposures,
      reads: r,
      keyAsset,
      severity: severityOf(exposures, r, keyAsset),
    });
  }
  return { byKey, partial: run.partial };
}

/**
 * Breadth first, one store call per level (a segment of the queue): keys are still handled in queue order,
 * so the maxNodes cut falls exactly where a node-by-node walk would put it.
 */
async function exploreDownstream(run: ImportanceRun): Promise<void> {
  const queue = [...new Set(run.keys)].sort();
  const seen = new Set(queue);
  for (let levelStart = 0; levelStart < queue.length;) {
    const levelEnd = queue.length;
    const hops = await run.store.neighbors(queue.slice(levelStart, levelEnd), {
      direction: 'downstream',
      level: 'relation',
      includeConsumers: true,
    });
    const hopsFrom = new Map<string, Hop[]>();
    for (const h of hops) {
      const list = hopsFrom.get(h.from);
      if (list) list.push(h);
      else hopsFrom.set(h.from, [h]);
    }
    for (let i = levelStart; i < levelEnd; i++) {
      if (run.ctx.expired?.()) {
        run.partial = true;
        return;
      }
      expandNode(run, queue[i], hopsFrom.get(queue[i]) ?? [], seen, queue);
    }
    levelStart = levelEnd;
  }
}

function expandNode(run: ImportanceRun, key: string, hops: Hop[], seen: Set<string>, queue: string[]): void {
  if (run.nodes.get(key)?.type === 'consumer') {
    run.consumers.add(key);
    run.adjacency.set(key, []);
    return;
  }
  const out: string[] = [];
  for (const h of hops) {
    if (h.to === key) continue;
    out.push(h.to);
    if (h.kind === 'CONSUMER') run.consumers.add(h.to);
    if (seen.has(h.to)) continue;
    if (seen.size >= run.ctx.maxNodes) {
      run.partial = true;
      continue;
    }
    seen.add(h.to);
    queue.push(h.to);
  }
  run.adjacency.set(key, out);
}

/**
 * Only real exposures count (dashboards, notebooks, ML models, apps, analyses); metrics and semantic models
 * (kind 'other') are listed by impact but do not raise importance.
 */
async function dropSemanticConsumers(run: ImportanceRun): Promise<void> {
  const missing = [...run.consumers].filter((k) => !run.nodes.has(k));
  if (missing.length > 0) for (const [k, n] of await run.store.getNodes(missing)) run.nodes.set(k, n);
  for (const k of [...run.consumers]) {
    const n = run.nodes.get(k);
    if (n?.type === 'consumer' && n.node.kind === 'other') run.consumers.delete(k);
  }
}

/** Exposures reachable from `start`: memoized iterative post-order DFS over the explored subgraph, cycles cut. */
function reachOf(run: ImportanceRun, start: string): Set<string> {
  const { reach, adjacency, consumers } = run;
  const done = reach.get(start);
  if (done) return done;
  const visiting = new Set<string>([start]);
  const stack: { key: string; i: number; acc: Set<string> }[] = [{ key: start, i: 0, acc: new Set() }];
  let result = new Set<string>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = adjacency.get(top.key) ?? [];
    if (top.i < next.length) {
      const child = next[top.i++];
      if (consumers.has(child)) top.acc.add(child);
      const memo = reach.get(child);
      if (memo) for (const c of memo) top.acc.add(c);
      else if (!visiting.has(child) && adjacency.has(child)) {
        visiting.add(child);
        stack.push({ key: child, i: 0, acc: new Set() });
      }
      continue;
    }
    stack.pop();
    visiting.delete(top.key);
    reach.set(top.key, top.acc);
    result = top.acc;
    const parent = stack[stack.length - 1];
    if (parent) for (const c of top.acc) parent.acc.add(c);
  }
  return result;
}

/** Reads in the window of the relations asked about. */
async function readsOf(run: ImportanceRun): Promise<Map<string, number>> {
  const relationKeys = run.keys.filter((k) => run.nodes.get(k)?.type === 'relation');
  if (relationKeys.length === 0) return new Map();
  const usage = await run.store.usage({
    targets: relationKeys,
    sinceDay: run.ctx.sinceDay,
    excludeUsers: run.ctx.excludeUsers,
    excludeRoles: run.ctx.excludeRoles,
  });
  return new Map(usage.map((u) => [u.target, u.reads]));
}
