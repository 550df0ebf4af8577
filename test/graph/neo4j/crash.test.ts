// A failure mid-ingest leaves the previous state: a server of its own is killed (SIGKILL) during the staged
// phase of a large replacement batch (after some of its bounded transactions have committed), restarted on the
// same database directory, and must answer exactly as before the failed ingest; the next ingest of the origin
// deletes the staged leftovers. The outage: the ingest in flight and reads in flight at the kill, and new reads
// and opens after it, fail with STORE_UNAVAILABLE within 2 s (with the default 15 s retry time).
import { rmSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { openNeo4jStore } from '../../../graph/neo4j/index.ts';
import type { LineageStore } from '../../../graph/store.ts';
import type { LineageBatch } from '../../../src/model/lineage.ts';
import { startNeo4j, type RunningNeo4j } from '../../../scripts/neo4j/launch.ts';
import { dbtBatch, queryLogBatch, stg, stgOrders } from '../../helpers/shapes.ts';
import { neo4jTarget } from './server.ts';

const enabled = neo4jTarget() !== null;
const FAST_START = ['-XX:TieredStopAtLevel=1'];

function bigReplacement(): LineageBatch {
  const b = dbtBatch('2024-09-01T00:00:00Z');
  const rel = { ...stgOrders, key: 'wh.big.t', name: 't', schema: 'big', displayName: 'wh.big.t' };
  b.relations.push(rel);
  for (let i = 0; i < 4_000; i++) {
    const key = `wh.big.t.c${i}`;
    b.columns.push({ key, relationKey: rel.key, name: `c${i}`, displayName: `C${i}`, tags: [] });
    if (i > 0)
      b.columnEdges.push({
        from: `wh.big.t.c${i - 1}`,
        to: key,
        kind: 'IDENTITY',
        provenance: 'dbt_manifest',
        confidence: 'EXACT',
        firstSeen: '2024-09-01T00:00:00Z',
        lastSeen: '2024-09-01T00:00:00Z',
        queryCount: 1,
      });
  }
  return b;
}

const IMPACT = {
  direction: 'downstream',
  level: 'relation',
  maxDepth: 5,
  limit: 100,
  includeConsumers: true,
} as const;

async function answers(store: LineageStore): Promise<unknown> {
  return {
    stats: await store.stats(),
    relations: await store.listRelations(),
    columns: await store.columnsOf(stgOrders.key),
    edges: await store.edgesOf(stgOrders.key, 'downstream'),
    impact: await store.traverse([stgOrders.key], IMPACT),
  };
}

/** Contributions, column views and keys nodes of generations that are not active (staged or retired leftovers). */
const LEFTOVERS = `
MATCH (o:LineageOrigin) WITH collect(o.gen) AS active
CALL { WITH active MATCH (c:Contribution) WHERE NOT c.gen IN active RETURN count(c) AS contributions }
CALL { WITH active MATCH (n:Column) UNWIND n.gens AS g WITH g WHERE NOT g IN active RETURN count(*) AS views }
CALL { WITH active MATCH (k:LineageKeys) WHERE NOT k.gen IN active RETURN count(k) AS keys }
RETURN contributions + views + keys AS n`;

async function leftovers(uri: string): Promise<number> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'unused'), { disableLosslessIntegers: true });
  try {
    return Number((await driver.executeQuery(LEFTOVERS)).records[0].get('n'));
  } finally {
    await driver.close();
  }
}

/** Resolves once some staged transactions of the ingest have committed (and the switch has not happened). */
async function stagingCommitted(uri: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if ((await leftovers(uri)) >= 500) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the ingest never committed a staged transaction');
}

describe.skipIf(!enabled)('a Neo4j failure mid-ingest', () => {
  let server: RunningNeo4j | undefined;
  let homeDir: string | undefined;

  afterAll(async () => {
    await server?.stop();
    if (homeDir) rmSync(homeDir, { recursive: true, force: true });
  });

  it(
    'keeps the previous state when the server is killed during the staged phase of a replacement',
    { timeout: 300_000 },
    async () => {
      server = await startNeo4j({ keepHome: true, jvmFlags: FAST_START });
      homeDir = server.homeDir;
      const port = Number(new URL(server.uri.replace('bolt:', 'http:')).port);
      const options = {
        uri: server.uri,
        user: 'neo4j',
        password: 'unused',
        database: 'neo4j',
        maxRetryTimeMs: 2_000,
      };
      // The writer and the reader keep the default retry time (15 s): an outage must not wait it out.
      const store = await openNeo4jStore({ ...options, maxRetryTimeMs: undefined, batchSize: 500 });
      await store.applyBatch(dbtBatch());
      const before = await answers(store);
      const reader = await openNeo4jStore({ ...options, maxRetryTimeMs: undefined, readOnly: true });
      expect(await answers(reader)).toStrictEqual(before);

      const failed = (p: Promise<unknown>): Promise<{ code: string; at: number }> =>
        p.then(
          () => ({ code: 'answered', at: performance.now() }),
          (err: { code?: string }) => ({ code: err.code ?? 'other error', at: performance.now() }),
        );
      const ingest = failed(store.applyBatch(bigReplacement()));
      await stagingCommitted(server.uri);
      // Mid-query: readers loop until their call in flight at the kill fails.
      const loops = [
        () => reader.stats(),
        () => reader.traverse([stgOrders.key], IMPACT),
        () => reader.traverse([stg.id.key], { ...IMPACT, level: 'column' }),
        () => reader.columnsOfMany([stgOrders.key]),
      ].map(async (call) => {
        for (;;) {
          const r = await failed(call());
          if (r.code !== 'answered') return r;
        }
      });
      await new Promise((r) => setTimeout(r, 200));
      const killedAt = performance.now();
      await server.kill();
      // Mid-ingest and mid-query: the coded error within 2 s of the kill, not after the driver's retry time.
      const outcomes = [await ingest, ...(await Promise.all(loops))];
      process.stderr.write(
        `[outage] after the kill: ${outcomes.map((r) => `${r.code} in ${(r.at - killedAt).toFixed(0)} ms`).join(', ')}\n`,
      );
      for (const r of outcomes) {
        expect(r.code).toBe('STORE_UNAVAILABLE');
        expect(r.at - killedAt).toBeLessThan(2_000);
      }
      await store.close();

      // The server is gone: a new read or open fails with the coded error at once as well.
      for (const attempt of [
        () => reader.stats(),
        () => reader.traverse([stgOrders.key], IMPACT),
        () => openNeo4jStore(options),
      ]) {
        const t0 = performance.now();
        const r = await failed(attempt());
        expect(r.code).toBe('STORE_UNAVAILABLE');
        expect(r.at - t0).toBeLessThan(2_000);
      }
      await reader.close();

      server = await startNeo4j({ homeDir, keepHome: true, port, jvmFlags: FAST_START });
      const reopened = await openNeo4jStore(options);
      try {
        expect(await answers(reopened)).toStrictEqual(before);
        // The staged data survived the crash, invisible; the next ingest of the origin deletes it.
        expect(await leftovers(server.uri)).toBeGreaterThanOrEqual(500);
        expect((await reopened.applyBatch(dbtBatch())).unchanged).toBe(true);
        expect(await leftovers(server.uri)).toBe(0);
        expect(await answers(reopened)).toStrictEqual(before);
        // And the store is usable again.
        const ok = await reopened.applyBatch(queryLogBatch());
        expect(ok.unchanged).toBe(false);
        expect((await reopened.origins()).map((o) => o.id)).toEqual(['dbt:proj', 'qlog:a']);
      } finally {
        await reopened.close();
      }
    },
  );
});
