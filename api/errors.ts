// Turns every error leaving the API into { message, extensions: { code } } with a code from
// src/errors.ts. Client mistakes (syntax, validation, wrongly typed variables, malformed requests) are
// 4xx codes; only unexpected errors are INTERNAL, and their messages are replaced: no stack traces.
// Absolute server paths are cut to their last segment in every message.
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { ERROR_CODES, isLineageError, type ErrorCode } from '../src/errors.ts';

interface Classified {
  code: ErrorCode;
  message: string;
}

/** Absolute POSIX or Windows paths of two or more segments, as they appear in messages. */
const ABSOLUTE_PATH = /(?<![\w.:/])(?:file:\/\/)?(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"`:,;()[\]{}<>]+){2,}/g;

export function redactPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, (p) => p.split(/[\\/]/).pop() ?? '');
}

/** Fastify and mercurius errors about the request itself, by their code. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  MER_ERR_METHOD_NOT_ALLOWED: 'API_METHOD_NOT_ALLOWED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
};

const FRAMEWORK_MESSAGES: Partial<Record<ErrorCode, string>> = {
  API_METHOD_NOT_ALLOWED: 'a mutation cannot be sent with GET; use POST',
  API_BODY_TOO_LARGE: 'the request body is too large',
};

function isRegistered(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** Classifies one error: our own, a request error (GraphQL or HTTP), or an unexpected one. */
export function classify(err: unknown, log?: FastifyBaseLogger): Classified {
  const e = err as Partial<GraphQLError> & { code?: string; statusCode?: number };
  const original = e?.originalError ?? err;
  if (isLineageError(original)) return { code: original.code, message: redactPaths(original.message) };
  const ext = e?.extensions?.code;
  if (isRegistered(ext)) return { code: ext, message: redactPaths(String(e.message)) };
  const o = original as { code?: string; statusCode?: number; message?: string };
  const framework = o?.code ? FRAMEWORK_CODES[o.code] : undefined;
  if (framework) return { code: framework, message: FRAMEWORK_MESSAGES[framework] ?? String(o.message) };
  if (typeof o?.statusCode === 'number' && o.statusCode >= 400 && o.statusCode < 500)
    return { code: 'API_BAD_INPUT', message: redactPaths(String(o.message).replace(/`/g, '')) };
  // A GraphQL error outside execution (no path): syntax, validation, variable coercion — about the request.
  if (e?.name === 'GraphQLError' && e.path === undefined)
    return { code: 'API_BAD_INPUT', message: redactPaths(String(e.message)) };
  log?.error({ err: original }, 'unexpected error');
  return { code: 'INTERNAL', message: 'internal error' };
}

/** mercurius wraps request errors (MER_ERR_GQL_VALIDATION, MER_ERR_METHOD_NOT_ALLOWED) around a list. */
function flatten(errors: readonly unknown[], log?: FastifyBaseLogger): (Classified & { error: unknown })[] {
  const out: (Classified & { error: unknown })[] = [];
  for (const error of errors) {
    const wrapper = (error as { originalError?: { errors?: unknown[]; code?: string } }).originalError;
    if (!Array.isArray(wrapper?.errors)) {
      out.push({ error, ...classify(error, log) });
      continue;
    }
    const forced = wrapper.code ? FRAMEWORK_CODES[wrapper.code] : undefined;
    for (const inner of wrapper.errors) {
      const c = classify(inner);
      if (forced) out.push({ error: inner, code: forced, message: FRAMEWORK_MESSAGES[forced] ?? c.message });
      // everything inside a validation wrapper is about the request, even a schema-validator message
      else if (c.code === 'INTERNAL')
        out.push({
          error: inner,
          code: 'API_BAD_INPUT',
          message: redactPaths(String((inner as Error).message)),
        });
      else out.push({ error: inner, ...c });
    }
  }
  return out;
}

export function errorFormatter(
  execution: ExecutionResult & { statusCode?: number },
  ctx: { reply?: { log: FastifyBaseLogger }; app?: { log: FastifyBaseLogger } },
): { statusCode: number; response: ExecutionResult } {
  const log = ctx?.reply?.log ?? ctx?.app?.log;
  const errors = flatten(execution.errors ?? [], log).map(({ error, code, message }) => {
    const g = error as Partial<GraphQLError>;
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
