// Bearer tokens and the auth scopes routes are registered under (see the route map in api/app.ts).
// Scopes nest: admin ⊃ write ⊃ read. Reads are open unless LINEAGE_READ_TOKEN is set; writes need
// LINEAGE_WRITE_TOKEN or the admin token; admin needs LINEAGE_ADMIN_TOKEN. A scope whose token is not
// configured is closed, never open.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';

export type AuthScope = 'read' | 'write' | 'admin';

export interface AuthState {
  read: boolean;
  write: boolean;
  admin: boolean;
}

type Tokens = Config['server'];

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

export function authState(
  request: FastifyRequest,
  tokens: Pick<Tokens, 'readToken' | 'writeToken' | 'adminToken'>,
): AuthState {
  const token = bearer(request);
  const matches = (configured: string | undefined) => Boolean(configured && token && same(token, configured));
  const admin = matches(tokens.adminToken);
  const write = admin || matches(tokens.writeToken);
  const read = write || !tokens.readToken || matches(tokens.readToken);
  return { read, write, admin };
}

/** Why `state` may not act in `scope`, or null when it may. */
export function denial(state: AuthState, scope: AuthScope, tokens: Tokens): string | null {
  if (state[scope]) return null;
  switch (scope) {
    case 'read':
      return 'a bearer token is required to read (LINEAGE_READ_TOKEN is set)';
    case 'write':
      return tokens.writeToken || tokens.adminToken
        ? 'writes need the write (or admin) bearer token'
        : 'writes are disabled: neither LINEAGE_WRITE_TOKEN nor LINEAGE_ADMIN_TOKEN is set on the server';
    case 'admin':
      return tokens.adminToken
        ? 'mutations need the admin bearer token'
        : 'mutations are disabled: LINEAGE_ADMIN_TOKEN is not set on the server';
  }
}

/** For resolvers of a scope wider than their route's (GraphQL mutations on the read-scoped /graphql). */
export function requireScope(state: AuthState, scope: AuthScope, tokens: Tokens): void {
  const why = denial(state, scope, tokens);
  if (why) throw lineageError('API_UNAUTHENTICATED', why);
}

export type UnauthenticatedBody = (code: 'API_UNAUTHENTICATED', message: string) => unknown;

export const restErrorBody: UnauthenticatedBody = (code, message) => ({ error: { code, message } });

/**
 * Adds the auth check of `scope` to `app`, an encapsulated plugin context: it runs for every route
 * registered in that context, whatever URL spelling the router matched (it is not a URL comparison).
 */
export function guardScope(
  app: FastifyInstance,
  scope: AuthScope,
  tokens: Tokens,
  body: UnauthenticatedBody = restErrorBody,
): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const why = denial(authState(request, tokens), scope, tokens);
    if (why === null) return;
    reply.code(401).header('www-authenticate', 'Bearer');
    return reply.send(body('API_UNAUTHENTICATED', why));
  });
}
