// Column lineage through the real SQL engine: the demo's hand-checked edges, ephemeral models, incremental
// self references, snapshot meta columns, seeds from a CSV header, parse-only and unparseable models,
// documented-but-missing columns.
import { describe, expect, it } from 'vitest';
import { parseDbtTarget } from '../../parsers/dbt/index.ts';
import { catalogOf, miniManifest, writeTarget } from '../helpers/mini-project.ts';

const edgesOf = (r: Awaited<ReturnType<typeof parseDbtTarget>>) =>
  new Set(r.batch.columnEdges.map((e) => `${e.from} -> ${e.to} ${e.kind}`));

describe('demo (jaffle_shop v12, duckdb) column lineage', async () => {
  const r = await parseDbtTarget('fixtures/demo/target', {});
  const edges = edgesOf(r);
  it('follows renames, casts, stars and aggregations as read by hand from the compiled SQL', () => {
    for (const e of [
      // stg_customers: `name as customer_name` from raw_customers (a seed loaded into raw)
      'jaffle_shop.raw.raw_customers.name -> jaffle_shop.main.stg_customers.customer_name IDENTITY',
      // customers: `customers.*` from stg_customers
      'jaffle_shop.main.stg_customers.customer_name -> jaffle_shop.main.customers.customer_name IDENTITY',
      // stg_orders: `(order_total / 100)::numeric(16, 2) as order_total`
      'jaffle_shop.raw.raw_orders.order_total -> jaffle_shop.main.stg_orders.order_total TRANSFORMATION',
      // customers: `sum(orders.order_total) as lifetime_spend`
      'jaffle_shop.main.orders.order_total -> jaffle_shop.main.customers.lifetime_spend AGGREGATION',
      // customers: the left join on customer_id is an indirect dependency of every output column
      'jaffle_shop.main.stg_customers.customer_id -> jaffle_shop.main.customers.customer_name JOIN',
    ])
      expect(edges).toContain(e);
  });
  it('every model has column lineage and a SQL shape; relation edges are EXACT', () => {
    expect(r.lineage).toMatchObject({ compiled: 13, withColumnLineage: 13, failed: 0 });
    const models = r.batch.relations.filter((x) => x.kind === 'model');
    expect(models.every((m) => m.sqlShape !== undefined)).toBe(true);
    expect(r.batch.relationEdges.find((e) => e.to === 'jaffle_shop.main.customers')?.confidence).toBe(
      'EXACT',
    );
  });
  it('exposures become consumers with owners and url', () => {
    const dash = r.batch.consumers.find((c) => c.key === 'exposure:exposure.jaffle_shop.customer_360');
    expect(dash).toMatchObject({
      kind: 'dashboard',
      name: 'Customer 360',
      url: 'https://bi.jaffle.example/dashboards/customer-360',
      owners: [{ id: 'ana.lopez@jaffle.example', name: 'Ana Lopez', email: 'ana.lopez@jaffle.example' }],
    });
    expect(r.batch.consumerEdges.filter((e) => e.to === dash?.key).map((e) => e.from)).toEqual([
      'jaffle_shop.main.customers',
    ]);
  });
});

describe('dbt specifics', () => {
  it('maps an ephemeral model referenced as __dbt__cte__<name> to the ephemeral relation', async () => {
    const target = writeTarget(
      miniManifest(
        [
          {
            id: 'eph',
            materialized: 'ephemeral',
            sql: 'select id, amount from "db"."raw"."payments"',
            deps: ['source.mini.raw.payments'],
          },
          {
            id: 'fct',
            sql: 'select id, amount * 2 as doubled from __dbt__cte__eph',
            deps: ['model.mini.eph'],
          },
        ],
        [{ id: 'payments' }],
      ),
      catalogOf({
        'source.mini.raw.payments': {
          schema: 'raw',
          columns: [
            ['id', 'INTEGER'],
            ['amount', 'DECIMAL'],
          ],
        },
      }),
    );
    const r = await parseDbtTarget(target, {});
    const edges = edgesOf(r);
    expect(edges).toContain('db.main.eph.amount -> db.main.fct.doubled TRANSFORMATION');
    expect(edges).toContain('db.raw.payments.amount -> db.main.eph.amount IDENTITY');
    expect(r.batch.relations.map((x) => x.key).filter((k) => k.includes('__dbt__cte__'))).toEqual([]);
  });

  it('keeps an ephemeral model inlined the way dbt compiles it (`with __dbt__cte__x as (...)`) as a node with its own edges out', async () => {
    // base (ephemeral) <- mid (ephemeral, reads base) <- fct (reads mid, with a CTE of its own)
    const baseSql = 'select id, amount from "db"."raw"."payments"';
    const midSql = 'select id, amount - 1 as net from __dbt__cte__base';
    const target = writeTarget(
      miniManifest(
        [
          { id: 'base', materialized: 'ephemeral', sql: baseSql, deps: ['source.mini.raw.payments'] },
          {
            id: 'mid',
            materialized: 'ephemeral',
            sql: `with  __dbt__cte__base as (\n${baseSql}\n) ${midSql}`,
            deps: ['model.mini.base'],
          },
          {
            id: 'fct',
            sql: `with  __dbt__cte__base as (\n${baseSql}\n),  __dbt__cte__mid as (\n-- a comment with )\nwith x as (select ')' as p) ${midSql}\n), own as (select id, net * 2 as doubled from __dbt__cte__mid where id > 0) select * from own`,
            deps: ['model.mini.mid'],
          },
        ],
        [{ id: 'payments' }],
      ),
      catalogOf({
        'source.mini.raw.payments': {
          schema: 'raw',
          columns: [
            ['id', 'INTEGER'],
            ['amount', 'DECIMAL'],
          ],
        },
      }),
    );
    const r = await parseDbtTarget(target, {});
    const edges = edgesOf(r);
    expect(edges).toContain('db.raw.payments.amount -> db.main.base.amount IDENTITY');
    expect(edges).toContain('db.main.base.amount -> db.main.mid.net TRANSFORMATION');
    expect(edges).toContain('db.main.mid.net -> db.main.fct.doubled TRANSFORMATION');
    expect(edges).toContain('db.main.mid.id -> db.main.fct.doubled FILTER');
    // nothing resolves through the inlined CTEs to the ephemeral's inputs
    const intoFct = [...edges].filter((e) => e.includes('-> db.main.fct.'));
    expect(intoFct.every((e) => e.startsWith('db.main.mid.'))).toBe(true);
    expect(
      [...edges].filter((e) => e.includes('-> db.main.mid.')).every((e) => e.startsWith('db.main.base.')),
    ).toBe(true);
    expect(r.batch.diagnostics).toEqual([]);
  });

  it('ignores an incremental model reading itself ({{ this }}) as lineage', async () => {
    const target = writeTarget(
      miniManifest(
        [
          {
            id: 'events',
            materialized: 'incremental',
            sql: 'select id, ts from "db"."raw"."ev" where ts > (select max(ts) from "db"."main"."events")',
            deps: ['source.mini.raw.ev'],
          },
        ],
        [{ id: 'ev' }],
      ),
      catalogOf({
        'source.mini.raw.ev': {
          schema: 'raw',
          columns: [
            ['id', 'INTEGER'],
            ['ts', 'TIMESTAMP'],
          ],
        },
        'model.mini.events': {
          columns: [
            ['id', 'INTEGER'],
            ['ts', 'TIMESTAMP'],
          ],
        },
      }),
    );
    const r = await parseDbtTarget(target, {});
    expect(r.batch.columnEdges.some((e) => e.from.startsWith('db.main.events.'))).toBe(false);
    expect(edgesOf(r)).toContain('db.raw.ev.ts -> db.main.events.ts IDENTITY');
    expect(r.batch.relations.filter((x) => x.kind === 'external')).toEqual([]);
  });

  it('does not take a parent reading * of unknown columns as knowing all its columns', async () => {
    const target = writeTarget(
      miniManifest(
        [
          { id: 'wide', sql: 'select *, 1 as one from "db"."raw"."ev"', deps: ['source.mini.raw.ev'] },
          { id: 'narrow', sql: 'select id from "db"."main"."wide"', deps: ['model.mini.wide'] },
        ],
        [{ id: 'ev' }],
      ),
    );
    const r = await parseDbtTarget(target, {});
    expect(edgesOf(r)).toContain('db.main.wide.id -> db.main.narrow.id IDENTITY');
  });

  it('adds snapshot meta columns fed by the unique key and updated_at', async () => {
    const target = writeTarget(
      miniManifest(
        [
          {
            id: 'snap',
            type: 'snapshot',
            materialized: 'snapshot',
            sql: 'select id, status, updated_at from "db"."raw"."orders"',
            deps: ['source.mini.raw.orders'],
            config: { unique_key: 'id', updated_at: 'updated_at', strategy: 'timestamp' },
          },
        ],
        [{ id: 'orders' }],
      ),
      catalogOf({
        'source.mini.raw.orders': {
          schema: 'raw',
          columns: [
            ['id', 'INTEGER'],
            ['status', 'VARCHAR'],
            ['updated_at', 'TIMESTAMP'],
          ],
        },
      }),
    );
    const r = await parseDbtTarget(target, {});
    const cols = r.batch.columns.filter((c) => c.relationKey === 'db.main.snap').map((c) => c.name);
    expect(cols).toEqual(
      expect.arrayContaining(['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to']),
    );
    expect(edgesOf(r)).toContain('db.raw.orders.updated_at -> db.main.snap.dbt_valid_from TRANSFORMATION');
    expect(edgesOf(r)).toContain('db.raw.orders.id -> db.main.snap.dbt_scd_id TRANSFORMATION');
  });

  it('reads seed columns from the CSV header when there is no catalog, and uses them to expand *', async () => {
    const target = writeTarget(
      miniManifest([
        { id: 'countries', type: 'seed', schema: 'main' },
        { id: 'dim_country', sql: 'select * from "db"."main"."countries"', deps: ['seed.mini.countries'] },
      ]),
      undefined,
      { 'seeds/countries.csv': 'code,"Country Name",population\nFR,France,68\n' },
    );
    const r = await parseDbtTarget(target, {});
    const seedCols = r.batch.columns
      .filter((c) => c.relationKey === 'db.main.countries')
      .sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0))
      .map((c) => c.displayName);
    expect(seedCols).toEqual(['code', 'Country Name', 'population']);
    expect(edgesOf(r)).toContain('db.main.countries.population -> db.main.dim_country.population IDENTITY');
  });

  it('keeps table-level edges with a diagnostic for parse-only and unparseable models', async () => {
    const target = writeTarget(
      miniManifest(
        [
          { id: 'a', sql: null, deps: ['source.mini.raw.t'] },
          { id: 'b', sql: 'this is not sql at all ((', deps: ['model.mini.a'] },
        ],
        [{ id: 't' }],
      ),
    );
    const r = await parseDbtTarget(target, {});
    expect(r.batch.relationEdges.map((e) => `${e.from} -> ${e.to} ${e.confidence}`)).toEqual(
      expect.arrayContaining(['db.raw.t -> db.main.a TABLE_LEVEL', 'db.main.a -> db.main.b TABLE_LEVEL']),
    );
    const codes = r.batch.diagnostics.map((d) => `${d.code} ${d.where?.uniqueId ?? ''}`);
    expect(codes).toContain('DBT_NOT_COMPILED model.mini.a');
    expect(codes).toContain('DBT_SQL_UNPARSED model.mini.b');
  });

  it('flags documented columns missing from the catalog and keeps undocumented catalog columns', async () => {
    const target = writeTarget(
      miniManifest([
        {
          id: 'm',
          sql: 'select 1 as a, 2 as b',
          columns: { a: { description: 'A' }, gone: { description: 'old' } },
        },
      ]),
      catalogOf({
        'model.mini.m': {
          columns: [
            ['a', 'INTEGER'],
            ['b', 'INTEGER'],
          ],
        },
      }),
    );
    const r = await parseDbtTarget(target, {});
    const cols = Object.fromEntries(r.batch.columns.map((c) => [c.name, c]));
    expect(cols.gone.missingFromCatalog).toBe(true);
    expect(cols.a).toMatchObject({ description: 'A', dataType: 'INTEGER' });
    expect(cols.a.missingFromCatalog).toBeUndefined();
    expect(cols.b).toMatchObject({ dataType: 'INTEGER' });
    expect(r.batch.fingerprints[0].columns).toEqual([
      { name: 'a', dataType: 'INTEGER' },
      { name: 'b', dataType: 'INTEGER' },
    ]);
  });
});
