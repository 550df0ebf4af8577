// Round trips per analysis on Neo4j: every auto-commit statement the store sends (Session.run; reads are one
// statement each, so this counts Bolt round trips) while an analysis runs on the demo graph. The bounds pin
// today's counts (a regression guard, printed too): each store call is one statement, so an analysis costs as
// many round trips as it makes store calls. Issue 16's target is levels + 3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineageStore } from '../../../graph/store.ts';
import { alertRoutes } from '../../../src/analysis/alert-routes.ts';
import { canDrop } from '../../../src/analysis/can-drop.ts';
import { complexity } from '../../../src/analysis/complexity.ts';
import { contextFromConfig } from '../../../src/analysis/context.ts';
import { impact } from '../../../src/analysis/impact.ts';
import { lineageGraph } from '../../../src/analysis/lineage-graph.ts';
import { rootCause } from '../../../src/analysis/root-cause.ts';
import { unusedColumns, unusedTables } from '../../../src/analysis/unused.ts';
import { loadConfig } from '../../../src/config.ts';
import { openNeo4jStore } from '../../../graph/neo4j/index.ts';
import { neo4jFactory } from '../../conformance/stores.ts';
import { COL, CUSTOMERS, NOW, ORDERS, STG_ORDERS, populateDemo } from '../../helpers/demo-graph.ts';
import { neo4jTarget } from './server.ts';

describe.skipIf(!neo4jFactory.enabled())('Neo4j round trips per analysis (demo graph)', () => {
  let store: LineageStore;
  let dir: string;
  let count = 0;
  const statements: string[] = [];
  const run = Session.prototype.run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-round-trips-'));
    store = await neo4jFactory.open();
    await populateDemo(store, dir, { usage: true, changes: true });
    Session.prototype.run = function (this: Session, ...args: Parameters<Session['run']>) {
      count++;
      statements.push(String(args[0]));
      return run.apply(this, args);
    } as Session['run'];
  }, 120_000);

  afterAll(async () => {
    Session.prototype.run = run;
    await neo4jFactory.cleanup(store);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays within the measured number of round trips', { timeout: 120_000 }, async () => {
    const ctx = contextFromConfig(loadConfig({ LINEAGE_SERVICE_USERS: 'svc_dbt' }), { now: NOW });
    const since = '2026-10-15T00:00:00.000Z';
    // [analysis, bound]: today's counts (before issue 16's read work: 30, 16, 31, 19, 15, 12, 17, 8, 35, 144;
    // before edgesOfMany, memoized reads and the relation summary: 16, 7, 19, 8, 9, 8, 11, 6, 18, 56; before
    // traverseMany, the edge and walk read-ahead and per-key node and hop memos: 13, 7, 14, 7, 8, 5, 7, 3, 14, 5;
    // before relationsWithoutReaders and consumedRelations: unusedTables 5, unusedColumns 7; before readMany
    // and the memo's read-ahead of the target's edges, columns and tests, the steps' nodes and the assembly's
    // nodes and usage: impact column 9, strict 5, relation 10, canDrop 6, alertRoutes 8).
    const cases: [string, number, () => Promise<unknown>][] = [
      [
        'impact column',
        6,
        () => impact(store, { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 }, ctx),
      ],
      [
        'impact column strict',
        4,
        () => impact(store, { ref: `${ORDERS}.customer_id`, change: 'DROP', mode: 'STRICT', depth: 10 }, ctx),
      ],
      [
        'impact relation',
        6,
        () => impact(store, { ref: STG_ORDERS, change: 'RETYPE', mode: 'CONSERVATIVE', depth: 3 }, ctx),
      ],
      ['canDrop', 3, () => canDrop(store, CUSTOMERS, ctx)],
      [
        'rootCause',
        8,
        () => rootCause(store, { ref: CUSTOMERS, since: '2026-11-08T00:00:00.000Z', depth: 10 }, ctx),
      ],
      ['unusedTables', 4, () => unusedTables(store, { since, sort: 'AGE' }, ctx)],
      [
        'unusedColumns',
        6,
        () => unusedColumns(store, { since, sort: 'NAME', schema: 'raw', maxColumns: 100_000 }, ctx),
      ],
      ['complexity', 3, () => complexity(store, { scope: 'SCHEMA' })],
      ['alertRoutes', 4, () => alertRoutes(store, { ref: ORDERS, depth: 10 }, ctx)],
      [
        'lineageGraph',
        5,
        () => lineageGraph(store, { ref: ORDERS, direction: 'BOTH', depth: 2, limit: 500 }, ctx),
      ],
    ];
    const counts: string[] = [];
    for (const [name, bound, analysis] of cases) {
      count = 0;
      await analysis();
      counts.push(`${name} ${count}`);
      expect(count, name).toBeLessThanOrEqual(bound);
    }
    process.stderr.write(`[round trips] ${counts.join(', ')}\n`);
  });

  it('reads the relation graph once for concurrent callers, then keeps it', async () => {
    // a second store object on the same database: nothing kept yet
    const other = await openNeo4jStore(neo4jTarget()!);
    try {
      const summaries = () => statements.filter((q) => q.includes("'active' AS part")).length;
      const before = summaries();
      const graphs = await Promise.all([other.relationGraph(), other.relationGraph(), other.relationGraph()]);
      expect(summaries() - before).toBe(1);
      for (const g of graphs) expect(g).toEqual(await store.relationGraph());
      await other.relationGraph();
      expect(summaries() - before).toBe(1);
    } finally {
      await other.close();
    }
  });
});
