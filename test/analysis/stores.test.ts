// The analyses are written once against the store interface: on the same demo graph, every store must
// give exactly the same answers (the Neo4j run is skipped when no test Neo4j is available).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LineageStore } from '../../graph/store.ts';
import { alertRoutes } from '../../src/analysis/alert-routes.ts';
import { canDrop } from '../../src/analysis/can-drop.ts';
import { complexity } from '../../src/analysis/complexity.ts';
import { contextFromConfig } from '../../src/analysis/context.ts';
import { impact } from '../../src/analysis/impact.ts';
import { lineageGraph } from '../../src/analysis/lineage-graph.ts';
import { rootCause } from '../../src/analysis/root-cause.ts';
import { unusedColumns, unusedTables } from '../../src/analysis/unused.ts';
import { loadConfig } from '../../src/config.ts';
import { embeddedFactory, neo4jFactory } from '../conformance/stores.ts';
import { COL, CUSTOMERS, NOW, ORDERS, STG_ORDERS, populateDemo } from '../helpers/demo-graph.ts';

async function answers(store: LineageStore): Promise<Record<string, unknown>> {
  const ctx = contextFromConfig(loadConfig({ LINEAGE_SERVICE_USERS: 'svc_dbt' }), { now: NOW });
  const since = '2026-10-15T00:00:00.000Z';
  const out: Record<string, unknown> = {};
  // Kept small: on Neo4j every store call is a round trip (the whole battery costs ~10-20 s there).
  out.impactConservative = await impact(
    store,
    { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 },
    ctx,
  );
  out.impactStrict = await impact(
    store,
    { ref: `${ORDERS}.customer_id`, change: 'DROP', mode: 'STRICT', depth: 10 },
    ctx,
  );
  out.impactRelation = await impact(
    store,
    { ref: STG_ORDERS, change: 'RETYPE', mode: 'CONSERVATIVE', depth: 3 },
    ctx,
  );
  out.canDrop = await canDrop(store, CUSTOMERS, ctx);
  out.rootCause = await rootCause(
    store,
    { ref: CUSTOMERS, since: '2026-11-08T00:00:00.000Z', depth: 10 },
    ctx,
  );
  out.unusedTables = await unusedTables(store, { since, sort: 'AGE' }, ctx);
  out.unusedColumns = await unusedColumns(
    store,
    { since, sort: 'NAME', schema: 'raw', maxColumns: 100_000 },
    ctx,
  );
  out.complexity = await complexity(store, { scope: 'SCHEMA' });
  out.alertRoutes = await alertRoutes(store, { ref: ORDERS, depth: 10 }, ctx);
  out.graph = await lineageGraph(store, { ref: ORDERS, direction: 'BOTH', depth: 2, limit: 500 }, ctx);
  return out;
}

async function answersOn(factory: typeof embeddedFactory): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-analysis-stores-'));
  const store = await factory.open();
  try {
    await populateDemo(store, dir, { usage: true, changes: true });
    return await answers(store);
  } finally {
    await factory.cleanup(store);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!neo4jFactory.enabled())('analyses across stores', () => {
  it(
    'embedded and Neo4j give identical analysis answers on the demo graph',
    { timeout: 300_000 },
    async () => {
      const embedded = await answersOn(embeddedFactory);
      const neo4j = await answersOn(neo4jFactory);
      expect((embedded.impactConservative as { breaks: unknown[] }).breaks.length).toBe(1);
      expect((embedded.rootCause as { candidates: { score: number }[] }).candidates[0].score).toBeGreaterThan(
        0,
      );
      expect(neo4j).toEqual(embedded);
    },
  );
});
