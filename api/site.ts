// Public routes (no token, no lineage data): liveness, readiness, the playground page and its assets.
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../src/errors.ts';
import type { ApiDeps } from './context.ts';
import { registerGraphiql, type ExampleQuery } from './graphiql.ts';
import type { RouteModule } from './routes.ts';

export const healthRoutes: RouteModule = {
  name: 'health',
  scope: 'public',
  register(app: FastifyInstance, { store }: ApiDeps) {
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
  },
};

export function playgroundRoutes(examples: ExampleQuery[]): RouteModule {
  return {
    name: 'playground',
    scope: 'public',
    register(app: FastifyInstance) {
      registerGraphiql(app, examples);
      app.get('/', async (_req, reply) => reply.redirect('/graphiql'));
    },
  };
}
