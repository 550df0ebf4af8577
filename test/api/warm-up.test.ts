// The warm-up (api/warm-up.ts): the relation graph read at start and every interval, one at a time, failures
// reported and retried; sample analyses only when the graph changed (after an ingest); and through a real
// listening server on the demo graph, stopped when the server closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../api/server.ts';
import { keepWarm } from '../../api/warm-up.ts';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore, RelationGraph } from '../../graph/store.ts';
import { loadConfig } from '../../src/config.ts';
import { emptyBatch } from '../../src/model/lineage.ts';
import { populateDemo } from '../helpers/demo-graph.ts';

const EMPTY: RelationGraph = {
  keys: [],
  relations: [],
  edges: [],
  consumerCount: [],
  columnEdgesIn: [],
  columnEdgesOut: [],
};

function countingStore(fail = () => false): { store: LineageStore; calls: () => number } {
  let calls = 0;
  const store = {
    relationGraph: async () => {
      calls++;
      if (fail()) throw new Error('store restarting');
      return EMPTY;
    },
  } as unknown as LineageStore;
  return { store, calls: () => calls };
}

const every = (ms: number, samples = 20) =>
  loadConfig({ LINEAGE_WARM_INTERVAL_MS: String(ms), LINEAGE_WARM_SAMPLES: String(samples) });

describe('keepWarm', () => {
  afterEach(() => vi.useRealTimers());

  it('reads the relation graph at start and every interval until stopped', async () => {
    vi.useFakeTimers();
    const { store, calls } = countingStore();
    const warm = keepWarm(store, every(1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls()).toBe(5);
    warm.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls()).toBe(5);
  });

  it('reports a failed read and tries again at the next interval', async () => {
    vi.useFakeTimers();
    let failing = true;
    const { store, calls } = countingStore(() => failing);
    const errors: unknown[] = [];
    const warm = keepWarm(store, every(500), (err) => errors.push(err));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    failing = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(calls()).toBe(2);
    expect(errors).toHaveLength(1);
    warm.stop();
  });

  it('warms a graph once: failed sample analyses are reported, not run again every interval', async () => {
    vi.useFakeTimers();
    const graph = { ...EMPTY, keys: ['wh.s.t'], relations: [{ key: 'wh.s.t' }] } as unknown as RelationGraph;
    let samples = 0;
    const store = {
      relationGraph: async () => graph,
      columnsOfMany: async () => {
        samples++;
        throw new Error('timed out');
      },
    } as unknown as LineageStore;
    const errors: unknown[] = [];
    const warm = keepWarm(store, every(100), (err) => errors.push(err));
    await vi.advanceTimersByTimeAsync(1000);
    expect(samples).toBe(1);
    expect(errors).toHaveLength(1);
    warm.stop();
  });

  it('does nothing with an interval of 0', async () => {
    vi.useFakeTimers();
    const { store, calls } = countingStore();
    keepWarm(store, every(0)).stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toBe(0);
  });
});

describe('a listening server keeps the demo graph warm', () => {
  it('reads it every LINEAGE_WARM_INTERVAL_MS, runs sample analyses only after a change, stops on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-warm-'));
    const store = await createMemoryStore();
    try {
      await populateDemo(store, dir);
      let graphs = 0;
      let walks = 0;
      const relationGraph = store.relationGraph.bind(store);
      const traverse = store.traverse.bind(store);
      const traverseMany = store.traverseMany.bind(store);
      store.relationGraph = async () => (graphs++, relationGraph());
      store.traverse = async (...a) => (walks++, traverse(...a));
      store.traverseMany = async (...a) => (walks++, traverseMany(...a));
      const config = loadConfig({
        LINEAGE_PORT: '0',
        LINEAGE_WARM_INTERVAL_MS: '20',
        LINEAGE_WARM_SAMPLES: '3',
      });
      const { app } = await startServer({ store, config });
      try {
        await vi.waitFor(() => expect(graphs).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
        const warmed = walks;
        expect(warmed).toBeGreaterThan(0);
        // unchanged graph: later ticks read it and run nothing
        const seen = graphs;
        await vi.waitFor(() => expect(graphs).toBeGreaterThanOrEqual(seen + 3), {
          timeout: 10_000,
          interval: 10,
        });
        expect(walks).toBe(warmed);
        // an ingest changes it: the samples run again
        const [model] = await store.listRelations();
        const batch = emptyBatch({
          id: 'manual:warm',
          provenance: 'manual',
          label: 'a relation added while serving',
          ingestedAt: new Date().toISOString(),
        });
        batch.relations.push({ ...model, key: 'jaffle_shop.main.warm_up_probe', name: 'warm_up_probe' });
        await store.applyBatch(batch);
        await vi.waitFor(() => expect(walks).toBeGreaterThan(warmed), { timeout: 10_000, interval: 10 });
      } finally {
        await app.close();
      }
      const after = graphs;
      await new Promise((r) => setTimeout(r, 100));
      expect(graphs).toBe(after);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
