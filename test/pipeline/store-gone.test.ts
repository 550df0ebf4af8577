// The store going away in the middle of an ingest (Neo4j down, the server killed during the apply): the
// error keeps its code, and nothing the pipeline keeps beside the store claims the failed ingest happened —
// no ingest state (the next run must not skip), no query-log ledger (later logs must still count those
// executions). The store's own all-or-nothing apply is test/graph/neo4j/crash.test.ts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { openEmbeddedSqlTextStore, SQL_TEXT_DIR } from '../../graph/sql-text/embedded.ts';
import type { LineageStore } from '../../graph/store.ts';
import { lineageError } from '../../src/errors.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';

const work = mkdtempSync(join(tmpdir(), 'lineage-store-gone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The store, except that applyBatch fails the way the Neo4j store does when its server goes away. */
function goneDuringApply(store: LineageStore): LineageStore {
  const gone = Object.create(store) as LineageStore;
  gone.applyBatch = () =>
    Promise.reject(
      lineageError('STORE_WRITE_FAILED', 'apply failed, the previous state is kept: connection lost'),
    );
  return gone;
}

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('the store goes away during the apply', () => {
  it('dbt: STORE_WRITE_FAILED, no ingest state and no SQL text, so the next ingest parses and applies in full', async () => {
    const dataDir = join(work, 'dbt');
    const store = await openEmbeddedStore({ dataDir });
    const sqlText = openEmbeddedSqlTextStore({ dataDir });
    try {
      const err = await ingestDbt(goneDuringApply(store), 'fixtures/demo/target', {
        cacheDir: dataDir,
        sqlWorkers: 1,
        sqlText,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect(files(join(dataDir, 'dbt-ingest-state'))).toEqual([]);
      expect(files(join(dataDir, SQL_TEXT_DIR))).toEqual([]); // the staged pack was dropped
      expect((await store.stats()).relations).toBe(0);
      const next = await ingestDbt(store, 'fixtures/demo/target', {
        cacheDir: dataDir,
        sqlWorkers: 1,
        sqlText,
      });
      expect(next).toMatchObject({ reusedPreviousIngest: false, unchanged: false });
      expect(next.counts.relations).toBeGreaterThan(0);
      expect(files(join(dataDir, SQL_TEXT_DIR))).toHaveLength(1);
      expect((await sqlText.get('jaffle_shop.main.orders'))?.sql).toContain('order_items_summary');
    } finally {
      await store.close();
    }
  });

  it('query log: STORE_WRITE_FAILED, no ledger, nothing in the store', async () => {
    const dataDir = join(work, 'qlog');
    const store = await openEmbeddedStore({ dataDir });
    try {
      const file = 'fixtures/query-logs/generic/queries.jsonl';
      const err = await ingestQueryLog(goneDuringApply(store), file, {
        format: 'generic',
        ledgerDir: dataDir,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect(files(join(dataDir, 'query-log-ledger'))).toEqual([]);
      expect((await store.stats()).relations).toBe(0);
    } finally {
      await store.close();
    }
  });
});
