// A route module: routes registered together under one auth scope (see the route map in api/app.ts).
import type { FastifyInstance } from 'fastify';
import { guardScope, type AuthScope, type UnauthenticatedBody } from './auth.ts';
import type { ApiDeps } from './context.ts';

export interface RouteModule {
  name: string;
  /** 'public' routes carry no lineage data (health, playground page); every other scope needs a token check. */
  scope: 'public' | AuthScope;
  /** The 401 body in this module's error shape (default: REST `{ error: { code, message } }`). */
  unauthenticated?: UnauthenticatedBody;
  register(app: FastifyInstance, deps: ApiDeps): void | Promise<void>;
}

/**
 * Registers `module` in its own encapsulated context: the scope's auth hook applies to exactly the
 * routes the module registers, and to nothing outside it.
 */
export async function registerRouteModule(
  app: FastifyInstance,
  module: RouteModule,
  deps: ApiDeps,
): Promise<void> {
  await app.register(async (scoped) => {
    if (module.scope !== 'public')
      guardScope(scoped, module.scope, deps.config.server, module.unauthenticated);
    await module.register(scoped, deps);
  });
}
