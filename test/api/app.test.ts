/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are checked field by field */
// Every query and error path of the API through app.inject, on the real demo graph (embedded store).
import type { FastifyInstance } from 'fastify';
import { getIntrospectionQuery } from 'graphql';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { Config } from '../../src/config.ts';
import {
  COL,
  CUSTOMER_360,
  CUSTOMERS,
  DEMO_TARGET,
  NOW,
  ORDERS,
  STG_ORDERS,
  openDemoGraph,
  type DemoGraph,
} from '../helpers/demo-graph.ts';

let g: DemoGraph;
let app: FastifyInstance;

beforeAll(async () => {
  g = await openDemoGraph({ usage: true, changes: true, env: { LINEAGE_SERVICE_USERS: 'svc_dbt' } });
  app = await buildApp({ store: g.store, config: g.config, now: () => NOW });
});
afterAll(async () => {
  await app?.close();
  await g?.close();
});

async function gql(
  query: string,
  variables?: Record<string, unknown>,
  opts: { app?: FastifyInstance; token?: string } = {},
) {
  const res = await (opts.app ?? app).inject({
    method: 'POST',
    url: '/graphql',
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    payload: { query, variables },
  });
  const body = res.json() as {
    data: Record<string, any> | null;
    errors?: { message: string; extensions: { code: string } }[];
  };
  return {
    status: res.statusCode,
    body,
    data: body.data as Record<string, any>,
    codes: (body.errors ?? []).map((e) => e.extensions.code),
  };
}

function noLeaks(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d+|\n\s+at /);
}

describe('queries', () => {
  it('asset: a relation with columns, neighbours and usage', async () => {
    const r = await gql(
      `query($ref: String!) { asset(ref: $ref) {
      key type kind schema uniqueId owners { id } columns(first: 3) { key name dataType }
      upstream { key kind } downstream { key kind asset { key type } } usage(since: "30d") { reads distinctReaders lastReader }
    } }`,
      { ref: 'model.jaffle_shop.customers' },
    );
    expect(r.codes).toEqual([]);
    const a = r.data.asset;
    expect(a.key).toBe(CUSTOMERS);
    expect(a.type).toBe('RELATION');
    expect(a.kind).toBe('model');
    expect(a.columns).toHaveLength(3);
    expect(a.upstream.map((n: { key: string }) => n.key)).toContain('jaffle_shop.main.orders');
    expect(a.downstream).toContainEqual({
      key: CUSTOMER_360,
      kind: 'CONSUMER',
      asset: { key: CUSTOMER_360, type: 'CONSUMER' },
    });
    expect(a.usage).toEqual({ reads: 3, distinctReaders: 2, lastReader: 'carol' });
  });

  it('asset: a column and a consumer', async () => {
    const c = await gql(
      `{ asset(ref: "${COL}") { key type kind dataType relationKey downstream { key kind } } }`,
    );
    expect(c.codes).toEqual([]);
    expect(c.data.asset).toMatchObject({ key: COL, type: 'COLUMN', kind: 'column', relationKey: STG_ORDERS });
    expect(c.data.asset.downstream).toContainEqual({ key: `${ORDERS}.order_total`, kind: 'IDENTITY' });
    const e = await gql(
      `{ asset(ref: "exposure.jaffle_shop.customer_360") { key type kind url owners { email } upstream { key } } }`,
    );
    expect(e.codes).toEqual([]);
    expect(e.data.asset).toMatchObject({ key: CUSTOMER_360, type: 'CONSUMER', kind: 'dashboard' });
    expect(e.data.asset.owners).toEqual([{ email: 'ana.lopez@jaffle.example' }]);
    expect(e.data.asset.upstream).toEqual([{ key: CUSTOMERS }]);
  });

  it('search', async () => {
    const r = await gql(`{ search(text: "lifetime_spend", types: [COLUMN], first: 5) { key type score } }`);
    expect(r.codes).toEqual([]);
    expect(r.data.search.length).toBeGreaterThan(0);
    expect(r.data.search.every((h: { type: string }) => h.type === 'COLUMN')).toBe(true);
    expect(r.data.search.map((h: { key: string }) => h.key)).toContain(`${CUSTOMERS}.lifetime_spend`);
  });

  it('impact with pagination, exposures, owners and summary', async () => {
    const q = `query($ref: String!, $after: String) { impact(ref: $ref, change: DROP, mode: CONSERVATIVE, depth: 10) {
      target { key type } summary { breaks stale values exposures semanticConsumers maxSeverity }
      breaks { totalCount edges { node { asset { key } certainty via { kind } importance { severity } } } }
      values(first: 1, after: $after) { totalCount edges { cursor node { key strict kinds path { from to kind } } } pageInfo { hasNextPage endCursor } }
      exposures { asset { key } via } owners { id count } partial
    } }`;
    const r = await gql(q, { ref: COL });
    expect(r.codes).toEqual([]);
    const i = r.data.impact;
    expect(i.target).toEqual({ key: COL, type: 'COLUMN' });
    expect(i.breaks.edges.map((e: any) => e.node.asset.key)).toEqual([ORDERS]);
    expect(i.values.edges).toHaveLength(1);
    expect(i.values.pageInfo.hasNextPage).toBe(true);
    expect(i.exposures[0].asset.key).toBe(CUSTOMER_360);
    // the two dbt exposures count as exposures; metrics and semantic models are listed but counted apart
    expect(i.summary.exposures).toBe(2);
    expect(i.summary.semanticConsumers).toBe(i.exposures.length - 2);
    expect(i.summary.semanticConsumers).toBeGreaterThan(0);
    const page2 = await gql(q, { ref: COL, after: i.values.pageInfo.endCursor });
    const second = page2.data.impact.values.edges[0].node.key;
    expect(second).not.toBe(i.values.edges[0].node.key);
    expect(page2.data.impact.values.totalCount).toBe(i.values.totalCount);
  });

  it('impact filter and STRICT mode', async () => {
    const r = await gql(
      `{ impact(ref: "${ORDERS}.customer_id", mode: STRICT, filter: { kinds: ["model"] }) { summary { breaks } } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.impact.summary.breaks).toBe(0);
  });

  it('canDrop', async () => {
    const r = await gql(
      `{ canDrop(ref: "${COL}") { key type verdict reasons { code verdict assets } usageSince } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.canDrop.verdict).toBe('BLOCK');
    expect(r.data.canDrop.reasons.map((x: any) => x.code)).toContain('REFERENCED_BY_MODEL');
  });

  it('rootCause', async () => {
    const r = await gql(
      `{ rootCause(ref: "${CUSTOMERS}", since: "2026-11-08") { since candidates(first: 2) { asset { key } distance score evidence { kind weight } } } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.rootCause.candidates).toHaveLength(2);
    expect(r.data.rootCause.candidates[0].asset.key).toBe(STG_ORDERS);
    expect(r.data.rootCause.candidates[0].evidence.map((e: any) => e.kind)).toEqual([
      'test_failed',
      'column_retyped',
    ]);
  });

  it('unusedTables and unusedColumns', async () => {
    const r = await gql(`{
      unusedTables(since: "30d") { totalCount hasUsageData edges { node { key kind lastReadAt } } }
      unusedColumns(since: "30d", first: 50, sort: NAME) { totalCount edges { node { key } } }
    }`);
    expect(r.codes).toEqual([]);
    expect(r.data.unusedTables.edges.map((e: any) => e.node.key)).toEqual([
      'jaffle_shop.main.metricflow_time_spine',
    ]);
    expect(r.data.unusedTables.hasUsageData).toBe(true);
    expect(r.data.unusedColumns.edges.map((e: any) => e.node.key)).toContain(
      'jaffle_shop.main.metricflow_time_spine.date_day',
    );
  });

  it('complexity per model and per schema', async () => {
    const r = await gql(`{
      m: complexity(scope: MODEL, first: 3, sortBy: depth) { totalCount edges { node { key score breakdown { component raw contribution } } } }
      s: complexity(scope: SCHEMA) { edges { node { key relations top score } } }
    }`);
    expect(r.codes).toEqual([]);
    expect(r.data.m.edges).toHaveLength(3);
    expect(r.data.m.totalCount).toBe(19);
    const depths = r.data.m.edges.map(
      (e: any) => e.node.breakdown.find((b: any) => b.component === 'depth').contribution,
    );
    expect([...depths].sort((a, b) => b - a)).toEqual(depths);
    expect(r.data.s.edges.map((e: any) => e.node.key).sort()).toEqual(['main', 'raw']);
  });

  it('alertRoutes', async () => {
    const r = await gql(
      `{ alertRoutes(ref: "${ORDERS}") { severity assetCount routes { owner severity assetCount assets { asset { key } } } } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.alertRoutes.severity).toBe('CRITICAL');
    const ana = r.data.alertRoutes.routes.find((x: any) => x.owner === 'ana.lopez@jaffle.example');
    expect(ana.assets.map((a: any) => a.asset.key)).toEqual([CUSTOMER_360]);
  });

  it('lineageGraph', async () => {
    const r = await gql(
      `{ lineageGraph(ref: "${ORDERS}", direction: UPSTREAM, depth: 2) { root level nodes { key type distance } edges { from to kind } } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.lineageGraph.nodes.find((n: any) => n.key === STG_ORDERS).distance).toBe(-1);
    expect(r.data.lineageGraph.nodes.find((n: any) => n.key === 'jaffle_shop.raw.raw_orders').distance).toBe(
      -2,
    );
  });

  it('stats', async () => {
    const r = await gql(
      `{ stats { store relations columns consumers columnEdges origins { id provenance } diagnostics { error warning info } } }`,
    );
    expect(r.codes).toEqual([]);
    expect(r.data.stats.store).toBe('embedded');
    expect(r.data.stats.relations).toBe(19);
    expect(r.data.stats.origins.map((o: any) => o.id)).toEqual(
      expect.arrayContaining(['dbt:jaffle_shop', 'query-log:demo']),
    );
  });

  it('introspection works under the depth limit (GraphiQL needs it)', async () => {
    const r = await gql(getIntrospectionQuery());
    expect(r.codes).toEqual([]);
    expect(r.data.__schema.queryType.name).toBe('Query');
  });
});

describe('errors and limits', () => {
  it('unknown and ambiguous refs', async () => {
    const nf = await gql(`{ impact(ref: "nothing_like_this") { depth } }`);
    expect(nf.codes).toEqual(['LINEAGE_NOT_FOUND']);
    expect(nf.status).toBe(404);
    const amb = await gql(`{ impact(ref: "order_id") { depth } }`);
    expect(amb.codes).toEqual(['LINEAGE_AMBIGUOUS_REF']);
    expect(amb.body.errors![0].message).toMatch(/matches \d+ assets/);
  });

  it('refuses a depth-10,000 traversal and oversized pages', async () => {
    const deep = await gql(`{ impact(ref: "${COL}", depth: 10000) { depth } }`);
    expect(deep.codes).toEqual(['API_LIMIT_EXCEEDED']);
    expect(deep.body.errors![0].message).toBe('argument depth exceeds the maximum traversal depth 50');
    const page = await gql(`{ impact(ref: "${COL}") { values(first: 100000) { totalCount } } }`);
    expect(page.codes).toEqual(['API_LIMIT_EXCEEDED']);
    const lg = await gql(`{ lineageGraph(ref: "${ORDERS}", depth: 51) { root } }`);
    expect(lg.codes).toEqual(['API_LIMIT_EXCEEDED']);
  });

  it('refuses a 50-level nested query before running it', async () => {
    let sel = 'key';
    for (let i = 0; i < 25; i++) sel = `downstream { asset { ${sel} } }`;
    const r = await gql(`{ asset(ref: "${STG_ORDERS}") { ${sel} } }`);
    expect(r.codes).toEqual(['API_LIMIT_EXCEEDED']);
    expect(r.status).toBe(400);
    expect(r.body.errors![0].message).toBe(
      'Query depth limit of 12 exceeded, found 52. (LINEAGE_MAX_QUERY_DEPTH)',
    );
  });

  it('bad input: syntax, unknown field, bad window, bad cursor, empty ref', async () => {
    expect((await gql(`{ impact(ref: `)).codes).toEqual(['API_BAD_INPUT']);
    expect((await gql(`{ nope }`)).codes).toEqual(['API_BAD_INPUT']);
    expect((await gql(`{ unusedTables(since: "yesterday") { totalCount } }`)).codes).toEqual([
      'API_BAD_INPUT',
    ]);
    expect(
      (await gql(`{ impact(ref: "${COL}") { values(after: "garbage") { totalCount } } }`)).codes,
    ).toEqual(['API_BAD_INPUT']);
    const empty = await gql(`{ asset(ref: "") { key } }`);
    expect(empty.codes).toEqual(['API_BAD_INPUT']);
    noLeaks(empty.body);
  });

  it('an asynchronous store call that outlives the timeout returns API_TIMEOUT, without internals', async () => {
    // A store that waits (as Neo4j does) and does not answer in time: the deadline timer ends the request.
    // Synchronous (pure-CPU) work is stopped by checkpoints instead: test/api/responsive.test.ts.
    const slow = new Proxy(g.store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        // Both walk calls: impact reads its walks ahead with traverseMany.
        if ((prop !== 'traverse' && prop !== 'traverseMany') || typeof v !== 'function')
          return typeof v === 'function' ? v.bind(target) : v;
        return async (...args: unknown[]) => {
          await new Promise((r) => setTimeout(r, 400));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as LineageStore;
    const config: Config = { ...g.config, limits: { ...g.config.limits, requestTimeoutMs: 100 } };
    const slowApp = await buildApp({ store: slow, config, now: () => NOW });
    try {
      const r = await gql(`{ impact(ref: "${COL}") { depth } }`, undefined, { app: slowApp });
      expect(r.codes).toEqual(['API_TIMEOUT']);
      expect(r.status).toBe(503);
      noLeaks(r.body);
    } finally {
      await slowApp.close();
    }
  });

  it('costs a query by the store size without counting the whole store', async () => {
    // stats() counts every live node and edge (8-11 s on Neo4j at 150k tables); the cost check before each
    // query must not wait for it.
    let statsCalls = 0;
    const countingStats = new Proxy(g.store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'stats' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
        return async () => {
          statsCalls++;
          await new Promise((r) => setTimeout(r, 1_000));
          return (v as () => unknown).apply(target);
        };
      },
    }) as LineageStore;
    const config: Config = { ...g.config, limits: { ...g.config.limits, requestTimeoutMs: 500 } };
    const app2 = await buildApp({ store: countingStats, config, now: () => NOW });
    try {
      const r = await gql(`{ impact(ref: "${COL}") { depth } }`, undefined, { app: app2 });
      expect(r.codes).toEqual([]);
      expect(statsCalls).toBe(0);
    } finally {
      await app2.close();
    }
  });
});

describe('auth and mutations', () => {
  let secured: FastifyInstance;
  beforeAll(async () => {
    const config: Config = {
      ...g.config,
      server: {
        ...g.config.server,
        readToken: 'r3ad',
        adminToken: 'adm1n',
        ingestPaths: [dirname(DEMO_TARGET)],
      },
    };
    secured = await buildApp({ store: g.store, config, now: () => NOW });
  });
  afterAll(async () => {
    await secured?.close();
  });

  it('reads need the read token when one is configured', async () => {
    const none = await gql(`{ stats { relations } }`, undefined, { app: secured });
    expect(none.status).toBe(401);
    expect(none.codes).toEqual(['API_UNAUTHENTICATED']);
    const wrong = await gql(`{ stats { relations } }`, undefined, { app: secured, token: 'nope' });
    expect(wrong.codes).toEqual(['API_UNAUTHENTICATED']);
    const ok = await gql(`{ stats { relations } }`, undefined, { app: secured, token: 'r3ad' });
    expect(ok.data.stats.relations).toBe(19);
    const alerts = await secured.inject({ method: 'POST', url: '/v1/alerts', payload: { asset: ORDERS } });
    expect(alerts.statusCode).toBe(401);
  });

  it('mutations need the admin token; server-side paths are limited to the ingest paths', async () => {
    const m = `mutation($p: String!) { ingestDbtPath(path: $p) { originId unchanged relations } }`;
    const asReader = await gql(m, { p: DEMO_TARGET }, { app: secured, token: 'r3ad' });
    expect(asReader.codes).toEqual(['API_UNAUTHENTICATED']);
    const outside = await gql(m, { p: '/etc' }, { app: secured, token: 'adm1n' });
    expect(outside.codes).toEqual(['API_FORBIDDEN']);
    noLeaks(outside.body);
    const ok = await gql(m, { p: DEMO_TARGET }, { app: secured, token: 'adm1n' });
    expect(ok.codes).toEqual([]);
    expect(ok.data.ingestDbtPath.originId).toBe('dbt:jaffle_shop');
    expect(ok.data.ingestDbtPath.relations).toBe(19);
  });

  it('ingestDbtArtifacts ingests uploaded artifact text; invalid JSON gets a stable code', async () => {
    const manifest = readFileSync(join(DEMO_TARGET, 'manifest.json'), 'utf8');
    const catalog = readFileSync(join(DEMO_TARGET, 'catalog.json'), 'utf8');
    const m = `mutation($m: String!, $c: String) { ingestDbtArtifacts(manifest: $m, catalog: $c) { originId relations columns } }`;
    const ok = await gql(m, { m: manifest, c: catalog }, { app: secured, token: 'adm1n' });
    expect(ok.codes).toEqual([]);
    expect(ok.data.ingestDbtArtifacts).toEqual({ originId: 'dbt:jaffle_shop', relations: 19, columns: 112 });
    const bad = await gql(m, { m: manifest.slice(0, 500) }, { app: secured, token: 'adm1n' });
    expect(bad.codes).toEqual(['DBT_INVALID_JSON']);
    noLeaks(bad.body);
    const anon = await gql(m, { m: manifest.slice(0, 500) }, { app: secured, token: 'r3ad' });
    expect(anon.codes).toEqual(['API_UNAUTHENTICATED']);
    // a body over LINEAGE_MAX_REQUEST_BYTES is refused before it is parsed, unless the token may write
    const big = await gql(m, { m: manifest }, { app: secured, token: 'r3ad' });
    expect(manifest.length).toBeGreaterThan(g.config.limits.maxRequestBytes);
    expect([big.status, big.codes]).toEqual([413, ['API_BODY_TOO_LARGE']]);
  });

  it('mutations are disabled when no admin token is configured', async () => {
    const r = await gql(`mutation { removeOrigin(originId: "x") }`);
    expect(r.codes).toEqual(['API_UNAUTHENTICATED']);
  });
});

describe('REST routes', () => {
  it('POST /v1/alerts answers the routes', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alerts',
      payload: { asset: ORDERS, message: 'row count dropped 40%' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.asset).toBe(ORDERS);
    expect(body.message).toBe('row count dropped 40%');
    expect(body.severity).toBe('CRITICAL');
    expect(body.routes.find((r: any) => r.owner === 'ana.lopez@jaffle.example').assets[0].key).toBe(
      CUSTOMER_360,
    );
  });
  it('POST /v1/alerts rejects bad bodies and unknown assets with codes', async () => {
    const bad = await app.inject({ method: 'POST', url: '/v1/alerts', payload: { message: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('API_BAD_INPUT');
    const nf = await app.inject({ method: 'POST', url: '/v1/alerts', payload: { asset: 'no_such_asset_x' } });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('LINEAGE_NOT_FOUND');
    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/alerts',
      headers: { 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('API_BAD_INPUT');
    noLeaks(notJson.json());
  });
  it('health and readiness', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', store: 'embedded' });
    const down = await buildApp({
      store: { ...g.store, kind: 'neo4j', ping: async () => false } as LineageStore,
      config: g.config,
    });
    try {
      const r = await down.inject('/readyz');
      expect(r.statusCode).toBe(503);
      expect(r.json().error.code).toBe('STORE_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
  it('the playground page and its assets are served locally, with no external URLs', async () => {
    const page = await app.inject('/graphiql');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const srcs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.sort()).toEqual([
      '/graphiql/assets/graphiql.css',
      '/graphiql/assets/graphiql.js',
      '/graphiql/assets/react-dom.js',
      '/graphiql/assets/react.js',
    ]);
    expect(page.body).toContain(COL);
    for (const src of srcs) {
      const a = await app.inject(src);
      expect(a.statusCode).toBe(200);
      expect(a.body.length).toBeGreaterThan(1000);
    }
    expect((await app.inject('/graphiql/assets/..%2F..%2Fpackage.json')).statusCode).toBe(404);
    expect((await app.inject('/nope')).json().error.code).toBe('LINEAGE_NOT_FOUND');
  });
});
