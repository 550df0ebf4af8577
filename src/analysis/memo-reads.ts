// One analysis asks the same question of the store more than once (the target relation's downstream edges
// feed the breaks, the tests and the stale walk); within one analysis the answer cannot change, so each is
// read once. A round trip each on Neo4j.
import type { EdgeView, LineageStore } from '../../graph/store.ts';
import type { ColumnNode, NodeKey, RelationKey } from '../model/lineage.ts';

/** `store` with edgesOf and columnsOf answered once per argument; every other call goes to `store`. */
export function memoReads(store: LineageStore): LineageStore {
  const edges = new Map<string, Promise<EdgeView[]>>();
  const columns = new Map<RelationKey, Promise<ColumnNode[]>>();
  const once = <T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> => {
    let answer = cache.get(id);
    if (!answer) cache.set(id, (answer = read()));
    return answer;
  };
  const memo = Object.create(store) as LineageStore;
  memo.edgesOf = (key: NodeKey, direction) =>
    once(edges, `${direction}\u0000${key}`, () => store.edgesOf(key, direction));
  memo.columnsOf = (key: RelationKey) => once(columns, key, () => store.columnsOf(key));
  return memo;
}
