// Impact on the real demo graph: VALUES reaching exposures of direct children, RETYPE type-sensitive vs
// pass-through uses, dbt tests as certain breaks, the per-relation summary of indirect effects; and the
// POSSIBLE certainty of a table-level dependency on a small real dbt build.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { canDrop } from '../../src/analysis/can-drop.ts';
import { impact } from '../../src/analysis/impact.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { catalogOf, miniManifest, writeTarget } from '../helpers/mini-project.ts';
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
  g = await openDemoGraph({ usage: true });
});
afterAll(async () => {
  await g?.close();
});

const run = (ref: string, change: 'DROP' | 'RENAME' | 'RETYPE' | 'VALUES', extra = {}) =>
  impact(g.store, { ref, change, mode: 'CONSERVATIVE', depth: 10, ...extra }, g.ctx);

describe('impact: VALUES', () => {
  it('reaches the exposures of the changed column’s direct children, as DROP does', async () => {
    const values = await run(COL, 'VALUES', { mode: 'STRICT' });
    const drop = await run(COL, 'DROP');
    expect(values.breaks).toEqual([]);
    const forecast = values.exposures.find((e) => e.key === REVENUE_FORECAST);
    expect(forecast).toMatchObject({ via: ORDERS, distance: 2 });
    expect(drop.exposures.find((e) => e.key === REVENUE_FORECAST)).toMatchObject({ via: ORDERS });
    expect(values.exposures.map((e) => e.key)).toContain(CUSTOMER_360);
    expect(values.summary.exposures).toBe(drop.summary.exposures);
  });
});

describe('impact: RETYPE', () => {
  it('a pass-through child (select *) is not a break; a type-sensitive use downstream (sum) possibly breaks', async () => {
    const r = await run(COL, 'RETYPE');
    expect(r.passThrough.map((p) => [p.key, p.reason, p.distance])).toEqual([[ORDERS, 'PASS_THROUGH', 1]]);
    expect(r.breaks.map((b) => [b.key, b.certainty, b.reason, b.distance])).toEqual([
      [CUSTOMERS, 'POSSIBLE', 'TYPE_SENSITIVE', 2],
    ]);
    // the new type travels orders.order_total (IDENTITY) into sum(orders.order_total)
    expect(r.breaks[0].via).toEqual([
      { from: `${ORDERS}.order_total`, to: `${CUSTOMERS}.lifetime_spend`, kind: 'AGGREGATION' },
    ]);
    expect(r.breaks[0].path.map((s) => s.kind)).toEqual(['IDENTITY', 'AGGREGATION']);
    expect(r.summary).toMatchObject({ breaks: 1, certainBreaks: 0, passThrough: 1 });
  });
  it('STRICT counts only value-bearing uses: a column used only in a JOIN does not break on retype', async () => {
    const strict = await run(`${STG_ORDERS}.order_id`, 'RETYPE', { mode: 'STRICT' });
    const cons = await run(`${STG_ORDERS}.order_id`, 'RETYPE');
    expect(strict.breaks.map((b) => b.key)).not.toContain('jaffle_shop.main.order_items');
    expect(cons.breaks.find((b) => b.key === 'jaffle_shop.main.order_items')?.via[0].kind).toBe('JOIN');
  });
});

describe('impact: dbt tests', () => {
  it('names the tests on a dropped or renamed column: they cannot compile', async () => {
    for (const change of ['DROP', 'RENAME'] as const) {
      const r = await run(`${STG_ORDERS}.order_id`, change);
      expect(r.tests.map((t) => [t.name, t.testType])).toEqual([
        ['not_null_stg_orders_order_id', 'not_null'],
        ['unique_stg_orders_order_id', 'unique'],
      ]);
      expect(r.summary.tests).toBe(2);
    }
    expect((await run(`${STG_ORDERS}.order_id`, 'RETYPE')).tests).toEqual([]);
    expect((await run(COL, 'DROP')).tests).toEqual([]);
  });
  it('dropping a relation names every test on it and its columns', async () => {
    const r = await run(STG_ORDERS, 'DROP');
    expect(r.tests.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'not_null_stg_orders_order_id',
        'unique_stg_orders_order_id',
        'dbt_utils_expression_is_true_stg_orders_order_total_tax_paid_subtotal',
      ]),
    );
  });
});

describe('impact: CONSERVATIVE indirect effects', () => {
  it('are summarised per relation with the predicate columns; the columns are listed only on request', async () => {
    // customers uses orders.customer_id only in its JOIN condition and its positional `group by 1`
    const ref = `${ORDERS}.customer_id`;
    const r = await run(ref, 'DROP');
    expect(r.values).toEqual([]);
    expect(r.indirect.map((i) => ({ key: i.key, kinds: i.kinds, predicates: i.predicates }))).toEqual([
      { key: CUSTOMERS, kinds: ['JOIN', 'GROUP_BY'], predicates: [ref] },
    ]);
    expect(r.indirect[0].columns).toBe(r.summary.indirectColumns);
    const listed = await run(ref, 'DROP', { indirectColumns: true });
    expect(listed.values.length).toBe(r.summary.indirectColumns);
    expect(listed.values.every((v) => !v.strict && v.relationKey === CUSTOMERS)).toBe(true);
    const strict = await run(ref, 'DROP', { mode: 'STRICT' });
    expect(strict.indirect).toEqual([]);
    expect(strict.summary.indirectColumns).toBe(0);
  });
});

describe('impact: table-level dependencies', () => {
  // m2's SQL does not parse: its dependency on m1 is table level (columns unresolved).
  const target = writeTarget(
    miniManifest([
      { id: 'm1', sql: 'select 1 as a, 2 as b' },
      { id: 'm2', sql: 'select a from (((', deps: ['model.mini.m1'] },
      { id: 'm3', sql: 'select b from "db"."main"."m1"', deps: ['model.mini.m1'] },
    ]),
    catalogOf({
      'model.mini.m1': {
        columns: [
          ['a', 'INTEGER'],
          ['b', 'INTEGER'],
        ],
      },
      'model.mini.m3': { columns: [['b', 'INTEGER']] },
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'impact-tl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a reader whose columns were not resolved possibly breaks (CONSERVATIVE only): canDrop says REVIEW', async () => {
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      await ingestDbt(store, target, {});
      const ctx = { ...g.ctx, usageSinceDay: '1970-01-01' };
      const cons = await impact(
        store,
        { ref: 'db.main.m1.a', change: 'DROP', mode: 'CONSERVATIVE', depth: 5 },
        ctx,
      );
      expect(cons.breaks.map((b) => [b.key, b.certainty, b.reason])).toEqual([
        ['db.main.m2', 'POSSIBLE', 'TABLE_LEVEL'],
      ]);
      expect(cons.summary.certainBreaks).toBe(0);
      const strict = await impact(
        store,
        { ref: 'db.main.m1.a', change: 'DROP', mode: 'STRICT', depth: 5 },
        ctx,
      );
      expect(strict.breaks).toEqual([]);
      const verdict = await canDrop(store, 'db.main.m1.a', ctx);
      expect(verdict.verdict).toBe('REVIEW');
      expect(verdict.reasons.map((r) => r.code)).toEqual(['POSSIBLE_REFERENCE']);
      // b is read by m3's resolved SQL: a certain break, whatever m2 does
      const b = await impact(
        store,
        { ref: 'db.main.m1.b', change: 'DROP', mode: 'CONSERVATIVE', depth: 5 },
        ctx,
      );
      expect(b.breaks.map((x) => [x.key, x.certainty])).toEqual([
        ['db.main.m2', 'POSSIBLE'],
        ['db.main.m3', 'CERTAIN'],
      ]);
    } finally {
      await store.close();
    }
  });
});
