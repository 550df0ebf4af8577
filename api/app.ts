// Builds the fastify app (GraphQL API, playground, REST alert route, health checks). Never listens:
// tests drive it with app.inject, api/server.ts listens.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import { ERROR_CODES, lineageError } from '../src/errors.ts';
import { alertRoutes } from '../src/analysis/alert-routes.ts';
import { contextFromConfig } from '../src/analysis/context.ts';
import { parse, schemas } from './args.ts';
import { authState } from './auth.ts';
import { depthLimitRule } from './depth-limit.ts';
import { errorFormatter, restError } from './errors.ts';
import { EXAMPLE_QUERIES } from './examples.ts';
import { registerGraphiql, type ExampleQuery } from './graphiql.ts';
import { ingestHandlers, type IngestHandlers } from './ingest.ts';
import { buildResolvers, type ApiContext } from './resolvers.ts';

export const SCHEMA_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface BuildAppOptions {
  store: LineageStore;
  config: Config;
  logger?: boolean;
  examples?: ExampleQuery[];
  /** Clock for analyses (tests pin it). */
  now?: () => Date;
  ingest?: IngestHandlers;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { store, config } = opts;
  const now = opts.now ?? (() => new Date());
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    return503OnClosing: true,
  });

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = restError(err, request.log);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: { code: 'LINEAGE_NOT_FOUND', message: 'no such route' } });
  });

  // Reads need the read token when one is configured (mutations check the admin token in their resolvers).
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path !== '/graphql' && !path.startsWith('/v1/')) return;
    if (!authState(request, config.server).read) {
      const message = 'a bearer token is required (LINEAGE_READ_TOKEN is set)';
      reply.code(401).header('www-authenticate', 'Bearer');
      return reply.send(
        path === '/graphql'
          ? { data: null, errors: [{ message, extensions: { code: 'API_UNAUTHENTICATED' } }] }
          : { error: { code: 'API_UNAUTHENTICATED', message } },
      );
    }
  });

  await app.register(mercurius, {
    schema: SCHEMA_SDL,
    resolvers: buildResolvers(opts.ingest ?? ingestHandlers) as never,
    context: (request): ApiContext => ({
      store,
      config,
      auth: authState(request, config.server),
      deadline: Date.now() + config.limits.requestTimeoutMs,
      now: now(),
    }),
    validationRules: [depthLimitRule(config.limits.maxQueryDepth)],
    errorFormatter: errorFormatter as never,
    graphiql: false,
    path: '/graphql',
    allowBatchedQueries: false,
  });

  registerGraphiql(app, opts.examples ?? EXAMPLE_QUERIES);
  app.get('/', async (_req, reply) => reply.redirect('/graphiql'));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    let ok = false;
    try {
      ok = await store.ping();
    } catch {
      ok = false;
    }
    if (ok) return { status: 'ready', store: store.kind };
    reply.code(ERROR_CODES.STORE_UNAVAILABLE.http);
    return {
      status: 'unavailable',
      store: store.kind,
      error: { code: 'STORE_UNAVAILABLE', message: 'the graph store cannot be reached' },
    };
  });

  // Alerting tools that do not speak GraphQL: POST {asset, message} -> routes.
  app.post('/v1/alerts', async (request) => {
    if (request.body === undefined || request.body === null || typeof request.body !== 'object')
      throw lineageError('API_BAD_INPUT', 'expected a JSON object {"asset": "...", "message": "..."}');
    const body = parse(schemas(config).alert, request.body);
    const deadline = Date.now() + config.limits.requestTimeoutMs;
    const ctx = contextFromConfig(config, {
      now: now(),
      deadline: Date.now() + Math.floor(config.limits.requestTimeoutMs * 0.8),
    });
    const work = alertRoutes(
      store,
      { ref: body.asset, depth: body.depth ?? Math.min(10, config.limits.maxTraversalDepth) },
      ctx,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(lineageError('API_TIMEOUT', 'the request timed out')),
        deadline - Date.now(),
      );
    });
    try {
      const r = await Promise.race([work, timeout]);
      return {
        asset: r.asset.key,
        message: body.message ?? null,
        severity: r.severity,
        counts: r.counts,
        routes: r.routes.map((route) => ({
          owner: route.owner,
          name: route.name,
          email: route.email,
          team: route.team,
          severity: route.severity,
          counts: route.counts,
          assets: route.assets.map((a) => ({
            key: a.key,
            kind: a.kind,
            distance: a.distance,
            severity: a.importance.severity,
          })),
        })),
        teams: r.teams,
        partial: r.partial,
        partialReasons: r.partialReasons,
      };
    } finally {
      clearTimeout(timer);
    }
  });

  return app;
}
