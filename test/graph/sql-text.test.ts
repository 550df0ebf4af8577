// One contract for both SQL-text stores (graph/sql-text): the same script gives the same answers on the
// embedded packs and on Neo4j, and texts survive a reopen. Runs over the declared store list
// (test/conformance/store-list.ts); Neo4j needs the test server (skipped with LINEAGE_TEST_SKIP_NEO4J=1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedSqlTextStore, packFileOf, SQL_TEXT_DIR } from '../../graph/sql-text/embedded.ts';
import { openNeo4jSqlTextStore } from '../../graph/sql-text/neo4j.ts';
import { PackReader, PackWriter } from '../../graph/sql-text/pack.ts';
import type { SqlTextStore } from '../../graph/sql-text/types.ts';
import { selectedStores, STORE_NAMES } from '../conformance/store-list.ts';
import { closeTestStore, neo4jTarget, openTestStore } from './neo4j/server.ts';

interface Opened {
  store: SqlTextStore;
  reopen: () => Promise<SqlTextStore>;
  cleanup: () => Promise<void>;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-sql-text-'));

const FACTORIES: Record<
  (typeof STORE_NAMES)[number],
  { enabled: () => boolean; open: () => Promise<Opened> }
> = {
  embedded: {
    enabled: () => selectedStores().includes('embedded'),
    open: async () => {
      const dir = tmp();
      return {
        store: openEmbeddedSqlTextStore({ dataDir: dir }),
        reopen: async () => openEmbeddedSqlTextStore({ dataDir: dir }),
        cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  neo4j: {
    enabled: () => neo4jTarget() !== null,
    open: async () => {
      const target = neo4jTarget()!;
      const holder = await openTestStore(target); // locks and wipes the shared test database
      return {
        store: await openNeo4jSqlTextStore(target),
        reopen: () => openNeo4jSqlTextStore(target),
        cleanup: () => closeTestStore(holder),
      };
    },
  },
};

const BIG = `select ${Array.from({ length: 3000 }, (_, i) => `c${i} as "列${i}"`).join(',\n  ')}\nfrom big`;

/** Two origins, a replacement, an abort and a removal; returns what each read saw. */
async function script(s: SqlTextStore): Promise<unknown[]> {
  const seen: unknown[] = [];
  const get = async (k: string) => {
    const t = await s.get(k);
    return t && [t.originId, t.sql];
  };
  seen.push(await get('db.s.a'));
  const one = await s.stage();
  one.add('db.s.a', 'select 1 as a');
  one.add('db.s.big', BIG);
  one.add('db.s.a', 'select 2 as a -- a second text for a key keeps the first');
  one.add('db.s.raw', "select * from {{ ref('a') }}", 'raw'); // a model the manifest did not compile
  expect(await one.commit('dbt:one')).toEqual({ texts: 3 });
  seen.push([(await s.get('db.s.a'))?.kind, await get('db.s.raw'), (await s.get('db.s.raw'))?.kind]);
  const two = await s.stage();
  two.add('db.s.a', 'select 3 as a');
  two.add('db.s.b', 'select 4 as b');
  await two.commit('dbt:two');
  seen.push(await get('db.s.a'), await get('db.s.b'), (await get('db.s.big'))?.[1] === BIG);
  const aborted = await s.stage();
  aborted.add('db.s.a', 'never visible');
  aborted.abort();
  const replaced = await s.stage();
  replaced.add('db.s.c', 'select 5 as c');
  await replaced.commit('dbt:one');
  seen.push(await get('db.s.a'), await get('db.s.big'), await get('db.s.c'));
  seen.push(await s.removeOrigin('dbt:two'), await s.removeOrigin('dbt:two'), await get('db.s.a'));
  return seen;
}

const answers = new Map<string, unknown[]>();

describe.each(STORE_NAMES.map((name) => ({ name, f: FACTORIES[name] })))(
  'SQL-text store: $name',
  ({ name, f }) => {
    let opened: Opened | null = null;
    afterEach(async () => {
      if (opened) {
        await opened.store.close();
        await opened.cleanup();
      }
      opened = null;
    });

    it.skipIf(!f.enabled())('answers the contract script', async () => {
      opened = await f.open();
      const seen = await script(opened.store);
      expect(seen).toEqual([
        null,
        ['compiled', ['dbt:one', "select * from {{ ref('a') }}"], 'raw'], // the kind is kept per text
        ['dbt:one', 'select 1 as a'], // the first origin by id wins
        ['dbt:two', 'select 4 as b'],
        true,
        ['dbt:two', 'select 3 as a'], // dbt:one replaced: it no longer holds a
        null,
        ['dbt:one', 'select 5 as c'],
        true,
        false,
        null,
      ]);
      answers.set(name, seen);
      for (const [other, theirs] of answers) if (other !== name) expect(seen).toEqual(theirs);
    });

    it.skipIf(!f.enabled())('keeps the texts across a reopen (a restart)', async () => {
      opened = await f.open();
      const st = await opened.store.stage();
      st.add('db.s.r', 'select 1');
      st.add('db.s.j', 'select {{ 1 }}', 'raw');
      await st.commit('dbt:r');
      await opened.store.close();
      opened.store = await opened.reopen();
      expect((await opened.store.get('db.s.r'))?.sql).toBe('select 1');
      expect(await opened.store.get('db.s.j')).toEqual({
        relationKey: 'db.s.j',
        originId: 'dbt:r',
        kind: 'raw',
        sql: 'select {{ 1 }}',
      });
    });
  },
);

describe('embedded SQL-text packs', () => {
  it('are replaced by rename, readable through a reader opened before, and leave no temporary behind', async () => {
    const dir = tmp();
    try {
      const store = openEmbeddedSqlTextStore({ dataDir: dir });
      const first = await store.stage();
      first.add('k', 'old text');
      await first.commit('o');
      expect((await store.get('k'))?.sql).toBe('old text');
      const second = await store.stage();
      second.add('k', 'new text');
      second.add('k2', 'x');
      await second.commit('o');
      expect((await store.get('k'))?.sql).toBe('new text');
      const failed = await store.stage();
      failed.add('k', 'lost');
      failed.abort();
      expect(fs.readdirSync(path.join(dir, SQL_TEXT_DIR))).toEqual([
        path.basename(packFileOf(path.join(dir, SQL_TEXT_DIR), 'o')),
      ]);
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a damaged pack as STORE_CORRUPT naming it, never as a wrong text', () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'p.pack');
      const w = new PackWriter(file);
      w.add('k', 'select 1');
      w.finish('o');
      expect(PackReader.open(file).get('k')).toBe('select 1');
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(0, bytes.length - 3)); // truncated trailer
      expect(() => PackReader.open(file)).toThrowError(expect.objectContaining({ code: 'STORE_CORRUPT' }));
      const bad = Buffer.from(bytes);
      bad.writeBigUInt64BE(BigInt(bytes.length), bytes.length - 8); // index offset past the end
      fs.writeFileSync(file, bad);
      expect(() => PackReader.open(file)).toThrowError(/p\.pack is damaged/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
