// Every real manifest in the shared corpus ingests into a real embedded store without an unhandled error
// (every edge endpoint is a node, or applyBatch would refuse the batch).
//
// The corpus lives next to the repo (../shared/corpus from the repo root); LINEAGE_CORPUS_DIR overrides it.
// On a developer machine without it the suite is skipped (and says so); in CI (CI=true) a missing or empty
// corpus FAILS, because a skipped test there would pass while testing nothing.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CORPUS_DIR = process.env.LINEAGE_CORPUS_DIR ?? resolve(REPO_ROOT, '../shared/corpus');
const MANIFESTS = join(CORPUS_DIR, 'manifests');
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

const dirs = existsSync(MANIFESTS)
  ? readdirSync(MANIFESTS)
      .filter((d) => existsSync(join(MANIFESTS, d, 'manifest.json')))
      .sort()
  : [];

if (dirs.length === 0 && IN_CI) {
  describe('corpus manifests ingest', () => {
    it('has a corpus to read', () => {
      expect.fail(
        `no dbt corpus at ${MANIFESTS} (set LINEAGE_CORPUS_DIR); in CI a missing corpus is a failure, not a skip`,
      );
    });
  });
} else {
  if (dirs.length === 0)
    console.warn(`corpus.test: no corpus at ${MANIFESTS}, skipped (set LINEAGE_CORPUS_DIR)`);
  describe.skipIf(dirs.length === 0)('corpus manifests ingest', () => {
    for (const name of dirs) {
      it(name, { timeout: 180_000 }, async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'dbt-corpus-'));
        const store = await openEmbeddedStore({ dataDir });
        try {
          const s = await ingestDbt(store, join(MANIFESTS, name));
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
}
