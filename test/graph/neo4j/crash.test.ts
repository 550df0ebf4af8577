// A failure mid-ingest leaves the previous state: a server of its own is killed (SIGKILL) while a large
// replacement batch is being written, restarted on the same database directory, and must answer exactly as
// before the failed ingest.
import { rmSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { openNeo4jStore } from '../../../graph/neo4j/index.ts';
import type { LineageStore } from '../../../graph/store.ts';
import type { LineageBatch } from '../../../src/model/lineage.ts';
import { startNeo4j, type RunningNeo4j } from '../../../scripts/neo4j/launch.ts';
import { dbtBatch, queryLogBatch, stgOrders } from '../../conformance/shapes.ts';
import { neo4jTarget } from './server.ts';

const enabled = neo4jTarget() !== null;

function bigReplacement(): LineageBatch {
  const b = dbtBatch('2024-09-01T00:00:00Z');
  const rel = { ...stgOrders, key: 'wh.big.t', name: 't', schema: 'big', displayName: 'wh.big.t' };
  b.relations.push(rel);
  for (let i = 0; i < 8_000; i++) {
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

async function answers(store: LineageStore): Promise<unknown> {
  return {
    stats: await store.stats(),
    relations: await store.listRelations(),
    columns: await store.columnsOf(stgOrders.key),
    edges: await store.edgesOf(stgOrders.key, 'downstream'),
    impact: await store.traverse([stgOrders.key], {
      direction: 'downstream',
      level: 'relation',
      maxDepth: 5,
      limit: 100,
      includeConsumers: true,
    }),
  };
}

/** Resolves once a write transaction of the ingest is running on the server. */
async function ingestInProgress(uri: string): Promise<void> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'unused'));
  try {
    for (let i = 0; i < 2000; i++) {
      const res = await driver.executeQuery('SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery');
      if (res.records.some((r) => String(r.get('currentQuery')).includes('UNWIND $rows'))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the ingest never started writing');
  } finally {
    await driver.close();
  }
}

describe.skipIf(!enabled)('a Neo4j failure mid-ingest', () => {
  let server: RunningNeo4j | undefined;
  let homeDir: string | undefined;

  afterAll(async () => {
    await server?.stop();
    if (homeDir) rmSync(homeDir, { recursive: true, force: true });
  });

  it(
    'keeps the previous state when the server is killed during a replacement',
    { timeout: 300_000 },
    async () => {
      server = await startNeo4j({ keepHome: true });
      homeDir = server.homeDir;
      const port = Number(new URL(server.uri.replace('bolt:', 'http:')).port);
      const options = {
        uri: server.uri,
        user: 'neo4j',
        password: 'unused',
        database: 'neo4j',
        maxRetryTimeMs: 2_000,
      };
      const store = await openNeo4jStore({ ...options, batchSize: 2000 });
      await store.applyBatch(dbtBatch());
      const before = await answers(store);

      const ingest = store.applyBatch(bigReplacement());
      const outcome = ingest.then(
        () => 'committed',
        (err: { code?: string }) => err.code ?? 'other error',
      );
      await ingestInProgress(server.uri);
      await server.kill();
      expect(await outcome).toBe('STORE_WRITE_FAILED');
      await store.close();

      server = await startNeo4j({ homeDir, keepHome: true, port });
      const reopened = await openNeo4jStore(options);
      try {
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
