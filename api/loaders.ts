// mercurius loaders: a field asked for every element of a list is answered with one store call per list
// (Neighbour.asset: one getNodes for all neighbours), not one per element. Results keep the order of
// `queries`, as mercurius requires.
import type { ApiContext } from './context.ts';
import { pageSize } from './pagination.ts';
import { assetOut, columnOut, type AssetParent } from './shape.ts';

interface Query<P> {
  obj: P;
  params: Record<string, unknown>;
}

export const coreLoaders = {
  Neighbour: {
    asset: async (queries: Query<{ key: string }>[], ctx: ApiContext) => {
      const nodes = await ctx.store.getNodes([...new Set(queries.map((q) => q.obj.key))]);
      return queries.map(({ obj }) => {
        const n = nodes.get(obj.key);
        return n ? assetOut(n) : null;
      });
    },
  },
  Asset: {
    // One store call for every relation of the batch (LineageStore.columnsOfMany).
    columns: async (queries: Query<AssetParent>[], ctx: ApiContext) => {
      const max = ctx.config.limits.maxPageSize;
      const firsts = queries.map((q) => pageSize(q.params.first as number | undefined, max));
      const keys = [...new Set(queries.filter((q) => q.obj.type === 'RELATION').map((q) => q.obj.key))];
      const lists = await ctx.store.columnsOfMany(keys);
      return queries.map(({ obj }, i) =>
        obj.type === 'RELATION' ? (lists.get(obj.key) ?? []).slice(0, firsts[i]).map(columnOut) : [],
      );
    },
  },
};
