// Fastify hooks in front of mercurius on /graphql: every malformed request is refused here with a 4xx and
// a stable code, before mercurius parses or runs anything (api/limits.ts holds the limits themselves).
//   onRequest      a POST body must be application/json or application/graphql (else 415)
//   preParsing     the body size: LINEAGE_MAX_REQUEST_BYTES, or LINEAGE_MAX_UPLOAD_BYTES with a write token (413)
//   preValidation  one operation per request (a batched array is refused: 400), `query` a string,
//                  `variables` an object, the query text and the variables' nesting within their limits;
//                  then the request waits for its turn of the shared slice (api/budget.ts) before mercurius
//                  parses, validates and costs it
import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import { authState } from './auth.ts';
import { Budget, takeTurn } from './budget.ts';
import { checkInputDepth, checkQueryText } from './limits.ts';

const GRAPHQL_MEDIA_TYPES = new Set(['application/json', 'application/graphql']);

function mediaType(request: FastifyRequest): string | null {
  const h = request.headers['content-type'];
  return typeof h === 'string' ? h.split(';')[0].trim().toLowerCase() : null;
}

function checkMediaType(request: FastifyRequest): void {
  if (request.method !== 'POST') return;
  const type = mediaType(request);
  if (type === null || !GRAPHQL_MEDIA_TYPES.has(type))
    throw lineageError(
      'API_UNSUPPORTED_MEDIA_TYPE',
      `POST /graphql takes application/json or application/graphql, not ${type ?? 'a body without a content type'}`,
    );
}

function tooLarge(limit: number) {
  return lineageError('API_BODY_TOO_LARGE', `the request body is larger than ${limit} bytes`);
}

/** The body limit of this caller: uploads (ingest mutations) need the write or admin token. */
export function bodyLimit(request: FastifyRequest, config: Config): number {
  const { write } = authState(request, config.server);
  return write ? config.limits.maxUploadBytes : config.limits.maxRequestBytes;
}

/** Counts the body as it streams and fails past `limit` (a request without content-length included). */
export function limitStream(payload: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > limit ? tooLarge(limit) : null, chunk);
    },
  });
  payload.on('error', (err) => counter.destroy(err));
  return payload.pipe(counter);
}

interface GraphQLRequestShape {
  query: string;
  variables: unknown;
}

/** The operation of a GET (query string, variables as JSON text) or a POST (parsed body). */
function requestShape(request: FastifyRequest): GraphQLRequestShape {
  const input: unknown = request.method === 'GET' ? request.query : request.body;
  if (Array.isArray(input))
    throw lineageError('API_BAD_INPUT', 'batched queries are not supported: send one operation per request');
  if (input === null || typeof input !== 'object')
    throw lineageError(
      'API_BAD_INPUT',
      'the request must be a JSON object {"query": "...", "variables": {...}}',
    );
  const { query, variables, operationName } = input as Record<string, unknown>;
  if (typeof query !== 'string') throw lineageError('API_BAD_INPUT', '"query" must be a string');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    throw lineageError('API_BAD_INPUT', '"operationName" must be a string');
  let vars = variables;
  if (request.method === 'GET' && typeof variables === 'string') {
    try {
      vars = JSON.parse(variables);
    } catch {
      throw lineageError('API_BAD_INPUT', '"variables" is not valid JSON');
    }
  }
  if (vars !== undefined && vars !== null && (typeof vars !== 'object' || Array.isArray(vars)))
    throw lineageError('API_BAD_INPUT', '"variables" must be a JSON object');
  return { query, variables: vars };
}

/** When each request reached /graphql (epoch ms): its deadline counts from here (api/budget.ts). */
const arrivals = new WeakMap<FastifyRequest, number>();

/** The budget of a /graphql request: LINEAGE_REQUEST_TIMEOUT_MS from its arrival. */
export function requestBudget(request: FastifyRequest, config: Config): Budget {
  return Budget.since(arrivals.get(request) ?? Date.now(), config.limits.requestTimeoutMs);
}

export function registerGraphqlGate(app: FastifyInstance, config: Config): void {
  app.addHook('onRequest', async (request) => {
    arrivals.set(request, Date.now());
    checkMediaType(request);
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const limit = bodyLimit(request, config);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    return limitStream(payload, limit);
  });
  app.addHook('preValidation', async (request) => {
    const { query, variables } = requestShape(request);
    checkQueryText(query, config.limits);
    checkInputDepth(variables, config.limits.maxInputDepth);
    await takeTurn(requestBudget(request, config));
  });
}
