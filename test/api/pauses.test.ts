// The long synchronous stretches of a request are sliced (issue 14): a whole-store scan of the embedded
// store (search, listRelations, relationGraph, getNodes, columnsOfMany, neighbors) and complexity's scoring pass stop at their pause
// points when run inside withPauses (graph/cooperate.ts) — what api/budget.ts does for every request — and
// never pause outside it (CLI, ingest). Counted pauses, not timings.
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticBatch, tableKey } from '../../bench/embedded-synthetic.ts';
import { withPauses } from '../../graph/cooperate.ts';
import { openMemoryStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { complexity } from '../../src/analysis/complexity.ts';
import { Budget, budgetedStore } from '../../api/budget.ts';

const TABLES = 300;
let store: LineageStore;

beforeAll(async () => {
  store = await openMemoryStore();
  await store.applyBatch(syntheticBatch(TABLES));
});

/** How many times `work` reached a pause point, and its answer. */
async function counted<T>(work: () => Promise<T>): Promise<{ pauses: number; result: T }> {
  let pauses = 0;
  const result = await withPauses(async () => {
    pauses++;
  }, work);
  return { pauses, result };
}

describe('pause points', () => {
  it('whole-store scans pause inside withPauses, with the same answers as without', async () => {
    // listRelations and relationGraph are built once per index, then reused: count their first call
    const fresh = await openMemoryStore();
    await fresh.applyBatch(syntheticBatch(TABLES));
    const cached: [string, () => Promise<unknown>][] = [
      ['listRelations', () => fresh.listRelations()],
      ['relationGraph', () => fresh.relationGraph()],
    ];
    for (const [name, scan] of cached) {
      const { pauses, result } = await counted(scan);
      expect(pauses, name).toBeGreaterThan(0);
      expect(result, name).toEqual(await scan());
    }
    const relations = (await store.listRelations()).map((r) => r.key);
    const keys = [1, 2, 3, 4].flatMap((c) => relations.map((r) => `${r}.c${c}`)); // > PAUSE_STRIDE keys
    const scans: [string, () => Promise<unknown>][] = [
      ['search', () => store.search('c1', { limit: 5 })],
      ['getNodes', async () => [...(await store.getNodes(keys)).keys()]],
      ['columnsOfMany', async () => [...(await store.columnsOfMany(relations)).entries()]],
      ['neighbors', () => store.neighbors(keys, { direction: 'downstream', level: 'column' })],
    ];
    for (const [name, scan] of scans) {
      const plain = await scan();
      const { pauses, result } = await counted(scan);
      expect(pauses, name).toBeGreaterThan(0);
      expect(result, name).toEqual(plain);
    }
  });

  it("complexity's scoring pass pauses, and answers as without pauses", async () => {
    const req = { scope: 'MODEL' as const, sortBy: 'score' as const };
    const plain = await complexity(store, req);
    const { pauses, result } = await counted(() => complexity(store, req));
    // the store calls (relationGraph, listRelations) are cached by now: these are the scoring loops'
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(TABLES / 32));
    expect(result).toEqual(plain);
  });

  it('a traversal pauses on a scratch space of its own: walks paused together answer as walks alone', async () => {
    const relations = (await store.listRelations()).map((r) => r.key);
    const walk = (c: number) => () =>
      store.traverse(
        relations
          .slice(c * 10, c * 10 + 60)
          .flatMap((r) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `${r}.c${i}`)),
        { direction: 'downstream', level: 'column', maxDepth: 50, limit: 1_000_000 },
      );
    const alone = [];
    for (const c of [0, 1, 2, 3, 4, 5]) alone.push(await walk(c)());
    expect(alone[0].reached.length).toBeGreaterThan(1024); // enough nodes to pause
    // every pause yields to the event loop, so the six walks interleave (more than MAX_SCRATCH at once)
    let pauses = 0;
    const together = await withPauses(
      async () => {
        pauses++;
        await new Promise((resolve) => setImmediate(resolve));
      },
      () => Promise.all([0, 1, 2, 3, 4, 5].map((c) => walk(c)())),
    );
    expect(pauses).toBeGreaterThan(6);
    expect(together).toEqual(alone);
  });

  it('a scan outside withPauses never pauses', async () => {
    let pauses = 0;
    const spy = async () => {
      pauses++;
    };
    await store.search('c1', { limit: 5 });
    await withPauses(spy, async () => undefined);
    await store.listRelations();
    expect(pauses).toBe(0);
  });

  it('a checkpoint that throws stops the scan at its next pause point', async () => {
    const stop = withPauses(
      async () => {
        throw new Error('stopped');
      },
      () => store.search('c1', { limit: 5 }),
    );
    await expect(stop).rejects.toThrow('stopped');
  });

  it("a request's store (budgetedStore) checks the budget at the pause points inside a call", async () => {
    class CountingBudget extends Budget {
      calls = 0;
      override async checkpoint(): Promise<void> {
        this.calls++;
      }
    }
    const budget = new CountingBudget(Date.now() + 60_000, 60_000);
    await budgetedStore(store, budget).search(tableKey(1), { limit: 5 });
    // one before and one after the call, the rest from inside the scan
    expect(budget.calls).toBeGreaterThan(2);
  });
});
