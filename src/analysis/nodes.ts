// Small helpers every analysis shares: loading nodes into a run's node map, code-unit string order.
import type { AnyNode, LineageStore } from '../../graph/store.ts';

/** Loads the nodes of `keys` not yet in `nodes` with one store call. */
export async function loadNodes(store: LineageStore, nodes: Map<string, AnyNode>, keys: Iterable<string>) {
  const missing = [...new Set(keys)].filter((k) => !nodes.has(k));
  if (missing.length === 0) return;
  for (const [k, n] of await store.getNodes(missing)) nodes.set(k, n);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The relation a loaded column belongs to; null for other nodes and unloaded keys. */
export function relationOfColumn(nodes: Map<string, AnyNode>, key: string): string | null {
  const n = nodes.get(key);
  return n?.type === 'column' ? n.node.relationKey : null;
}
