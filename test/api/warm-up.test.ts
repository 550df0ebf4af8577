// The relation graph warm-up (api/warm-up.ts): read at start and every interval, one at a time, failures
// reported and retried; and through a real listening server, stopped when the server closes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../api/server.ts';
import { keepRelationGraphWarm } from '../../api/warm-up.ts';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore, RelationGraph } from '../../graph/store.ts';
import { loadConfig } from '../../src/config.ts';

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

describe('keepRelationGraphWarm', () => {
  afterEach(() => vi.useRealTimers());

  it('reads at start and every interval until stopped', async () => {
    vi.useFakeTimers();
    const { store, calls } = countingStore();
    const warm = keepRelationGraphWarm(store, 1000);
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
    const warm = keepRelationGraphWarm(store, 500, (err) => errors.push(err));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    failing = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(calls()).toBe(2);
    expect(errors).toHaveLength(1);
    warm.stop();
  });

  it('does nothing with an interval of 0', async () => {
    vi.useFakeTimers();
    const { store, calls } = countingStore();
    keepRelationGraphWarm(store, 0).stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toBe(0);
  });
});

describe('a listening server keeps the relation graph warm', () => {
  it('reads it at start and every LINEAGE_WARM_INTERVAL_MS, and stops when it closes', async () => {
    const store = await createMemoryStore();
    let calls = 0;
    const relationGraph = store.relationGraph.bind(store);
    store.relationGraph = async () => {
      calls++;
      return relationGraph();
    };
    const config = loadConfig({ LINEAGE_PORT: '0', LINEAGE_WARM_INTERVAL_MS: '20' });
    const { app } = await startServer({ store, config });
    try {
      await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 });
    } finally {
      await app.close();
    }
    const after = calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(after);
    await store.close();
  });
});
