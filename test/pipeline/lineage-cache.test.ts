// The per-model lineage cache: an unchanged model is not re-parsed; a changed SQL or a changed upstream
// schema (what `select *` expands to) re-parses exactly the affected models.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { catalogOf, miniManifest, writeTarget } from '../dbt/mini-project.ts';

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
