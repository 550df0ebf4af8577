// Round trips per analysis on Neo4j, on the demo graph, counted two ways over every auto-commit statement the
// store sends (Session.run; each read is one statement):
// - statements: every one, the server's work and the client's Bolt messages (bounds pin today's counts, a
//   regression guard);
// - waits: a statement sent while no other is outstanding starts a wait; statements sent together (the store
//   sends independent reads at once) share it. Waits are what the request's latency pays, and what issue
//   16's target bounds: levels + 3, levels being how far the answer reaches (its largest distance; 0 for the
//   whole-warehouse analyses). SHOW_STATEMENTS=1 prints each analysis's statements in the order sent.
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
  let waits = 0;
  let outstanding = 0;
  const statements: string[] = [];
  const run = Session.prototype.run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-round-trips-'));
    store = await neo4jFactory.open();
    await populateDemo(store, dir, { usage: true, changes: true });
    Session.prototype.run = function (this: Session, ...args: Parameters<Session['run']>) {
      count++;
      if (outstanding === 0) waits++;
      outstanding++;
      statements.push(String(args[0]));
      const result = run.apply(this, args);
      // Result caches its promise: this extra subscriber does not change what the store receives.
      const done = () => void outstanding--;
      result.then(done, done);
      return result;
    } as Session['run'];
  }, 120_000);

  /** How far an answer reaches: the largest |distance| anywhere in it. */
  const levelsOf = (answer: unknown): number => {
    if (Array.isArray(answer)) return Math.max(0, ...answer.map(levelsOf));
    if (answer === null || typeof answer !== 'object') return 0;
    return Math.max(
      0,
      ...Object.entries(answer).map(([k, v]) =>
        k === 'distance' && typeof v === 'number' ? Math.abs(v) : levelsOf(v),
      ),
    );
  };

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
    // nodes and usage: impact column 9, strict 5, relation 10, canDrop 6, alertRoutes 8; while readMany sent its
    // reads as one composite statement, a text per combination the server planned anew: impact column 6,
    // strict 4, relation 6, canDrop 3, alertRoutes 4, the same waits as today).
    const cases: [string, number, () => Promise<unknown>][] = [
      [
        'impact column',
        11,
        () => impact(store, { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 }, ctx),
      ],
      [
        'impact column strict',
        6,
        () => impact(store, { ref: `${ORDERS}.customer_id`, change: 'DROP', mode: 'STRICT', depth: 10 }, ctx),
      ],
      [
        'impact relation',
        11,
        () => impact(store, { ref: STG_ORDERS, change: 'RETYPE', mode: 'CONSERVATIVE', depth: 3 }, ctx),
      ],
      ['canDrop', 7, () => canDrop(store, CUSTOMERS, ctx)],
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
      ['alertRoutes', 9, () => alertRoutes(store, { ref: ORDERS, depth: 10 }, ctx)],
      [
        'lineageGraph',
        5,
        () => lineageGraph(store, { ref: ORDERS, direction: 'BOTH', depth: 2, limit: 500 }, ctx),
      ],
    ];
    const counts: string[] = [];
    for (const [name, bound, analysis] of cases) {
      count = 0;
      waits = 0;
      const from = statements.length;
      const levels = levelsOf(await analysis());
      if (process.env.SHOW_STATEMENTS)
        process.stderr.write(
          `--- ${name}\n${statements
            .slice(from)
            .map((q) => q.replace(/\s+/g, ' ').slice(0, 160))
            .join('\n')}\n`,
        );
      expect(outstanding, name).toBe(0);
      counts.push(`${name} ${count} (${waits} waits, ${levels} levels)`);
      expect(count, name).toBeLessThanOrEqual(bound);
      expect(waits, `${name}: waits`).toBeLessThanOrEqual(levels + 3);
    }
    process.stderr.write(`[round trips] ${counts.join(', ')}\n`);
  });

  it('keeps the relation list while the same generations are active', async () => {
    const other = await openNeo4jStore(neo4jTarget()!);
    try {
      const fullReads = () => statements.filter((q) => q.includes("c.type = 'relation'")).length;
      const before = fullReads();
      const all = await other.listRelations();
      expect(fullReads() - before).toBe(1);
      count = 0;
      expect(await other.listRelations({ schema: 'main' })).toEqual(all.filter((r) => r.schema === 'main'));
      expect(fullReads() - before).toBe(1);
      expect(count).toBe(1); // the active generations only
      expect(all).toEqual(await store.listRelations());
    } finally {
      await other.close();
    }
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
