// Builds the fastify app. Never listens: tests drive it with app.inject, api/server.ts listens.
//
// ROUTE MAP — auth is decided by the plugin context a route is registered in, never by comparing URLs:
//
//   scope    token needed                                   routes
//   public   none (no lineage data)                         /graphiql (+ assets), /,
//                                                           /explorer (+ assets; its data comes via /graphql)
//   (health) none, no Host check                            /healthz, /readyz
//   read     LINEAGE_READ_TOKEN when set (or write/admin)   /graphql (queries, introspection), /v1/alerts
//   write    LINEAGE_WRITE_TOKEN or LINEAGE_ADMIN_TOKEN     (ingest endpoints, e.g. POST /api/v1/lineage),
//                                                           POST /v1/alerts/events (alerts in)
//   admin    LINEAGE_ADMIN_TOKEN                            (admin endpoints); GraphQL mutations check it
//                                                           in their resolvers: requireScope(ctx.auth, 'admin', …)
//
// Each scope is an encapsulated fastify context with its own onRequest auth hook (api/auth.ts guardScope),
// so a route is protected however its URL is spelled (percent-encoded, …): the hook belongs to the route.
// A scope whose token is not configured is closed (write/admin) or open (read only). Every module of
// ROUTE_MODULES is also behind the Host allow-list (api/host-check.ts); only health and readiness are not,
// so that probes addressed by pod IP keep working.
//
// TO ADD ROUTES: write a RouteModule (api/routes.ts) in its own file and list it in ROUTE_MODULES:
//
//   export const lineageEvents: RouteModule = {
//     name: 'openlineage', scope: 'write',
//     register(app, { store, config, now }) { app.post('/api/v1/lineage', async (request) => …) },
//   };
//
// TO ADD GRAPHQL FIELDS: write a GraphQLModule (api/graphql.ts) — SDL with `extend type Query { … }`,
// resolvers, loaders — in its own file and list it in GRAPHQL_MODULES. Fields are read-scoped like the
// rest of /graphql; a mutation calls requireScope(ctx.auth, 'admin' | 'write', ctx.config.server).
import Fastify, { type FastifyInstance } from 'fastify';
import { openSqlTextStoreLazily, type SqlTextStore } from '../graph/sql-text/index.ts';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import type { ApiDeps } from './context.ts';
import { restError } from './errors.ts';
import { EXAMPLE_QUERIES } from './examples.ts';
import type { ExampleQuery } from './graphiql.ts';
import { graphqlRoute, type GraphQLModule } from './graphql.ts';
import { guardHost } from './host-check.ts';
import { openLineageRoutes } from './openlineage.ts';
import { alertsGraphql } from './alerts-graphql.ts';
import { restAlertEvents, restAlertRoutes } from './rest-alerts.ts';
import { coreGraphql } from './resolvers.ts';
import { sqlTextGraphql } from './sql-text-graphql.ts';
import { explorerGraphql } from './explorer/graphql.ts';
import { explorerRoutes } from './explorer/routes.ts';
import { registerRouteModule, type RouteModule } from './routes.ts';
import { healthRoutes, playgroundRoutes } from './site.ts';

/** Every slice of the GraphQL schema; the first holds the base types. */
export const GRAPHQL_MODULES: readonly GraphQLModule[] = [
  coreGraphql,
  explorerGraphql,
  alertsGraphql,
  sqlTextGraphql,
];

/** Every route module besides /graphql and the playground (whose examples are a build option). */
export const ROUTE_MODULES: readonly RouteModule[] = [
  restAlertRoutes,
  restAlertEvents,
  explorerRoutes,
  openLineageRoutes,
];

export interface BuildAppOptions {
  store: LineageStore;
  config: Config;
  /** The SQL-text store to read (default: the one beside the configured store, opened on first use). */
  sqlText?: SqlTextStore;
  logger?: boolean;
  examples?: ExampleQuery[];
  /** Clock for analyses (tests pin it). */
  now?: () => Date;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const deps: ApiDeps = {
    store: opts.store,
    sqlText: opts.sqlText ?? openSqlTextStoreLazily(opts.config),
    config: opts.config,
    now: opts.now ?? (() => new Date()),
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.config.limits.maxRequestBytes,
    return503OnClosing: true,
  });

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = restError(err, request.log);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: { code: 'LINEAGE_NOT_FOUND', message: 'no such route' } });
  });

  if (!opts.sqlText) app.addHook('onClose', () => deps.sqlText.close());
  await registerRouteModule(app, healthRoutes, deps);
  const modules = [
    ...ROUTE_MODULES,
    graphqlRoute(GRAPHQL_MODULES),
    playgroundRoutes(opts.examples ?? EXAMPLE_QUERIES),
  ];
  await app.register(async (site) => {
    guardHost(site, deps.config.server);
    for (const module of modules) await registerRouteModule(site, module, deps);
  });
  return app;
}
