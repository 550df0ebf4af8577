// An ingest of byte-identical artifacts is skipped whole, but only while the store still holds that ingest.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

describe('dbt ingest of unchanged artifacts', () => {
  const work = mkdtempSync(join(tmpdir(), 'dbt-state-'));
  const target = join(work, 'target');
  const dataDir = join(work, 'data');
  cpSync(new URL('../../fixtures/demo/target', import.meta.url), target, { recursive: true });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reuses the previous ingest only for identical artifacts held by the store', async () => {
    const store = await openEmbeddedStore({ dataDir });
    try {
      const run = () => ingestDbt(store, target, { cacheDir: dataDir });
      const first = await run();
      expect(first.reusedPreviousIngest).toBe(false);
      expect(first.sqlParsed).toBe(13);

      const again = await run();
      expect(again).toMatchObject({
        reusedPreviousIngest: true,
        unchanged: true,
        sqlParsed: 0,
        sqlCacheHits: 13,
      });
      expect(again.counts).toEqual(first.counts);

      // A new run_results.json (one more byte) is a new fact: ingest it for real.
      const runResults = join(target, 'run_results.json');
      writeFileSync(runResults, readFileSync(runResults, 'utf8') + '\n');
      const changed = await run();
      expect(changed.reusedPreviousIngest).toBe(false);
      expect(changed.sqlCacheHits).toBe(13);

      // Someone removed the origin from the store: the same bytes must be ingested again.
      expect(await store.removeOrigin(first.originId)).toBe(true);
      const restored = await run();
      expect(restored.reusedPreviousIngest).toBe(false);
      expect((await store.origins()).map((o) => o.id)).toContain(first.originId);
    } finally {
      await store.close();
    }
  });
});
