// SQL column lineage in worker threads: the batch is byte-identical whatever the worker count, including
// when the engine asks about a relation the main thread did not send (a model whose depends_on is empty),
// and the per-model lineage cache still serves an unchanged re-ingest.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { parseDbtTarget } from '../../parsers/dbt/index.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

const DEMO = 'fixtures/demo/target';
const NOW = '2026-01-01T00:00:00.000Z';
const dirs: string[] = [];

/** The demo with `customers` stripped of depends_on: its parents are not prefetched for the worker. */
function demoWithoutDeps(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbt-workers-'));
  dirs.push(dir);
  const m = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
  m.nodes['model.jaffle_shop.customers'].depends_on.nodes = [];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  copyFileSync(join(DEMO, 'catalog.json'), join(dir, 'catalog.json'));
  return dir;
}

async function batchText(dir: string, sqlWorkers: number) {
  const r = await parseDbtTarget(dir, { sqlWorkers, workerThreshold: 0, now: NOW });
  return { text: JSON.stringify(r.batch), batch: r.batch, ...r.lineage };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dbt SQL lineage in worker threads', () => {
  it('the same batch bytes with 1 (in-process) and 2 workers', async () => {
    for (const [dir, reruns] of [
      [DEMO, 0],
      [demoWithoutDeps(), 1],
    ] as const) {
      const one = await batchText(dir, 1);
      const two = await batchText(dir, 2);
      expect([one.workers, two.workers]).toEqual([1, 2]);
      expect(two.parsed).toBe(13);
      expect(two.reruns).toBe(reruns);
      expect(two.text).toBe(one.text);
      // Without depends_on, customers' parents were still resolved (a re-run with the main thread's answers).
      const into = two.batch.columnEdges.filter((e) => e.to.startsWith('jaffle_shop.main.customers.'));
      expect(into.some((e) => e.from.startsWith('jaffle_shop.main.stg_customers.'))).toBe(true);
    }
  }, 120_000);

  it('an unchanged re-ingest with workers reuses every cached model', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dbt-workers-store-'));
    dirs.push(dataDir);
    const store = await openEmbeddedStore({ dataDir });
    try {
      const opts = { cacheDir: dataDir, sqlWorkers: 2, workerThreshold: 0 };
      const first = await ingestDbt(store, DEMO, { ...opts, now: NOW });
      expect(first.sqlParsed).toBe(13);
      // A different ingest time bypasses the whole-ingest skip, so the per-model cache is what is tested.
      const again = await ingestDbt(store, DEMO, { ...opts, now: '2026-01-02T00:00:00.000Z' });
      expect(again.reusedPreviousIngest).toBe(false);
      expect(again.sqlParsed).toBe(0);
      expect(again.sqlCacheHits).toBe(13);
      expect(again.counts).toEqual(first.counts);
    } finally {
      await store.close();
    }
  }, 120_000);
});
