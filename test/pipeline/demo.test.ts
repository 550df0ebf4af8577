// The bundled demo answers "what breaks if I drop stg_customers.customer_name" (and friends) through the
// real embedded store's traverse, checked by hand against the compiled SQL (see fixtures/demo/README.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { ingestDbt, type IngestDbtSummary } from '../../src/pipeline/ingest-dbt.ts';

const DEMO = 'fixtures/demo/target';

/**
 * Relations whose columns are reached from `column` (they reference it, directly or through other models),
 * and the exposures downstream of them at relation level (including through models that go stale).
 */
async function whatBreaks(store: LineageStore, column: string) {
  const cols = await store.traverse([column], {
    direction: 'downstream',
    level: 'column',
    maxDepth: 20,
    limit: 1000,
  });
  const relations = [...new Set(cols.reached.map((r) => r.key.split('.').slice(0, 3).join('.')))].sort();
  const rel = relations.length
    ? await store.traverse(relations, {
        direction: 'downstream',
        level: 'relation',
        maxDepth: 20,
        limit: 1000,
        includeConsumers: true,
      })
    : { reached: [] };
  const exposures = [
    ...new Set(
      [...rel.reached.map((r) => r.key), ...(await consumersOf(store, relations))].filter((k) =>
        k.startsWith('exposure:'),
      ),
    ),
  ].sort();
  return { columns: cols.reached.map((r) => r.key).sort(), relations, exposures };
}

async function consumersOf(store: LineageStore, relations: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of relations)
    for (const e of await store.edgesOf(r, 'downstream')) if (e.kind === 'CONSUMER') out.push(e.to);
  return out;
}

describe('demo: what breaks if I drop a column', () => {
  let dataDir: string;
  let store: LineageStore;
  let first: IngestDbtSummary;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dbt-demo-'));
    store = await openEmbeddedStore({ dataDir });
    first = await ingestDbt(store, DEMO, { cacheDir: dataDir, now: '2026-09-01T00:00:00.000Z' });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stg_customers.customer_name: customers (via customers.*) and the Customer 360 dashboard only', async () => {
    const r = await whatBreaks(store, 'jaffle_shop.main.stg_customers.customer_name');
    expect(r.columns).toEqual(['jaffle_shop.main.customers.customer_name']);
    expect(r.relations).toEqual(['jaffle_shop.main.customers']);
    expect(r.exposures).toEqual(['exposure:exposure.jaffle_shop.customer_360']);
  });

  it('stg_orders.order_total: orders, then customers (lifetime_spend); both exposures', async () => {
    const r = await whatBreaks(store, 'jaffle_shop.main.stg_orders.order_total');
    expect(r.relations).toEqual(['jaffle_shop.main.customers', 'jaffle_shop.main.orders']);
    expect(r.columns).toEqual(
      expect.arrayContaining([
        'jaffle_shop.main.orders.order_total',
        'jaffle_shop.main.customers.lifetime_spend',
      ]),
    );
    expect(r.exposures).toEqual([
      'exposure:exposure.jaffle_shop.customer_360',
      'exposure:exposure.jaffle_shop.revenue_forecast',
    ]);
  });

  it('stg_products.product_name: order_items (joined) and products (select *), not orders by column', async () => {
    const r = await whatBreaks(store, 'jaffle_shop.main.stg_products.product_name');
    expect(r.relations).toEqual(['jaffle_shop.main.order_items', 'jaffle_shop.main.products']);
    // order_items feeds the forecast directly; it also stops orders -> customers refreshing (stale), so the
    // Customer 360 dashboard is reached too.
    expect(r.exposures).toEqual([
      'exposure:exposure.jaffle_shop.customer_360',
      'exposure:exposure.jaffle_shop.revenue_forecast',
    ]);
  });

  it('exposure owners, checks and run evidence are in the store', async () => {
    const consumers = await store.listConsumers();
    const ml = consumers.find((c) => c.key === 'exposure:exposure.jaffle_shop.revenue_forecast');
    expect(ml?.kind).toBe('ml');
    expect(ml?.owners.map((o) => o.email)).toEqual(['sam.okafor@jaffle.example']);
    const checks = await store.checks(['jaffle_shop.main.customers.customer_id']);
    expect(checks.map((c) => c.testType).sort()).toEqual(['not_null', 'unique']);
    const evidence = await store.evidence(['jaffle_shop.main.customers.customer_id']);
    expect(evidence.map((e) => e.kind)).toEqual(['test_passed', 'test_passed']);
  });

  it('re-ingesting the unchanged manifest reuses every cached model lineage and changes nothing', async () => {
    expect(first.sqlParsed).toBe(13);
    const again = await ingestDbt(store, DEMO, { cacheDir: dataDir, now: '2026-09-02T00:00:00.000Z' });
    expect(again.sqlParsed).toBe(0);
    expect(again.sqlCacheHits).toBe(13);
    expect(again.counts).toEqual(first.counts);
    const fp = await store.fingerprints(['jaffle_shop.main.customers'], 5);
    expect(fp.get('jaffle_shop.main.customers')?.length).toBe(1);
  });
});
