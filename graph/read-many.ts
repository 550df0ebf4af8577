// LineageStore.readMany's rule, written once: every read of a ReadRequest answered by its own method. The
// embedded store answers readMany with it; the Neo4j store sends the same reads together (a statement each,
// all at once) and falls back to it when a key list is longer than one statement takes.
import type { ColumnNode, RelationKey } from '../src/model/lineage.ts';
import type { LineageStore, ReadAnswer, ReadRequest } from './store.ts';

/** The column keys of checks.columnsOf's relations, from their columnsOfMany answer (the checks read's extra keys). */
export function columnKeysOf(columns: ReadonlyMap<RelationKey, readonly ColumnNode[]>): string[] {
  return [...columns.values()].flat().map((c) => c.key);
}

/** readMany by parts: each field of `request` read by its own method of `store`. */
export async function readManyByParts(store: LineageStore, request: ReadRequest): Promise<ReadAnswer> {
  const { nodes, columns, edges, checks, usage, steps } = request;
  const [n, c, e, k, u, s] = await Promise.all([
    nodes && store.getNodes(nodes),
    columns && store.columnsOfMany(columns),
    edges && store.edgesOfMany(edges.keys, edges.direction),
    checks &&
      (async () => {
        const extra = checks.columnsOf ? columnKeysOf(await store.columnsOfMany(checks.columnsOf)) : [];
        return store.checks([...checks.keys, ...extra]);
      })(),
    usage && store.usage(usage),
    steps &&
      (async () => {
        const hops = await store.neighbors(steps.keys, steps.options);
        if (!steps.nodes) return { hops };
        return { hops, nodes: await store.getNodes([...steps.keys, ...hops.map((h) => h.to)]) };
      })(),
  ]);
  const out: ReadAnswer = {};
  if (n) out.nodes = n;
  if (c) out.columns = c;
  if (e) out.edges = e;
  if (k) out.checks = k;
  if (u) out.usage = u;
  if (s) out.steps = s;
  return out;
}
