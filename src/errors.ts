// The error-code registry. Every error a user can see is created here once with a stable code; the README's
// "Error codes" table is kept in step by test/errors.test.ts. Add a code here before throwing it.

export const ERROR_CODES = {
  // input / usage
  LINEAGE_BAD_ARGUMENT: { exit: 2, http: 400, summary: 'A command-line argument or option is invalid.' },
  LINEAGE_NOT_FOUND: {
    exit: 3,
    http: 404,
    summary: 'The referenced asset, file or directory does not exist.',
  },
  LINEAGE_AMBIGUOUS_REF: { exit: 3, http: 400, summary: 'A reference matches several assets; qualify it.' },
  // artifacts
  DBT_INVALID_JSON: { exit: 5, http: 400, summary: 'A dbt artifact is not valid JSON (e.g. truncated).' },
  DBT_UNKNOWN_VERSION: {
    exit: 5,
    http: 400,
    summary: 'A dbt artifact declares a schema version this tool cannot read.',
  },
  DBT_INVALID_ARTIFACT: {
    exit: 5,
    http: 400,
    summary: 'A dbt artifact is missing required fields or has the wrong shape.',
  },
  DBT_CATALOG_MISMATCH: {
    exit: 5,
    http: 400,
    summary: 'The catalog does not belong to the manifest’s project.',
  },
  QUERY_LOG_WRONG_FORMAT: { exit: 5, http: 400, summary: 'A query log file is not in the declared format.' },
  QUERY_LOG_UNKNOWN_FORMAT: { exit: 2, http: 400, summary: 'The query log format name is not known.' },
  OPENLINEAGE_INVALID_EVENT: {
    exit: 5,
    http: 400,
    summary:
      'An OpenLineage event is not valid JSON or does not match the OpenLineage 2-0-2 RunEvent schema.',
  },
  SQL_INPUT_INVALID: { exit: 5, http: 400, summary: 'A SQL request line is not valid JSON or lacks `sql`.' },
  SQL_ENGINE_UNAVAILABLE: {
    exit: 1,
    http: 500,
    summary: 'The SQL engine (its front-end worker or a front end) could not be loaded.',
  },
  // stores
  STORE_CORRUPT: { exit: 6, http: 500, summary: 'The embedded store file cannot be read.' },
  STORE_UNAVAILABLE: { exit: 6, http: 503, summary: 'The graph store (e.g. Neo4j) cannot be reached.' },
  STORE_QUERY_TIMEOUT: {
    exit: 6,
    http: 503,
    summary: 'A store query ran longer than its transaction timeout (Neo4j: NEO4J_QUERY_TIMEOUT_MS).',
  },
  STORE_WRITE_FAILED: {
    exit: 6,
    http: 500,
    summary: 'Writing to the store failed; the previous state is kept.',
  },
  NEO4J_JAVA_MISSING: {
    exit: 6,
    http: 500,
    summary: 'Java 17+ is needed to start the bundled Neo4j server.',
  },
  // API
  API_UNAUTHENTICATED: {
    exit: 7,
    http: 401,
    summary: 'A bearer token is required or the one given is wrong.',
  },
  API_FORBIDDEN: {
    exit: 7,
    http: 403,
    summary: 'The request is not allowed (e.g. a server-side ingest path outside LINEAGE_INGEST_PATHS).',
  },
  API_LIMIT_EXCEEDED: {
    exit: 7,
    http: 400,
    summary: 'The request exceeds a configured limit (depth, size, page).',
  },
  API_BODY_TOO_LARGE: {
    exit: 7,
    http: 413,
    summary: 'The request body is larger than the limit for this caller (LINEAGE_MAX_REQUEST_BYTES).',
  },
  API_METHOD_NOT_ALLOWED: {
    exit: 7,
    http: 405,
    summary: 'The HTTP method cannot do this (e.g. a GraphQL mutation over GET).',
  },
  API_UNSUPPORTED_MEDIA_TYPE: {
    exit: 7,
    http: 415,
    summary: 'The request body has a content type the route does not accept.',
  },
  API_HOST_NOT_ALLOWED: {
    exit: 7,
    http: 403,
    summary: 'The Host header is not in LINEAGE_ALLOWED_HOSTS (DNS-rebinding protection).',
  },
  API_TIMEOUT: { exit: 7, http: 503, summary: 'The request took longer than the configured timeout.' },
  API_BAD_INPUT: { exit: 7, http: 400, summary: 'An argument failed validation.' },
  CONFIG_INVALID: { exit: 2, http: 500, summary: 'The configuration (environment or flags) is invalid.' },
  INTERNAL: { exit: 1, http: 500, summary: 'An unexpected internal error.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LineageError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LineageError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export function lineageError(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): LineageError {
  return new LineageError(code, message, details, cause === undefined ? undefined : { cause });
}

export function isLineageError(err: unknown): err is LineageError {
  return err instanceof LineageError;
}
