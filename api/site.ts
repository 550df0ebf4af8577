// Public routes (no token, no lineage data): liveness and readiness (outside the Host allow-list too), the
// playground page and its assets.
import type { FastifyInstance } from 'fastify';
import type { LineageStore } from '../graph/store.ts';
import { lineageError, type ErrorCode } from '../src/errors.ts';
import type { ApiDeps } from './context.ts';
import { classify } from './errors.ts';
import { registerGraphiql, type ExampleQuery } from './graphiql.ts';
import type { RouteModule } from './routes.ts';

/** Readiness reads from the store (a key lookup), so a store that answers ping but cannot be read is not ready. */
async function readiness(
  store: LineageStore,
): Promise<{ ok: true } | { ok: false; code: ErrorCode; message: string }> {
  try {
    if (!(await store.ping())) throw lineageError('STORE_UNAVAILABLE', 'the graph store cannot be reached');
    await store.getNodes(['readyz:probe']);
    return { ok: true };
  } catch (err) {
    const { code, message } = classify(err);
    return code === 'INTERNAL'
      ? { ok: false, code: 'STORE_UNAVAILABLE', message: 'the graph store cannot be read' }
      : { ok: false, code, message };
  }
}

export const healthRoutes: RouteModule = {
  name: 'health',
  scope: 'public',
  register(app: FastifyInstance, { store }: ApiDeps) {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const r = await readiness(store);
      if (r.ok) return { status: 'ready', store: store.kind };
      reply.code(503);
      return { status: 'unavailable', store: store.kind, error: { code: r.code, message: r.message } };
    });
  },
};

export function playgroundRoutes(examples: ExampleQuery[]): RouteModule {
  return {
    name: 'playground',
    scope: 'public',
    register(app: FastifyInstance) {
      registerGraphiql(app, examples);
      app.get('/', async (_req, reply) => reply.redirect('/explorer'));
    },
  };
}
