// The Host allow-list against DNS rebinding: a page on evil.example that re-resolves its name to 127.0.0.1
// reaches a developer's server with `Host: evil.example`. A server bound to loopback accepts only loopback
// names unless LINEAGE_ALLOWED_HOSTS says otherwise; one bound elsewhere accepts any Host unless it is set.
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';

export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** The accepted host names, or null when any Host is accepted. */
export function allowedHosts(server: Config['server']): ReadonlySet<string> | null {
  if (server.allowedHosts !== undefined) {
    const names = server.allowedHosts.map((h) => h.toLowerCase());
    return names.includes('*') ? null : new Set(names);
  }
  return isLoopback(server.host) ? new Set<string>(LOOPBACK_NAMES) : null;
}

/** The host name of a Host header: lower case, without port or trailing dot; IPv6 keeps its brackets. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim());
  return m ? m[1].toLowerCase().replace(/\.$/, '') : null;
}

function checkHost(request: FastifyRequest, allowed: ReadonlySet<string>): void {
  const name = hostName(request.headers.host);
  if (name === null || !allowed.has(name))
    throw lineageError(
      'API_HOST_NOT_ALLOWED',
      `the Host header ${JSON.stringify(request.headers.host ?? '')} is not allowed (LINEAGE_ALLOWED_HOSTS)`,
    );
}

/** Adds the Host check to every route of the context `app`. */
export function guardHost(app: FastifyInstance, server: Config['server']): void {
  const allowed = allowedHosts(server);
  if (allowed === null) return;
  app.addHook('onRequest', async (request) => checkHost(request, allowed));
}
