// The real demo graph for analysis, API and CLI tests: fixtures/demo (jaffle_shop dbt v12 artifacts with
// two exposures) ingested with the real dbt pipeline into a real embedded store in a temp dir; optionally
// a small real query log (usage) and a second dbt ingest with a retyped column and a failing test.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { openEmbeddedSqlTextStore } from '../../graph/sql-text/embedded.ts';
import type { SqlTextStore } from '../../graph/sql-text/types.ts';
import type { LineageStore } from '../../graph/store.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { contextFromConfig, type AnalysisContext } from '../../src/analysis/context.ts';

export const DEMO_TARGET = fileURLToPath(new URL('../../fixtures/demo/target', import.meta.url));
export const NOW = new Date('2026-11-15T00:00:00Z');
export const FIRST_INGEST = '2026-11-01T00:00:00.000Z';
export const SECOND_INGEST = '2026-11-10T00:00:00.000Z';

export const COL = 'jaffle_shop.main.stg_orders.order_total';
export const ORDERS = 'jaffle_shop.main.orders';
export const CUSTOMERS = 'jaffle_shop.main.customers';
export const STG_ORDERS = 'jaffle_shop.main.stg_orders';
export const CUSTOMER_360 = 'exposure:exposure.jaffle_shop.customer_360';
export const REVENUE_FORECAST = 'exposure:exposure.jaffle_shop.revenue_forecast';

export interface DemoGraph {
  store: LineageStore;
  dir: string;
  config: Config;
  ctx: AnalysisContext;
  close(): Promise<void>;
}

const QUERY_LOG = [
  {
    query: 'select customer_name, lifetime_spend from customers',
    user: 'alice',
    timestamp: '2026-11-05T10:00:00Z',
  },
  {
    query: 'select customer_name, lifetime_spend from customers',
    user: 'alice',
    timestamp: '2026-11-06T10:00:00Z',
  },
  { query: 'select customer_id from customers', user: 'carol', timestamp: '2026-11-07T10:00:00Z' },
  {
    query: 'select order_id, order_total from orders where order_total > 100',
    user: 'bob',
    timestamp: '2026-11-08T10:00:00Z',
  },
  // a service account: ignored when LINEAGE_SERVICE_USERS names it
  { query: 'select date_day from metricflow_time_spine', user: 'svc_dbt', timestamp: '2026-11-09T10:00:00Z' },
  // read long ago, outside a 30-day window
  { query: 'select location_name from locations', user: 'dave', timestamp: '2026-06-01T10:00:00Z' },
].map((r) => ({ ...r, dialect: 'duckdb', database: 'jaffle_shop', schema: 'main' }));

/** A copy of the demo target where stg_orders.order_total is retyped and one of its tests fails. */
function changedTarget(dir: string): string {
  const target = join(dir, 'changed-target');
  cpSync(DEMO_TARGET, target, { recursive: true });
  const catalogPath = join(target, 'catalog.json');
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
  catalog.nodes['model.jaffle_shop.stg_orders'].columns.order_total.type = 'DOUBLE';
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const manifestPath = join(target, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.metadata.generated_at = '2026-11-10T05:00:00.000000Z';
  writeFileSync(manifestPath, JSON.stringify(manifest));
  catalog.metadata.generated_at = '2026-11-10T05:00:00.000000Z';
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const runPath = join(target, 'run_results.json');
  const runs = JSON.parse(readFileSync(runPath, 'utf8'));
  for (const r of runs.results)
    if (r.unique_id === 'test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64') {
      r.status = 'fail';
      r.failures = 3;
      r.message = 'Got 3 results, configured to fail if != 0';
      for (const t of r.timing) {
        t.started_at = '2026-11-10T06:00:00.000000Z';
        t.completed_at = '2026-11-10T06:00:01.000000Z';
      }
    }
  writeFileSync(runPath, JSON.stringify(runs));
  return target;
}

export interface DemoOptions {
  usage?: boolean;
  changes?: boolean;
  env?: Record<string, string>;
  /** Where the dbt ingests keep compiled SQL (openDemoGraph: the embedded packs beside its store). */
  sqlText?: SqlTextStore;
}

/** Fills `store` with the demo graph (dbt ingest; optional query log and second ingest); `dir` is scratch space. */
export async function populateDemo(
  store: LineageStore,
  dir: string,
  options: DemoOptions = {},
): Promise<void> {
  const cacheDir = join(dir, 'dbt-cache');
  const sqlText = options.sqlText;
  await ingestDbt(store, DEMO_TARGET, { now: FIRST_INGEST, cacheDir, sqlText });
  if (options.usage) {
    const log = join(dir, 'queries.jsonl');
    writeFileSync(log, QUERY_LOG.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await ingestQueryLog(store, log, { format: 'generic', platform: 'duckdb', origin: 'query-log:demo' });
  }
  if (options.changes) await ingestDbt(store, changedTarget(dir), { now: SECOND_INGEST, cacheDir, sqlText });
}

export async function openDemoGraph(options: DemoOptions = {}): Promise<DemoGraph> {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-demo-'));
  const dataDir = join(dir, 'data');
  const store = await openEmbeddedStore({ dataDir });
  const sqlText = openEmbeddedSqlTextStore({ dataDir });
  await populateDemo(store, dir, { sqlText, ...options });
  await sqlText.close();
  const config = { ...loadConfig({ LINEAGE_DATA_DIR: dataDir, ...options.env }) };
  return {
    store,
    dir,
    config,
    ctx: contextFromConfig(config, { now: NOW }),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
