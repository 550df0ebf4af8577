// The per-model lineage cache: an unchanged model is not re-parsed; a changed SQL or a changed upstream
// schema (what `select *` expands to) re-parses exactly the affected models.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { catalogOf, miniManifest, writeTarget } from '../helpers/mini-project.ts';
import { fullDisk } from '../helpers/full-disk.ts';

describe('dbt lineage cache', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dbt-cache-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const manifest = (fctSql: string) =>
    miniManifest(
      [
        { id: 'stg', sql: 'select * from "db"."raw"."t"', deps: ['source.mini.raw.t'] },
        { id: 'fct', sql: fctSql, deps: ['model.mini.stg'] },
        { id: 'other', sql: 'select 1 as one' },
      ],
      [{ id: 't' }],
    );
  const catalog = (cols: [string, string][]) =>
    catalogOf({ 'source.mini.raw.t': { schema: 'raw', columns: cols } });

  it('re-parses only what changed', async () => {
    const target = writeTarget(manifest('select * from "db"."main"."stg"'), catalog([['a', 'INTEGER']]));
    const store = await openEmbeddedStore({ dataDir });
    try {
      const run = () => ingestDbt(store, target, { cacheDir: dataDir });
      expect((await run()).sqlParsed).toBe(3);
      const same = await run();
      expect([same.sqlParsed, same.sqlCacheHits, same.unchanged]).toEqual([0, 3, true]);

      // A new source column: stg's `select *` expands differently, and so does fct's (stg's output changed).
      writeFileSync(
        join(target, 'catalog.json'),
        JSON.stringify(
          catalog([
            ['a', 'INTEGER'],
            ['b', 'VARCHAR'],
          ]),
        ),
      );
      const widened = await run();
      expect([widened.sqlParsed, widened.sqlCacheHits, widened.unchanged]).toEqual([2, 1, false]);
      expect((await store.columnsOf('db.main.fct')).map((c) => c.name)).toEqual(['a', 'b']);

      // fct's SQL changes: only fct is parsed again.
      const m = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
      m.nodes['model.mini.fct'].compiled_code = 'select a from "db"."main"."stg"';
      writeFileSync(join(target, 'manifest.json'), JSON.stringify(m));
      const edited = await run();
      expect([edited.sqlParsed, edited.sqlCacheHits]).toEqual([1, 2]);
    } finally {
      await store.close();
    }
  });
});

const DEMO = 'fixtures/demo/target';

/** Every column edge of the store, as text (what a damaged cache must not change). */
async function edgesOf(store: LineageStore): Promise<string[]> {
  const out: string[] = [];
  for (const r of await store.listRelations())
    for (const c of await store.columnsOf(r.key))
      for (const e of await store.edgesOf(c.key, 'upstream')) out.push(`${e.from} -> ${e.to} ${e.kind}`);
  return out.sort();
}

describe('a damaged lineage cache', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dbt-cache-flip-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cacheFile = join(dataDir, 'dbt-lineage-cache', 'jaffle_shop.jsonl');
  /** Ingests the demo with the cache, never skipping the whole ingest (the state file is removed). */
  const ingest = async (store: LineageStore) => {
    rmSync(join(dataDir, 'dbt-ingest-state'), { recursive: true, force: true });
    return ingestDbt(store, DEMO, { cacheDir: dataDir, sqlWorkers: 1 });
  };

  // 25 demo ingests: bounded at 120 s so a loaded CI machine does not fail it at the default 30 s.
  it(
    'a flipped bit anywhere in an entry drops that entry with a warning; lineage stays exact',
    { timeout: 120_000 },
    async () => {
      const store = await openEmbeddedStore({ dataDir: join(dataDir, 'store') });
      try {
        const fresh = await ingest(store);
        expect(fresh.sqlParsed).toBeGreaterThan(5);
        const expected = await edgesOf(store);
        const good = readFileSync(cacheFile);
        const headerEnd = good.indexOf(10);
        // 12 flips spread over the entries: inside ids, column names, kinds, numbers, checksums, brackets.
        for (let k = 1; k <= 12; k++) {
          const at = headerEnd + 1 + Math.floor(((good.length - headerEnd - 2) * k) / 13);
          const bad = Buffer.from(good);
          bad[at] ^= 1 << (k % 8);
          writeFileSync(cacheFile, bad);
          const again = await ingest(store);
          expect(again.diagnosticsByCode.DBT_LINEAGE_CACHE_CORRUPT, `flip at byte ${at}`).toBe(1);
          expect(again.sqlParsed, `flip at byte ${at}`).toBe(1);
          expect(again.sqlCacheHits).toBe(fresh.sqlParsed - 1);
          expect(again.notable).toContainEqual(
            expect.objectContaining({
              code: 'DBT_LINEAGE_CACHE_CORRUPT',
              message: expect.stringContaining(cacheFile),
            }),
          );
          expect(await edgesOf(store)).toEqual(expected);
          // The re-parsed entry was written back: the next ingest is clean.
          expect((await ingest(store)).diagnosticsByCode.DBT_LINEAGE_CACHE_CORRUPT).toBeUndefined();
        }
      } finally {
        await store.close();
      }
    },
  );

  it('a damaged header rebuilds the whole cache with one warning', async () => {
    const store = await openEmbeddedStore({ dataDir: join(dataDir, 'store') });
    try {
      await ingest(store);
      const bytes = readFileSync(cacheFile);
      bytes[2] ^= 4;
      writeFileSync(cacheFile, bytes);
      const again = await ingest(store);
      expect(again.diagnosticsByCode.DBT_LINEAGE_CACHE_CORRUPT).toBe(1);
      expect(again.sqlCacheHits).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('a lineage cache that cannot be written', () => {
  it('is STORE_WRITE_FAILED naming the cache, leaves no .tmp file and the store untouched (ENOSPC)', async () => {
    const disk = fullDisk(16);
    const storeDir = mkdtempSync(join(tmpdir(), 'dbt-cache-enospc-store-'));
    const store = await openEmbeddedStore({ dataDir: storeDir });
    try {
      // On a 16 KiB tmpfs when it can be mounted (the demo's cache is larger); else writes go to /dev/full.
      const cacheDir = disk.dir ?? mkdtempSync(join(tmpdir(), 'dbt-cache-enospc-'));
      const cacheFile = join(cacheDir, 'dbt-lineage-cache', 'jaffle_shop.jsonl');
      if (!disk.dir) {
        mkdirSync(dirname(cacheFile), { recursive: true });
        disk.poison(`${cacheFile}.${process.pid}.tmp`);
      }
      const before = await store.stats();
      const err = await ingestDbt(store, DEMO, { cacheDir, sqlWorkers: 1 }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'STORE_WRITE_FAILED',
        message: expect.stringMatching(/cannot write the dbt lineage cache .*jaffle_shop\.jsonl: .*ENOSPC/),
      });
      expect(readdirSync(dirname(cacheFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(cacheFile)).toBe(false);
      expect(await store.stats()).toEqual(before);
      if (!disk.dir) rmSync(cacheDir, { recursive: true, force: true });
    } finally {
      await store.close();
      disk.cleanup();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
