// Every real manifest in the shared corpus ingests into a real embedded store without an unhandled error
// (every edge endpoint is a node, or applyBatch would refuse the batch). Skipped when the corpus is absent.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

const CORPUS = '/work/shared/corpus/manifests';
const dirs = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((d) => existsSync(join(CORPUS, d, 'manifest.json')))
      .sort()
  : [];

describe.skipIf(dirs.length === 0)('corpus manifests ingest', () => {
  for (const name of dirs) {
    it(name, { timeout: 180_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'dbt-corpus-'));
      const store = await openEmbeddedStore({ dataDir });
      try {
        const s = await ingestDbt(store, join(CORPUS, name));
        expect(s.models).toBeGreaterThan(0);
        expect((await store.stats()).relations).toBe(s.counts.relations);
        // Compiled manifests get column lineage for most models; parse-only ones say why they do not.
        if (s.compiledModels > 0) expect(s.columnLineageCoverage).toBeGreaterThan(0.9);
        else expect(s.diagnosticsByCode.DBT_NOT_COMPILED).toBe(1);
      } finally {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
