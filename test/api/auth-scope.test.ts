// Auth is decided by the route's plugin scope, not by the URL text: every spelling of a protected path that
// the router accepts is guarded, and the ones it does not accept are 404. Against a real listening server.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../api/server.ts';
import { registerRouteModule, type RouteModule } from '../../api/routes.ts';
import type { Config } from '../../src/config.ts';
import { openDemoGraph, type DemoGraph } from '../helpers/demo-graph.ts';
import { codeOf, postJson, raw } from './http.ts';
import { openSqlTextStoreLazily } from '../../graph/sql-text/index.ts';

let g: DemoGraph;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  g = await openDemoGraph();
  const config: Config = {
    ...g.config,
    server: { ...g.config.server, port: 0, readToken: 'r3ad', adminToken: 'adm1n' },
  };
  const s = await startServer({ store: g.store, config });
  url = s.url;
  close = () => s.app.close();
});
afterAll(async () => {
  await close?.();
  await g?.close();
});

const ALERT = { asset: 'jaffle_shop.main.customers' };
const STATS = { query: '{ stats { relations } }' };
const INTROSPECTION = { query: '{ __schema { queryType { name } } }' };

describe('protected routes, every spelling', () => {
  const spellings: [string, unknown][] = [
    ['/v1/alerts', ALERT],
    ['/%76%31/alerts', ALERT],
    ['/v1/%61lerts', ALERT],
    ['/v1/alerts?x=1', ALERT],
    ['/graphql', STATS],
    ['/%67raphql', STATS],
    ['/%67raphql', INTROSPECTION],
    ['/graphql?query=x', INTROSPECTION],
    ['//graphql', STATS],
    ['/graphql/', STATS],
    ['/GRAPHQL', STATS],
    ['/V1/alerts', ALERT],
    ['//v1/alerts', ALERT],
    ['/v1/alerts/', ALERT],
    ['/v1//alerts', ALERT],
  ];
  it.each(spellings)('%s without a token: 401 or 404, never data', async (path, body) => {
    const r = await postJson(url, path, body);
    expect([401, 404]).toContain(r.status);
    expect(codeOf(r.json)).toBe(r.status === 401 ? 'API_UNAUTHENTICATED' : 'LINEAGE_NOT_FOUND');
    expect(r.text).not.toMatch(/ana\.lopez|__schema|queryType|relations"/);
  });

  it('the percent-encoded spelling is the same route: with the token it answers', async () => {
    const r = await postJson(url, '/%76%31/alerts', ALERT, { authorization: 'Bearer r3ad' });
    expect(r.status).toBe(200);
    const g2 = await postJson(url, '/%67raphql', STATS, { authorization: 'Bearer r3ad' });
    expect(g2.status).toBe(200);
  });

  it('GET introspection needs the token too', async () => {
    const q = encodeURIComponent('{ __schema { queryType { name } } }');
    const none = await raw(url, { path: `/graphql?query=${q}` });
    expect(none.status).toBe(401);
    const ok = await raw(url, { path: `/graphql?query=${q}`, headers: { authorization: 'Bearer r3ad' } });
    expect(ok.status).toBe(200);
  });

  it('public routes need no token', async () => {
    for (const path of ['/healthz', '/readyz', '/graphiql'])
      expect((await raw(url, { path })).status).toBe(200);
  });
});

describe('route modules in the write and admin scopes', () => {
  const echo = (scope: RouteModule['scope']): RouteModule => ({
    name: `echo-${scope}`,
    scope,
    register(app) {
      app.post(`/api/v1/${scope}`, async () => ({ ok: scope }));
    },
  });
  async function appWith(server: Partial<Config['server']>) {
    const app = Fastify();
    const config = { ...g.config, server: { ...g.config.server, ...server } };
    for (const s of ['read', 'write', 'admin'] as const)
      await registerRouteModule(app, echo(s), {
        store: g.store,
        sqlText: openSqlTextStoreLazily(config),
        config,
        now: () => new Date(),
      });
    return app;
  }
  const call = async (app: Awaited<ReturnType<typeof appWith>>, scope: string, token?: string) =>
    (
      await app.inject({
        method: 'POST',
        url: `/api/v1/${scope}`,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      })
    ).statusCode;

  it('tokens nest: admin ⊃ write ⊃ read', async () => {
    const app = await appWith({ readToken: 'r', writeToken: 'w', adminToken: 'a' });
    expect([await call(app, 'read'), await call(app, 'write'), await call(app, 'admin')]).toEqual([
      401, 401, 401,
    ]);
    expect([
      await call(app, 'read', 'r'),
      await call(app, 'write', 'r'),
      await call(app, 'admin', 'r'),
    ]).toEqual([200, 401, 401]);
    expect([
      await call(app, 'read', 'w'),
      await call(app, 'write', 'w'),
      await call(app, 'admin', 'w'),
    ]).toEqual([200, 200, 401]);
    expect([
      await call(app, 'read', 'a'),
      await call(app, 'write', 'a'),
      await call(app, 'admin', 'a'),
    ]).toEqual([200, 200, 200]);
    await app.close();
  });

  it('with no tokens configured, reads are open and write/admin are closed', async () => {
    const app = await appWith({ readToken: undefined, writeToken: undefined, adminToken: undefined });
    expect([await call(app, 'read'), await call(app, 'write', 'x'), await call(app, 'admin', 'x')]).toEqual([
      200, 401, 401,
    ]);
    await app.close();
  });
});
