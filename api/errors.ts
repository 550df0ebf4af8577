// Turns every error leaving the API into { message, extensions: { code } } with a code from
// src/errors.ts. Messages of unexpected errors are replaced: no stack traces or internal paths leak.
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import {
  ERROR_CODES,
  isLineageError,
  lineageError,
  type ErrorCode,
  type LineageError,
} from '../src/errors.ts';

export interface ApiError {
  message: string;
  code: ErrorCode;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
}

/** Classifies one error: our own, a GraphQL validation/depth error, or an unexpected one. */
export function classify(err: unknown, log?: FastifyBaseLogger): { code: ErrorCode; message: string } {
  const original = (err as { originalError?: unknown })?.originalError ?? err;
  if (isLineageError(original)) return { code: original.code, message: original.message };
  const merCode = (original as { code?: string })?.code;
  const message = (original as { message?: string })?.message ?? String(original);
  if (merCode === 'MER_ERR_GQL_QUERY_DEPTH' || /query depth/.test(message))
    return { code: 'API_LIMIT_EXCEEDED', message: message.replace(/`/g, '') };
  if (merCode === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { code: 'API_LIMIT_EXCEEDED', message: 'request body too large' };
  // graphql-js syntax and validation errors have no originalError; their messages are about the query.
  const isGraphQL = (err as { name?: string })?.name === 'GraphQLError';
  if (isGraphQL && (err as GraphQLError).originalError === undefined)
    return { code: 'API_BAD_INPUT', message };
  if (
    merCode?.startsWith('MER_ERR_GQL_') ||
    merCode?.startsWith('FST_ERR_CTP') ||
    merCode === 'MER_ERR_METHOD_NOT_ALLOWED'
  )
    return { code: 'API_BAD_INPUT', message: message.replace(/`/g, '') };
  log?.error({ err: original }, 'unexpected error');
  return { code: 'INTERNAL', message: 'internal error' };
}

export function errorFormatter(
  execution: ExecutionResult & { statusCode?: number },
  ctx: { reply?: { log: FastifyBaseLogger }; app?: { log: FastifyBaseLogger } },
): { statusCode: number; response: ExecutionResult } {
  const log = ctx?.reply?.log ?? ctx?.app?.log;
  const flat: unknown[] = [];
  for (const e of execution.errors ?? []) {
    const inner = (e as { originalError?: { errors?: unknown[] } }).originalError?.errors;
    if (Array.isArray(inner)) flat.push(...inner);
    else flat.push(e);
  }
  const errors = flat.map((e) => {
    const { code, message } = classify(e, log);
    const g = e as Partial<GraphQLError>;
    return {
      message,
      ...(g.locations ? { locations: g.locations } : {}),
      ...(g.path ? { path: g.path } : {}),
      extensions: { code },
    };
  });
  const first = errors[0]?.extensions.code;
  const statusCode = execution.data ? 200 : first ? ERROR_CODES[first].http : 200;
  return {
    statusCode,
    response: { data: execution.data ?? null, errors: errors as unknown as GraphQLError[] },
  };
}

/** For plain REST routes. */
export function restError(
  err: unknown,
  log?: FastifyBaseLogger,
): { status: number; body: { error: { code: ErrorCode; message: string } } } {
  const { code, message } = classify(err, log);
  return { status: ERROR_CODES[code].http, body: { error: { code, message } } };
}

export function asLineageError(err: unknown): LineageError {
  if (isLineageError(err)) return err;
  return lineageError('INTERNAL', 'internal error');
}
