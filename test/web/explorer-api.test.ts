// The explorer's GraphQL fields on the real demo graph (app.inject), and the grouping rule on its own.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { openEmbeddedSqlTextStore } from '../../graph/sql-text/embedded.ts';
import { loadConfig } from '../../src/config.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { chooseDrawn } from '../../src/analysis/neighbourhood.ts';
import {
  COL,
  CUSTOMER_360,
  DEMO_TARGET,
  CUSTOMERS,
  NOW,
  ORDERS,
  STG_ORDERS,
  openDemoGraph,
  type DemoGraph,
} from '../helpers/demo-graph.ts';

let g: DemoGraph;
let app: FastifyInstance;

beforeAll(async () => {
  g = await openDemoGraph();
  app = await buildApp({ store: g.store, config: g.config, now: () => NOW });
});
afterAll(async () => {
  await app?.close();
  await g?.close();
});

/** A loosely typed GraphQL answer: the tests read fields by name and compare them with toEqual. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/graphql', payload: { query, variables } });
  return res.json() as { data: Record<string, Json>; errors?: { message: string }[] };
}

describe('compiled SQL on asset pages', () => {
  const Q = `query A($ref: String!) { asset(ref: $ref) { key sql { kind relationKey text lines originId } } }`;

  it("gives a model's compiled SQL (dbt compiled_code) with its origin, a column its relation's, a source none", async () => {
    const model = (await gql(Q, { ref: STG_ORDERS })).data.asset;
    expect(model.sql.kind).toBe('compiled');
    expect(model.sql.originId).toBe('dbt:jaffle_shop');
    // the manifest's compiled_code, refs resolved to warehouse names
    expect(model.sql.text).toContain('select * from "jaffle_shop"."raw"."raw_orders"');
    expect(model.sql.lines).toBe(model.sql.text.split('\n').length);
    expect(model.sql.relationKey).toBe(STG_ORDERS);
    // a column's page shows the SQL that computes it: its relation's
    expect((await gql(Q, { ref: COL })).data.asset.sql).toEqual(model.sql);
    expect((await gql(Q, { ref: 'jaffle_shop.raw.raw_orders' })).data.asset.sql).toBeNull();
  });
});

describe('raw SQL when the manifest was not compiled', () => {
  it('keeps dbt raw_code as the fallback, labelled raw; a compiled re-ingest replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-raw-sql-'));
    const target = join(dir, 'target');
    cpSync(DEMO_TARGET, target, { recursive: true });
    const file = join(target, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const n of Object.values(manifest.nodes) as Record<string, unknown>[]) delete n.compiled_code; // a `dbt parse` manifest
    writeFileSync(file, JSON.stringify(manifest));
    const dataDir = join(dir, 'data');
    const store = await openEmbeddedStore({ dataDir });
    const sqlText = openEmbeddedSqlTextStore({ dataDir });
    const raw = await buildApp({
      store,
      config: loadConfig({ LINEAGE_DATA_DIR: dataDir }),
      sqlText,
      now: () => NOW,
    });
    const Q = `{ asset(ref: "${STG_ORDERS}") { sql { kind relationKey text } } }`;
    const ask = async () =>
      (await raw.inject({ method: 'POST', url: '/graphql', payload: { query: Q } })).json();
    try {
      await ingestDbt(store, target, { now: NOW.toISOString(), sqlText, analyzeSql: null });
      const sql = (await ask()).data.asset.sql;
      expect(sql.kind).toBe('raw');
      expect(sql.text).toContain("select * from {{ source('ecom', 'raw_orders') }}");
      await ingestDbt(store, DEMO_TARGET, { now: NOW.toISOString(), sqlText, analyzeSql: null });
      const compiled = (await ask()).data.asset.sql;
      expect(compiled.kind).toBe('compiled');
      expect(compiled.text).toContain('select * from "jaffle_shop"."raw"."raw_orders"');
    } finally {
      await raw.close();
      await sqlText.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('neighbourhood', () => {
  const Q = `query N($ref: String!, $u: Int, $d: Int, $limit: Int, $groups: [String!], $down: [String!]) {
    neighbourhood(ref: $ref, upstreamDepth: $u, downstreamDepth: $d, levelLimit: $limit, expandGroups: $groups, expandDownstream: $down) {
      root focus nodes { key distance columnCount columns { key } hiddenUpstream hiddenDownstream }
      groups { id count direction distance schema kind sample } edges { from to kind } columnEdges { from to kind }
      partial partialReasons
    }
  }`;

  it('draws a column ref as its relation with the column in focus, columns inside, column edges between', async () => {
    const r = (await gql(Q, { ref: COL, u: 1, d: 1 })).data.neighbourhood;
    expect(r.root).toBe(STG_ORDERS);
    expect(r.focus).toBe(COL);
    const keys = r.nodes.map((n: Json) => n.key);
    expect(keys).toContain(ORDERS);
    expect(r.nodes.find((n: Json) => n.key === STG_ORDERS).distance).toBe(0);
    expect(r.nodes.find((n: Json) => n.key === ORDERS).distance).toBe(1);
    expect(r.nodes.find((n: Json) => n.key === STG_ORDERS).columns.map((c: Json) => c.key)).toContain(COL);
    expect(r.columnEdges).toContainEqual({ from: COL, to: `${ORDERS}.order_total`, kind: 'IDENTITY' });
    expect(r.edges).toContainEqual({ from: STG_ORDERS, to: ORDERS, kind: 'RELATION' });
    // customers is two levels down: hidden behind orders, not drawn
    expect(keys).not.toContain(CUSTOMERS);
    expect(r.nodes.find((n: Json) => n.key === ORDERS).hiddenDownstream).toBeGreaterThan(0);
  });

  it('opens one node one level further without raising the depth', async () => {
    const r = (await gql(Q, { ref: COL, u: 1, d: 1, down: [ORDERS] })).data.neighbourhood;
    const customers = r.nodes.find((n: Json) => n.key === CUSTOMERS);
    expect(customers?.distance).toBe(2);
  });

  it('groups a level beyond the limit by schema and kind, and draws an opened group', async () => {
    const r = (await gql(Q, { ref: ORDERS, u: 0, d: 1, limit: 1 })).data.neighbourhood;
    expect(r.nodes.filter((n: Json) => n.distance === 1)).toHaveLength(1);
    expect(r.groups.length).toBeGreaterThan(0);
    const total = r.groups.reduce((s: number, x: Json) => s + x.count, 0);
    const all = (await gql(Q, { ref: ORDERS, u: 0, d: 1, limit: 200 })).data.neighbourhood;
    expect(all.groups).toEqual([]);
    expect(total + 1).toBe(all.nodes.filter((n: Json) => n.distance === 1).length);
    for (const grp of r.groups) expect(r.edges).toContainEqual({ from: ORDERS, to: grp.id, kind: 'GROUP' });
    const opened = (await gql(Q, { ref: ORDERS, u: 0, d: 1, limit: 1, groups: [r.groups[0].id] })).data
      .neighbourhood;
    for (const k of r.groups[0].sample) expect(opened.nodes.map((n: Json) => n.key)).toContain(k);
  });

  it('refuses depths beyond the configured maximum', async () => {
    const res = await gql(Q, { ref: COL, u: 999, d: 1 });
    expect(res.errors?.[0].message).toMatch(/upstreamDepth 999/);
  });
});

describe('chooseDrawn', () => {
  const groups = new Map([
    ['a', ['a1', 'a2', 'a3']],
    ['b', ['b1', 'b2']],
  ]);
  it('draws everything that fits', () => {
    expect(chooseDrawn(groups, 5, new Set()).draw).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });
  it('fills up to the limit in key order and groups the rest', () => {
    const r = chooseDrawn(groups, 2, new Set());
    expect(r.draw).toEqual(['a1', 'a2']);
    expect([...r.rest]).toEqual([
      ['a', ['a3']],
      ['b', ['b1', 'b2']],
    ]);
  });
  it('draws an opened group first', () => {
    const r = chooseDrawn(groups, 2, new Set(['b']));
    expect(r.draw).toEqual(['b1', 'b2']);
    expect([...r.rest]).toEqual([['a', ['a1', 'a2', 'a3']]]);
  });
});

describe('impactPicture, fuzzySearch, asset extras', () => {
  it('draws the blast radius with a status per box and the touched columns', async () => {
    const r = (
      await gql(`{ impactPicture(ref: "${COL}", change: DROP) {
        nodes { key status severity columns { key status } } edges { from to kind } omitted } }`)
    ).data.impactPicture;
    const status = Object.fromEntries(r.nodes.map((n: Json) => [n.key, n.status]));
    expect(status[STG_ORDERS]).toBe('TARGET');
    expect(status[ORDERS]).toBe('BREAKS');
    expect(status[CUSTOMERS]).toBe('STALE');
    expect(r.nodes[0].columns).toContainEqual({ key: COL, status: 'TARGET' });
    expect(r.nodes.find((n: Json) => n.key === ORDERS).columns).toContainEqual({
      key: `${ORDERS}.order_total`,
      status: 'BREAKS',
    });
    expect(r.edges).toContainEqual({ from: STG_ORDERS, to: ORDERS, kind: 'RELATION' });
    expect(r.omitted).toBe(0);
  });

  it('finds assets from words typed loosely', async () => {
    const hits = (await gql(`{ fuzzySearch(text: "stgord total") { key type } }`)).data.fuzzySearch;
    expect(hits[0]).toEqual({ key: COL, type: 'COLUMN' });
    const none = (await gql(`{ fuzzySearch(text: "zzzqqq") { key } }`)).data.fuzzySearch;
    expect(none).toEqual([]);
  });

  it('finds owners by loose words over name, email or team, with what they own', async () => {
    const q = (text: string) =>
      gql(`{ ownerSearch(text: "${text}") { id name email assetCount assets { key type displayName } } }`);
    const byName = (await q('ana lop')).data.ownerSearch;
    expect(byName).toEqual([
      {
        id: 'ana.lopez@jaffle.example',
        name: 'Ana Lopez',
        email: 'ana.lopez@jaffle.example',
        assetCount: 1,
        assets: [{ key: CUSTOMER_360, type: 'CONSUMER', displayName: 'Customer 360' }],
      },
    ]);
    const byEmail = (await q('sam.okafor@jaffle')).data.ownerSearch;
    expect(byEmail.map((o: Json) => o.id)).toEqual(['sam.okafor@jaffle.example']);
    // both are @jaffle.example: the shared word finds them both
    expect((await q('jaffle.example')).data.ownerSearch).toHaveLength(2);
    expect((await q('zzzqqq')).data.ownerSearch).toEqual([]);
    const tooMany = await gql(`{ ownerSearch(text: "a", first: 100000) { id } }`);
    expect((tooMany.errors as Json)[0].extensions.code).toBe('API_LIMIT_EXCEEDED');
  });

  it('gives an asset its tests with their last status and its reads per day', async () => {
    const r = (
      await gql(
        `{ asset(ref: "${ORDERS}") { checks { id name status } readsPerDay(days: 7) { day reads } } }`,
      )
    ).data.asset;
    expect(r.checks.length).toBeGreaterThan(0);
    expect(r.checks.every((c: Json) => ['passed', 'warned', 'failed', null].includes(c.status))).toBe(true);
    expect(r.checks.some((c: Json) => c.status === 'passed')).toBe(true);
    expect(r.readsPerDay).toHaveLength(7);
    expect(r.readsPerDay[6].day).toBe('2026-11-15');
  });
});
