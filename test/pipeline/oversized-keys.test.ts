// A name too long for any warehouse (hostile or broken input) is one INGEST_KEY_TOO_LONG diagnostic and a node
// less, never a failed ingest, and every store keeps the same rest: Neo4j's indexes refuse such a key and
// would fail the whole transaction, the embedded store would take it (src/model/key-size.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineageStore } from '../../graph/store.ts';
import { MAX_KEY_BYTES } from '../../src/model/key-size.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';
import { STORES } from '../conformance/stores.ts';

const DEMO = 'fixtures/demo/target';
const LONG = 'x'.repeat(MAX_KEY_BYTES + 1);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-long-keys-'));
  const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
  const locations = manifest.nodes['model.jaffle_shop.locations'];
  locations.alias = LONG;
  locations.relation_name = `"jaffle_shop"."main"."${LONG}"`;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(
    join(dir, 'queries.jsonl'),
    [
      { query: `INSERT INTO reporting.copy SELECT id FROM app."${LONG}"`, user: 'etl' },
      { query: 'INSERT INTO reporting.users SELECT id, email FROM app.users', user: 'etl' },
    ]
      .map((q) => JSON.stringify({ ...q, timestamp: '2024-05-01T00:00:00Z', dialect: 'postgres' }))
      .join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answers = new Map<string, unknown>();

for (const factory of STORES) {
  describe.skipIf(!factory.enabled())(`a key over ${MAX_KEY_BYTES} bytes: ${factory.name}`, () => {
    let store: LineageStore;
    beforeAll(async () => {
      store = await factory.open();
    });
    afterAll(async () => factory.cleanup(store));

    it('drops the node with a INGEST_KEY_TOO_LONG diagnostic and ingests the rest, as every store does', async () => {
      const dbt = await ingestDbt(store, dir, { analyzeSql: null });
      expect(dbt.diagnostics.warning).toBeGreaterThan(0);
      const log = await ingestQueryLog(store, join(dir, 'queries.jsonl'), { format: 'generic' });
      const relations = (await store.listRelations()).map((r) => r.key);
      expect(relations).toContain('jaffle_shop.main.stg_locations');
      expect(relations).toContain('reporting.users');
      expect(relations.some((k) => k.length > MAX_KEY_BYTES)).toBe(false);
      for (const originId of ['dbt:jaffle_shop', log.origin]) {
        const tooLong = await store.diagnostics({ originId, code: 'INGEST_KEY_TOO_LONG', limit: 10 });
        expect(tooLong.length, originId).toBeGreaterThan(0);
        expect(tooLong[0].message).toMatch(/key of 4\d{3} UTF-8 bytes is over the 4096-byte limit: /);
      }
      const { origins, ...counts } = await store.stats();
      answers.set(factory.name, [counts, origins.map(({ ingestedAt: _, ...o }) => o), relations]);
      const first = answers.values().next().value;
      expect(answers.get(factory.name)).toEqual(first);
    });
  });
}
