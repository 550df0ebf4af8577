// Bearer-token checks. Reads are open unless a read token is configured; mutations always need the admin token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { lineageError } from '../src/errors.ts';

export interface AuthState {
  read: boolean;
  admin: boolean;
}

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
  tokens: { readToken?: string; adminToken?: string },
): AuthState {
  const token = bearer(request);
  const admin = Boolean(tokens.adminToken && token && same(token, tokens.adminToken));
  const read = admin || !tokens.readToken || Boolean(token && same(token, tokens.readToken));
  return { read, admin };
}

export function requireRead(state: AuthState): void {
  if (!state.read)
    throw lineageError(
      'API_UNAUTHENTICATED',
      'a bearer token is required to read (LINEAGE_READ_TOKEN is set)',
    );
}

export function requireAdmin(state: AuthState, configured: boolean): void {
  if (!configured)
    throw lineageError(
      'API_UNAUTHENTICATED',
      'mutations are disabled: LINEAGE_ADMIN_TOKEN is not set on the server',
    );
  if (!state.admin) throw lineageError('API_UNAUTHENTICATED', 'mutations need the admin bearer token');
}
