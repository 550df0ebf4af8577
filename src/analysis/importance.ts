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
  const adjacency = new Map<string, string[]>();
  const consumers = new Set<string>();
  const queue = [...new Set(keys)].sort();
  const seen = new Set(queue);
  let partial = false;
  // Breadth first, one store call per level (a segment of the queue): keys are still handled in queue
  // order, so the maxNodes cut falls exactly where a node-by-node walk would put it.
  let expired = false;
  for (let levelStart = 0; levelStart < queue.length && !expired;) {
    const levelEnd = queue.length;
    const hops = await store.neighbors(queue.slice(levelStart, levelEnd), {
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
      if (ctx.expired?.()) {
        partial = true;
        expired = true;
        break;
      }
      const key = queue[i];
      const node = nodes.get(key);
      if (node?.type === 'consumer') {
        consumers.add(key);
        adjacency.set(key, []);
        continue;
      }
      const out: string[] = [];
      for (const h of hopsFrom.get(key) ?? []) {
        if (h.to === key) continue;
        out.push(h.to);
        if (h.kind === 'CONSUMER') consumers.add(h.to);
        if (!seen.has(h.to)) {
          if (seen.size >= ctx.maxNodes) {
            partial = true;
            continue;
          }
          seen.add(h.to);
          queue.push(h.to);
        }
      }
      adjacency.set(key, out);
    }
    levelStart = levelEnd;
  }

  // Only real exposures count (dashboards, notebooks, ML models, apps, analyses); metrics and semantic
  // models (kind 'other') are listed by impact but do not raise importance.
  const consumerKeys = [...consumers].filter((k) => !nodes.has(k));
  if (consumerKeys.length > 0) for (const [k, n] of await store.getNodes(consumerKeys)) nodes.set(k, n);
  for (const k of [...consumers]) {
    const n = nodes.get(k);
    if (n?.type === 'consumer' && n.node.kind === 'other') consumers.delete(k);
  }

  // Exposures reachable from each node (memoized DFS over the explored subgraph; cycles cut).
  const reach = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const reachOf = (start: string): Set<string> => {
    const done = reach.get(start);
    if (done) return done;
    // Iterative post-order to stay safe on long chains.
    const stack: { key: string; i: number; acc: Set<string> }[] = [{ key: start, i: 0, acc: new Set() }];
    visiting.add(start);
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
  };

  const relationKeys = keys.filter((k) => nodes.get(k)?.type === 'relation');
  const usage =
    relationKeys.length === 0
      ? []
      : await store.usage({
          targets: relationKeys,
          sinceDay: ctx.sinceDay,
          excludeUsers: ctx.excludeUsers,
          excludeRoles: ctx.excludeRoles,
        });
  const reads = new Map(usage.map((u) => [u.target, u.reads]));

  const byKey = new Map<string, Importance>();
  for (const key of keys) {
    const node = nodes.get(key);
    const exposures = node?.type === 'consumer' ? (node.node.kind === 'other' ? 0 : 1) : reachOf(key).size;
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
  return { byKey, partial };
}
