// A real PostgreSQL server logs a real workload to csvlog; the log is ingested into the real embedded store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';
import type { QueryLogSummary } from '../../src/pipeline/ingest-query-log.ts';
import { findPostgresBin, startPostgres } from './postgres-server.ts';
import type { PgServer } from './postgres-server.ts';

const found = findPostgresBin();
const skip = 'skip' in found ? found.skip : null;
if (skip) console.warn(`[query-log postgres test skipped] ${skip}`);

async function client(port: number, user: string, database: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, database });
  await c.connect();
  return c;
}

/** ETL, analysts and a service account, with repeated statements that differ only in literals. */
async function workload(port: number): Promise<void> {
  const admin = await client(port, 'postgres', 'postgres');
  await admin.query('CREATE DATABASE warehouse');
  await admin.query('CREATE ROLE alice LOGIN');
  await admin.query('CREATE ROLE etl_runner LOGIN');
  await admin.end();

  const etl = await client(port, 'postgres', 'warehouse');
  await etl.query('CREATE SCHEMA analytics');
  await etl.query('CREATE TABLE raw_orders (id int, customer_id int, amount numeric, status text)');
  await etl.query('CREATE TABLE customers (id int, name text, region text)');
  for (let i = 1; i <= 5; i++)
    await etl.query(`INSERT INTO raw_orders VALUES (${i}, ${i % 2}, ${i * 10.5}, 'new')`);
  await etl.query("INSERT INTO customers VALUES (0, 'Ann', 'EU'), (1, 'Bo', 'US')");
  await etl.query(
    `CREATE TEMP TABLE big_orders AS
       SELECT o.id, o.amount, c.region FROM raw_orders o JOIN customers c ON c.id = o.customer_id
       WHERE o.amount > 10`,
  );
  await etl.query(
    'CREATE TABLE analytics.region_revenue AS SELECT region, sum(amount) AS revenue FROM big_orders GROUP BY region',
  );
  await etl.query('CREATE VIEW analytics.v_orders AS SELECT id, amount FROM raw_orders');
  await etl.query("UPDATE raw_orders SET status = 'paid' WHERE id = 1");
  await etl.query('GRANT USAGE ON SCHEMA analytics TO alice, etl_runner');
  await etl.query('GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO alice, etl_runner');
  await etl.query('GRANT SELECT ON customers, raw_orders TO alice, etl_runner');
  await etl.end();

  const alice = await client(port, 'alice', 'warehouse');
  for (const min of [5, 20, 40])
    await alice.query('SELECT id, amount FROM analytics.v_orders WHERE amount > $1', [min]);
  await alice.query('SELECT region, revenue FROM analytics.region_revenue ORDER BY revenue DESC');
  await expect(alice.query('SELECT no_such_column FROM customers')).rejects.toThrow(/does not exist/);
  await alice.end();

  const service = await client(port, 'etl_runner', 'warehouse');
  await service.query('SELECT region FROM customers');
  await service.end();
}

describe.skipIf(skip !== null)('postgres csvlog from a real server', () => {
  let server: PgServer;
  let dir: string;
  let store: LineageStore;
  let summary: QueryLogSummary;

  beforeAll(async () => {
    if (!('bin' in found)) return;
    server = await startPostgres(found.bin);
    try {
      await workload(server.port);
    } finally {
      server.stop();
    }
    dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-'));
    store = await openEmbeddedStore({ dataDir: dir });
    summary = await ingestQueryLog(store, server.csvlog, { format: 'postgres-csvlog', origin: 'pg-test' });
  });

  afterAll(async () => {
    await store?.close();
    server?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts executions, failures and distinct statements', () => {
    expect(summary.failed).toBe(1);
    expect(summary.malformed).toBe(0);
    // 5 INSERT … VALUES differing only in literals share one fingerprint, as do the 3 parameterised SELECTs.
    expect(summary.distinctStatements).toBeLessThanOrEqual(summary.executions - 6);
    expect(summary.temporaryRelations).toBe(1);
  });

  it('passes lineage through the temp table into the CTAS target', async () => {
    const up = await store.edgesOf('warehouse.analytics.region_revenue.revenue', 'upstream');
    const kinds = up.map((e) => `${e.from} ${e.kind}`);
    expect(kinds).toContain('warehouse.public.raw_orders.amount AGGREGATION');
    expect(kinds).toContain('warehouse.public.raw_orders.customer_id JOIN');
    expect(kinds).toContain('warehouse.public.customers.id JOIN');
    const region = await store.edgesOf('warehouse.analytics.region_revenue.region', 'upstream');
    expect(region.map((e) => `${e.from} ${e.kind}`)).toContain('warehouse.public.customers.region IDENTITY');
    expect(up.every((e) => e.provenances.includes('query_log'))).toBe(true);
    const nodes = await store.getNodes(['warehouse.public.big_orders', 'warehouse.analytics.v_orders']);
    expect(nodes.has('warehouse.public.big_orders')).toBe(false);
    const view = nodes.get('warehouse.analytics.v_orders');
    expect(view?.type === 'relation' && view.node.kind).toBe('view');
  });

  it('records usage per relation and column, keeping service users for query-time exclusion', async () => {
    const all = await store.usage({ sinceDay: '2000-01-01' });
    const byTarget = new Map(all.map((u) => [u.target, u]));
    const view = byTarget.get('warehouse.analytics.v_orders');
    expect(view?.reads).toBe(3);
    expect(view?.lastReader).toBe('alice');
    expect(byTarget.get('warehouse.analytics.v_orders.amount')?.reads).toBe(3);
    expect(byTarget.get('warehouse.public.raw_orders')?.writes).toBeGreaterThanOrEqual(6);
    expect(byTarget.has('warehouse.public.big_orders')).toBe(false);
    const customers = byTarget.get('warehouse.public.customers.region');
    expect(customers?.distinctReaders).toBeGreaterThanOrEqual(1);
    const excluded = await store.usage({
      sinceDay: '2000-01-01',
      targets: ['warehouse.public.customers.region'],
      excludeUsers: ['etl_runner', 'postgres'],
    });
    expect(excluded[0]?.reads ?? 0).toBe(0);
  });

  it('re-ingesting the same log under the same origin replaces it with the same content', async () => {
    const edges = async () => [
      ...(await store.edgesOf('warehouse.analytics.region_revenue.revenue', 'upstream')),
      ...(await store.usage({ sinceDay: '2000-01-01' })),
    ];
    const before = { stats: await store.stats(), edges: await edges() };
    const again = await ingestQueryLog(store, server.csvlog, {
      format: 'postgres-csvlog',
      origin: 'pg-test',
    });
    expect(again.columnEdges).toBe(summary.columnEdges);
    const after = { stats: await store.stats(), edges: await edges() };
    expect(after.edges).toEqual(before.edges);
    expect({ ...after.stats, origins: after.stats.origins.map((o) => ({ ...o, ingestedAt: '' })) }).toEqual({
      ...before.stats,
      origins: before.stats.origins.map((o) => ({ ...o, ingestedAt: '' })),
    });
  });
});
