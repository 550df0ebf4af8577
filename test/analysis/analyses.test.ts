// The analyses on the real demo graph (dbt ingest + a query log + a second ingest with changes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRoutes } from '../../src/analysis/alert-routes.ts';
import { canDrop } from '../../src/analysis/can-drop.ts';
import {
  complexity,
  scoreComponents,
  COMPLEXITY_COMPONENTS,
  REACH_CAP,
} from '../../src/analysis/complexity.ts';
import { impact } from '../../src/analysis/impact.ts';
import { importanceScore, severityOf } from '../../src/analysis/importance.ts';
import { lineageGraph } from '../../src/analysis/lineage-graph.ts';
import { resolveRef } from '../../src/analysis/resolve-ref.ts';
import { rootCause, rootCauseScore } from '../../src/analysis/root-cause.ts';
import { unusedColumns, unusedTables } from '../../src/analysis/unused.ts';
import { resolveSince } from '../../src/analysis/window.ts';
import { isLineageError } from '../../src/errors.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { RelationNode } from '../../src/model/lineage.ts';
import {
  COL,
  CUSTOMER_360,
  CUSTOMERS,
  ORDERS,
  REVENUE_FORECAST,
  STG_ORDERS,
  openDemoGraph,
  type DemoGraph,
} from '../helpers/demo-graph.ts';

let g: DemoGraph;
beforeAll(async () => {
  g = await openDemoGraph({ usage: true, changes: true, env: { LINEAGE_SERVICE_USERS: 'svc_dbt' } });
});
afterAll(async () => {
  await g?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isLineageError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('resolveRef', () => {
  it('finds a node by key (any case), dbt unique_id and unique name', async () => {
    expect((await resolveRef(g.store, COL)).node.key).toBe(COL);
    expect((await resolveRef(g.store, COL.toUpperCase())).node.key).toBe(COL);
    expect((await resolveRef(g.store, 'model.jaffle_shop.orders')).node.key).toBe(ORDERS);
    expect((await resolveRef(g.store, 'lifetime_spend_pretax', ['column'])).node.key).toBe(
      `${CUSTOMERS}.lifetime_spend_pretax`,
    );
  });
  it('refuses ambiguous and unknown refs with stable codes', async () => {
    expect(await codeOf(resolveRef(g.store, 'order_id', ['column']))).toBe('LINEAGE_AMBIGUOUS_REF');
    expect(await codeOf(resolveRef(g.store, 'no_such_thing_anywhere'))).toBe('LINEAGE_NOT_FOUND');
    expect(await codeOf(resolveRef(g.store, '  '))).toBe('LINEAGE_BAD_ARGUMENT');
  });
});

describe('impact', () => {
  it('dropping stg_orders.order_total breaks orders, stales customers, changes values downstream', async () => {
    const r = await impact(g.store, { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 }, g.ctx);
    expect(r.breaks.map((b) => b.key)).toEqual([ORDERS]);
    expect(r.breaks[0].via).toContainEqual({ from: COL, to: `${ORDERS}.order_total`, kind: 'IDENTITY' });
    expect(r.stale.map((s) => s.key)).toContain(CUSTOMERS);
    expect(r.stale.find((s) => s.key === CUSTOMERS)?.distance).toBe(2);
    const lifetime = r.values.find((v) => v.key === `${CUSTOMERS}.lifetime_spend`);
    expect(lifetime?.strict).toBe(true);
    expect(lifetime?.kinds).toEqual(['IDENTITY', 'AGGREGATION']);
    expect(lifetime?.path.map((p) => p.to)).toEqual([`${ORDERS}.order_total`, `${CUSTOMERS}.lifetime_spend`]);
    // both dbt exposures are reached; the key asset (maturity high) ranks first
    const keys = r.exposures.map((e) => e.key);
    expect(keys).toContain(CUSTOMER_360);
    expect(keys).toContain(REVENUE_FORECAST);
    expect(keys[0]).toBe(CUSTOMER_360);
    expect(r.exposures.find((e) => e.key === REVENUE_FORECAST)?.via).toBe(ORDERS);
    expect(r.owners.map((o) => o.id)).toEqual(
      expect.arrayContaining(['ana.lopez@jaffle.example', 'sam.okafor@jaffle.example']),
    );
    expect(r.summary.maxSeverity).toBe('CRITICAL');
    expect(r.summary.breaks).toBe(1);
    expect(r.partial).toBe(false);
  });

  it('ranks by real usage and exposures: orders (2 exposures, 1 read) above customers (1 exposure, 3 reads)', async () => {
    const r = await impact(g.store, { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 }, g.ctx);
    const orders = r.breaks[0].importance;
    const customers = r.stale.find((s) => s.key === CUSTOMERS)!.importance;
    expect(orders.exposuresDownstream).toBe(2);
    expect(orders.reads).toBe(1);
    expect(customers.reads).toBe(3);
    expect(customers.exposuresDownstream).toBe(1);
    expect(orders.score).toBe(importanceScore(2, 1, false));
    expect(customers.score).toBe(importanceScore(1, 3, false));
  });

  it('STRICT follows value-bearing edges only; CONSERVATIVE also indirect edges', async () => {
    // customers uses orders.customer_id only in its JOIN condition and its positional `group by 1`
    const ref = `${ORDERS}.customer_id`;
    const strict = await impact(g.store, { ref, change: 'DROP', mode: 'STRICT', depth: 5 }, g.ctx);
    const cons = await impact(
      g.store,
      { ref, change: 'DROP', mode: 'CONSERVATIVE', depth: 5, indirectColumns: true },
      g.ctx,
    );
    expect(strict.breaks).toEqual([]);
    expect(cons.breaks.length).toBeGreaterThan(0);
    const viaKinds = new Set(cons.breaks.flatMap((b) => b.via.map((v) => v.kind)));
    expect([...viaKinds].sort()).toEqual(['GROUP_BY', 'JOIN']);
    expect(cons.values.length).toBeGreaterThan(0);
    expect(cons.values.every((v) => !v.strict)).toBe(true);
  });

  it('VALUES change breaks nothing but lists value changes; RETYPE of a relation walks its columns', async () => {
    const r = await impact(g.store, { ref: COL, change: 'VALUES', mode: 'STRICT', depth: 10 }, g.ctx);
    expect(r.breaks).toEqual([]);
    expect(r.stale).toEqual([]);
    expect(r.values.map((v) => v.key)).toContain(`${ORDERS}.order_total`);
    const rel = await impact(
      g.store,
      { ref: STG_ORDERS, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 },
      g.ctx,
    );
    expect(rel.breaks.map((b) => b.key)).toContain(ORDERS);
    expect(rel.values).toEqual([]);
  });

  it('says when depth cut the walk, filters by schema, and refuses depths over the limit', async () => {
    const r = await impact(g.store, { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 1 }, g.ctx);
    expect(r.stale).toEqual([]);
    expect(r.partial).toBe(true);
    expect(r.partialReasons).toContain('depth: the stale walk continues beyond depth 1');
    const f = await impact(
      g.store,
      { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10, filters: { schema: 'raw' } },
      g.ctx,
    );
    expect(f.breaks).toEqual([]);
    expect(
      await codeOf(impact(g.store, { ref: COL, change: 'DROP', mode: 'STRICT', depth: 10_000 }, g.ctx)),
    ).toBe('API_LIMIT_EXCEEDED');
  });

  it('an expired deadline skips the remaining phases and says so', async () => {
    const r = await impact(
      g.store,
      { ref: COL, change: 'DROP', mode: 'CONSERVATIVE', depth: 10 },
      { ...g.ctx, deadline: Date.now() - 1 },
    );
    expect(r.partial).toBe(true);
    expect(r.partialReasons).toEqual(['timeout: the request deadline passed; later phases were skipped']);
    expect(r.breaks.map((b) => b.key)).toEqual([ORDERS]);
    expect(r.stale).toEqual([]);
    expect(r.values).toEqual([]);
  });

  it('is deterministic', async () => {
    const a = await impact(
      g.store,
      { ref: STG_ORDERS, change: 'RETYPE', mode: 'CONSERVATIVE', depth: 10 },
      g.ctx,
    );
    const b = await impact(
      g.store,
      { ref: STG_ORDERS, change: 'RETYPE', mode: 'CONSERVATIVE', depth: 10 },
      g.ctx,
    );
    expect(a).toEqual(b);
    expect(a.values.length).toBeGreaterThan(0);
  });
});

describe('canDrop', () => {
  it('BLOCKs a referenced column, REVIEWs a column whose relation an exposure reads, SAFE otherwise', async () => {
    const block = await canDrop(g.store, COL, g.ctx);
    expect(block.verdict).toBe('BLOCK');
    expect(block.reasons.map((r) => r.code)).toContain('REFERENCED_BY_MODEL');
    const review = await canDrop(g.store, `${CUSTOMERS}.customer_name`, g.ctx);
    expect(review.verdict).toBe('REVIEW');
    expect(review.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['OBSERVED_READS', 'RELATION_READ_BY_EXPOSURE']),
    );
    // read only by the excluded service user svc_dbt, nothing downstream
    const safe = await canDrop(g.store, 'jaffle_shop.main.metricflow_time_spine.date_day', g.ctx);
    expect(safe.verdict).toBe('SAFE');
    expect(safe.reasons).toEqual([]);
  });
  it('BLOCKs dropping a relation an exposure reads', async () => {
    const r = await canDrop(g.store, CUSTOMERS, g.ctx);
    expect(r.verdict).toBe('BLOCK');
    expect(r.reasons.find((x) => x.code === 'READ_BY_EXPOSURE')?.assets).toContain(CUSTOMER_360);
  });
});

describe('rootCause', () => {
  it('ranks stg_orders first for a problem on customers: a failing test and a retyped column since the last ingest', async () => {
    const r = await rootCause(
      g.store,
      { ref: CUSTOMERS, since: '2026-11-08T00:00:00.000Z', depth: 10 },
      g.ctx,
    );
    const top = r.candidates[0];
    expect(top.key).toBe(STG_ORDERS);
    expect(top.distance).toBe(2);
    expect(top.evidence.map((e) => e.kind)).toEqual(['test_failed', 'column_retyped']);
    expect(top.evidence[1].message).toBe('column order_total retyped DECIMAL(16,2) -> DOUBLE');
    expect(top.score).toBe(rootCauseScore([40, 35], 2));
    expect(r.candidates.map((c) => c.key)).toContain(ORDERS);
    expect(r.candidates.find((c) => c.key === CUSTOMERS)?.distance).toBe(0);
  });
  it('finds nothing when the window starts after the changes', async () => {
    const r = await rootCause(
      g.store,
      { ref: CUSTOMERS, since: '2026-11-12T00:00:00.000Z', depth: 10 },
      g.ctx,
    );
    expect(r.candidates.every((c) => c.score === 0)).toBe(true);
  });
});

describe('unused', () => {
  it('lists tables nobody read and nothing depends on, ignoring service users', async () => {
    const r = await unusedTables(g.store, { since: resolveSince('30d', g.ctx.now), sort: 'SIZE' }, g.ctx);
    expect(r.hasUsageData).toBe(true);
    expect(r.items.map((i) => i.key)).toEqual(['jaffle_shop.main.metricflow_time_spine']);
    // counting the service user's read makes it used
    const all = await unusedTables(
      g.store,
      { since: resolveSince('30d', g.ctx.now), sort: 'SIZE', ignoreUsers: [] },
      g.ctx,
    );
    expect(all.items).toEqual([]);
  });
  it('lists unused columns with the scan size', async () => {
    const r = await unusedColumns(
      g.store,
      { since: resolveSince('30d', g.ctx.now), sort: 'NAME', maxColumns: 100_000 },
      g.ctx,
    );
    expect(r.items.map((i) => i.key)).toContain('jaffle_shop.main.metricflow_time_spine.date_day');
    expect(r.items.every((i) => !i.key.startsWith(`${CUSTOMERS}.`))).toBe(true);
    expect(r.scanned).toBeGreaterThan(r.items.length);
    const capped = await unusedColumns(
      g.store,
      { since: resolveSince('30d', g.ctx.now), sort: 'NAME', maxColumns: 3 },
      g.ctx,
    );
    expect(capped.partial).toBe(true);
  });
});

describe('complexity', () => {
  it('scores follow the documented formula', () => {
    const zero = scoreComponents({
      fanInTables: 0,
      fanOutTables: 0,
      fanInColumns: 0,
      fanOutColumns: 0,
      depth: 0,
      downstreamReach: 0,
      sqlShape: 0,
      crossSchemaEdges: 0,
    });
    expect(zero.score).toBe(0);
    const max = scoreComponents({
      fanInTables: 10,
      fanOutTables: 10,
      fanInColumns: 100,
      fanOutColumns: 100,
      depth: 10,
      downstreamReach: 100,
      sqlShape: 30,
      crossSchemaEdges: 10,
    });
    expect(max.score).toBe(100);
    expect(Object.values(COMPLEXITY_COMPONENTS).reduce((a, c) => a + c.weight, 0)).toBeCloseTo(1, 10);
    const one = scoreComponents({
      fanInTables: 3,
      fanOutTables: 0,
      fanInColumns: 0,
      fanOutColumns: 0,
      depth: 0,
      downstreamReach: 0,
      sqlShape: 0,
      crossSchemaEdges: 0,
    });
    expect(one.score).toBe(Math.round(100 * 0.15 * (Math.log2(4) / Math.log2(11)) * 10) / 10);
  });
  it('ranks the demo models with a breakdown that adds up', async () => {
    const r = await complexity(g.store, { scope: 'MODEL' });
    expect(r.items.length).toBe((await g.store.listRelations()).length);
    for (const i of r.items) {
      expect(i.score).toBeGreaterThanOrEqual(0);
      expect(i.score).toBeLessThanOrEqual(100);
      expect(i.breakdown.reduce((a, b) => a + b.contribution, 0)).toBeCloseTo(i.score, 0);
    }
    const scores = r.items.map((i) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const sources = r.items.filter((i) => i.kind === 'source');
    expect(sources.every((s) => s.breakdown.find((b) => b.component === 'depth')!.raw === 0)).toBe(true);
    const orders = r.items.find((i) => i.key === ORDERS)!;
    expect(orders.breakdown.find((b) => b.component === 'fanInTables')!.raw).toBe(2);
  });
  it('counts downstream reach exactly up to the cap, cycles included', async () => {
    // Random relation graphs of 2,000 relations (long chains, shortcuts, back edges), each relation's reach
    // checked against a plain search from it.
    for (const seed of [1, 2]) {
      let state = seed;
      const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const n = 2000;
      const keys = Array.from({ length: n }, (_, i) => `wh.s.r${String(i).padStart(5, '0')}`);
      const pairs = new Set<string>();
      for (let i = 0; i + 1 < n; i++) if (random() < 0.9) pairs.add(`${i},${i + 1}`);
      for (let e = 0; e < n; e++) {
        const a = Math.floor(random() * n);
        const b = random() < 0.97 ? a + 1 + Math.floor(random() * 40) : Math.floor(random() * n);
        if (b < n && b !== a) pairs.add(`${a},${b}`);
      }
      const edges = [...pairs]
        .map((p) => p.split(',').map(Number) as [number, number])
        .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      const consumerCount = keys.map(() => (random() < 0.1 ? 2 : 0));
      const graph = {
        keys,
        relations: keys.map((key) => ({ key, kind: 'model', schema: 's', name: key }) as RelationNode),
        edges,
        consumerCount,
        columnEdgesIn: keys.map(() => 0),
        columnEdgesOut: keys.map(() => 0),
      };
      const store = { relationGraph: async () => graph } as unknown as LineageStore;
      const out = keys.map((): number[] => []);
      for (const [a, b] of edges) out[a].push(b);
      const mark = new Int32Array(n).fill(-1);
      const expected = keys.map((_, s) => {
        let seen = 0;
        const stack = [s];
        mark[s] = s;
        while (stack.length > 0)
          for (const v of out[stack.pop()!])
            if (mark[v] !== s) {
              mark[v] = s;
              seen++;
              stack.push(v);
            }
        return Math.min(seen, REACH_CAP) + consumerCount[s];
      });
      const r = await complexity(store, { scope: 'MODEL' });
      const reach = new Map(
        r.items.map((i) => [i.key, i.breakdown.find((b) => b.component === 'downstreamReach')!.raw]),
      );
      expect(keys.map((k) => reach.get(k))).toEqual(expected);
      expect(expected.filter((x) => x >= REACH_CAP).length, `seed ${seed}: some capped`).toBeGreaterThan(100);
      expect(expected.filter((x) => x < REACH_CAP).length, `seed ${seed}: some not`).toBeGreaterThan(100);
    }
  });
  it('aggregates per schema', async () => {
    const r = await complexity(g.store, { scope: 'SCHEMA' });
    expect(r.items.map((i) => i.key).sort()).toEqual(['main', 'raw']);
    expect(r.items.find((i) => i.key === 'raw')!.relations).toBe(6);
  });
});

describe('alertRoutes', () => {
  it('routes a problem on orders to the exposure owners with severities and counts', async () => {
    const r = await alertRoutes(g.store, { ref: ORDERS, depth: 10 }, g.ctx);
    const ana = r.routes.find((x) => x.owner === 'ana.lopez@jaffle.example')!;
    expect(ana.severity).toBe('CRITICAL');
    expect(ana.assets.map((a) => a.key)).toEqual([CUSTOMER_360]);
    const sam = r.routes.find((x) => x.owner === 'sam.okafor@jaffle.example')!;
    expect(sam.assets.map((a) => a.key)).toEqual([REVENUE_FORECAST]);
    expect(sam.severity).toBe(severityOf(1, 0, false));
    expect(r.routes[0].severity).toBe('CRITICAL');
    expect(r.counts.routes).toBe(r.routes.length);
    const unowned = r.routes.find((x) => x.owner === '(unowned)')!;
    expect(unowned.assets.map((a) => a.key)).toEqual(expect.arrayContaining([ORDERS, CUSTOMERS]));
  });
});

describe('lineageGraph', () => {
  it('draws one hop both ways around orders at relation level', async () => {
    const r = await lineageGraph(g.store, { ref: ORDERS, direction: 'BOTH', depth: 1, limit: 500 }, g.ctx);
    expect(r.level).toBe('relation');
    const byKey = new Map(r.nodes.map((n) => [n.key, n.distance]));
    expect(byKey.get(ORDERS)).toBe(0);
    expect(byKey.get(STG_ORDERS)).toBe(-1);
    expect(byKey.get(CUSTOMERS)).toBe(1);
    expect(byKey.get(REVENUE_FORECAST)).toBe(1);
    expect(r.edges).toContainEqual(
      expect.objectContaining({ from: STG_ORDERS, to: ORDERS, kind: 'RELATION' }),
    );
    for (const e of r.edges) {
      expect(byKey.has(e.from)).toBe(true);
      expect(byKey.has(e.to)).toBe(true);
    }
  });
  it('draws a column at column level', async () => {
    const r = await lineageGraph(g.store, { ref: COL, direction: 'DOWNSTREAM', depth: 2, limit: 500 }, g.ctx);
    expect(r.level).toBe('column');
    expect(r.edges).toContainEqual(
      expect.objectContaining({ from: COL, to: `${ORDERS}.order_total`, kind: 'IDENTITY' }),
    );
  });
});
