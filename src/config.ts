// The only reader of process.env. Everything configurable is validated here once, at the edge.
import { z } from 'zod';
import { lineageError } from './errors.ts';

const envSchema = z.object({
  LINEAGE_DATA_DIR: z.string().min(1).default('.lineage'),
  LINEAGE_STORE: z.enum(['embedded', 'neo4j']).default('embedded'),
  NEO4J_URI: z.string().optional(),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default('neo4j'),
  NEO4J_DATABASE: z.string().default('neo4j'),
  // Neo4j store tuning (graph/neo4j/index.ts, Neo4jStoreOptions; docs/neo4j.md); unset = the store's default.
  NEO4J_MAX_POOL_SIZE: z.coerce.number().int().min(1).max(10_000).optional(),
  NEO4J_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  NEO4J_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  NEO4J_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  NEO4J_MAX_RETRY_MS: z.coerce.number().int().min(0).optional(),
  NEO4J_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  NEO4J_RETIRED_GRACE_MS: z.coerce.number().int().min(0).optional(),
  LINEAGE_HOST: z.string().default('127.0.0.1'),
  LINEAGE_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** How often a server checks that the relation graph is read for the active generations (0: never). */
  LINEAGE_WARM_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /** Sample relations (and one column each) a server runs impact and root cause on after each ingest. */
  LINEAGE_WARM_SAMPLES: z.coerce.number().int().min(0).max(1000).default(20),
  /** When set, read queries need this bearer token too; mutations always need LINEAGE_ADMIN_TOKEN. */
  LINEAGE_READ_TOKEN: z.string().optional(),
  LINEAGE_ADMIN_TOKEN: z.string().optional(),
  /** Ingest-only token for write-scoped routes (the admin token is accepted too). */
  LINEAGE_WRITE_TOKEN: z.string().optional(),
  /** Comma-separated directories server-side ingest mutations may read from. */
  LINEAGE_INGEST_PATHS: z.string().optional(),
  /** Comma-separated service users/roles excluded from usage (the pipeline itself). */
  LINEAGE_SERVICE_USERS: z.string().optional(),
  LINEAGE_SERVICE_ROLES: z.string().optional(),
  LINEAGE_MAX_TRAVERSAL_DEPTH: z.coerce.number().int().min(1).max(1000).default(50),
  LINEAGE_MAX_QUERY_DEPTH: z.coerce.number().int().min(7).max(100).default(12),
  LINEAGE_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(100_000).default(500),
  LINEAGE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  // GraphQL cost control (api/limits.ts), checked before anything runs; documented in docs/api.md.
  LINEAGE_MAX_QUERY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(32_768),
  LINEAGE_MAX_QUERY_TOKENS: z.coerce.number().int().min(1000).max(1_000_000).default(4000),
  LINEAGE_MAX_ALIASES: z.coerce.number().int().min(0).max(10_000).default(30),
  LINEAGE_MAX_ROOT_FIELDS: z.coerce.number().int().min(1).max(10_000).default(10),
  LINEAGE_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(20),
  /** Fields of the operation with every fragment expanded (a fragment bomb expands to millions). */
  LINEAGE_MAX_SELECTIONS: z.coerce.number().int().min(300).max(1_000_000).default(2000),
  LINEAGE_MAX_QUERY_COST: z.coerce.number().int().min(100).max(100_000_000).default(20_000),
  /** Nesting of JSON variables (objects and arrays). */
  LINEAGE_MAX_INPUT_DEPTH: z.coerce.number().int().min(4).max(1000).default(16),
  /** Body limit for requests without the write/admin token; the upload limit applies to those with it. */
  LINEAGE_MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  LINEAGE_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1_048_576),
  /** Comma-separated Host names accepted (DNS-rebinding protection); `*` = any. Default: see allowedHosts. */
  LINEAGE_ALLOWED_HOSTS: z.string().optional(),
  /** The alert routing rules file (docs/alerts.md); unset: incidents are kept, nothing is delivered. */
  LINEAGE_ALERT_RULES: z.string().min(1).optional(),
});

/** Destination secrets (webhook URLs, routing keys) are LINEAGE_SECRET_<NAME> variables (docs/alerts.md). */
const SECRET_PREFIX = 'LINEAGE_SECRET_';

export interface Config {
  dataDir: string;
  store: 'embedded' | 'neo4j';
  neo4j: { uri?: string; user: string; password: string; database: string };
  /** NEO4J_* tuning; absent fields use the Neo4j store's defaults. */
  neo4jTuning?: {
    maxPoolSize?: number;
    connectTimeoutMs?: number;
    queryTimeoutMs?: number;
    writeTimeoutMs?: number;
    maxRetryTimeMs?: number;
    batchSize?: number;
    retiredGraceMs?: number;
  };
  server: {
    host: string;
    port: number;
    readToken?: string;
    writeToken?: string;
    adminToken?: string;
    ingestPaths: string[];
    /** Host names accepted in the Host header; undefined = derived from `host` (see api/host-check.ts). */
    allowedHosts?: string[];
    /** Interval of the warm-up (api/warm-up.ts); 0 = none. */
    warmIntervalMs: number;
    /** Sample relations of the plan warm-up after each ingest; 0 = none. */
    warmSamples: number;
  };
  usage: { serviceUsers: string[]; serviceRoles: string[] };
  /** Alert routing; `secret` is a function so the values never appear when a config is printed or logged. */
  alerts: { rulesFile?: string; secret: (name: string) => string | undefined };
  limits: {
    maxTraversalDepth: number;
    maxQueryDepth: number;
    maxPageSize: number;
    requestTimeoutMs: number;
    maxQueryBytes: number;
    maxQueryTokens: number;
    maxAliases: number;
    maxRootFields: number;
    maxDirectives: number;
    maxSelections: number;
    maxQueryCost: number;
    maxInputDepth: number;
    maxRequestBytes: number;
    maxUploadBytes: number;
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function secretReader(env: Record<string, string | undefined>): (name: string) => string | undefined {
  const secrets = new Map<string, string>();
  for (const [k, v] of Object.entries(env))
    if (k.startsWith(SECRET_PREFIX) && v !== undefined && v !== '')
      secrets.set(k.slice(SECRET_PREFIX.length), v);
  return (name) => secrets.get(name);
}

/** Reads configuration from an environment (process.env by default); overrides come from CLI flags. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw lineageError('CONFIG_INVALID', `invalid configuration ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const config: Config = {
    dataDir: e.LINEAGE_DATA_DIR,
    store: e.NEO4J_URI && env.LINEAGE_STORE === undefined ? 'neo4j' : e.LINEAGE_STORE,
    neo4j: { uri: e.NEO4J_URI, user: e.NEO4J_USER, password: e.NEO4J_PASSWORD, database: e.NEO4J_DATABASE },
    neo4jTuning: {
      maxPoolSize: e.NEO4J_MAX_POOL_SIZE,
      connectTimeoutMs: e.NEO4J_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: e.NEO4J_QUERY_TIMEOUT_MS,
      writeTimeoutMs: e.NEO4J_WRITE_TIMEOUT_MS,
      maxRetryTimeMs: e.NEO4J_MAX_RETRY_MS,
      batchSize: e.NEO4J_BATCH_SIZE,
      retiredGraceMs: e.NEO4J_RETIRED_GRACE_MS,
    },
    server: {
      host: e.LINEAGE_HOST,
      port: e.LINEAGE_PORT,
      readToken: e.LINEAGE_READ_TOKEN,
      writeToken: e.LINEAGE_WRITE_TOKEN,
      adminToken: e.LINEAGE_ADMIN_TOKEN,
      ingestPaths: list(e.LINEAGE_INGEST_PATHS),
      allowedHosts: e.LINEAGE_ALLOWED_HOSTS === undefined ? undefined : list(e.LINEAGE_ALLOWED_HOSTS),
      warmIntervalMs: e.LINEAGE_WARM_INTERVAL_MS,
      warmSamples: e.LINEAGE_WARM_SAMPLES,
    },
    usage: { serviceUsers: list(e.LINEAGE_SERVICE_USERS), serviceRoles: list(e.LINEAGE_SERVICE_ROLES) },
    alerts: { rulesFile: e.LINEAGE_ALERT_RULES, secret: secretReader(env) },
    limits: {
      maxTraversalDepth: e.LINEAGE_MAX_TRAVERSAL_DEPTH,
      maxQueryDepth: e.LINEAGE_MAX_QUERY_DEPTH,
      maxPageSize: e.LINEAGE_MAX_PAGE_SIZE,
      requestTimeoutMs: e.LINEAGE_REQUEST_TIMEOUT_MS,
      maxQueryBytes: e.LINEAGE_MAX_QUERY_BYTES,
      maxQueryTokens: e.LINEAGE_MAX_QUERY_TOKENS,
      maxAliases: e.LINEAGE_MAX_ALIASES,
      maxRootFields: e.LINEAGE_MAX_ROOT_FIELDS,
      maxDirectives: e.LINEAGE_MAX_DIRECTIVES,
      maxSelections: e.LINEAGE_MAX_SELECTIONS,
      maxQueryCost: e.LINEAGE_MAX_QUERY_COST,
      maxInputDepth: e.LINEAGE_MAX_INPUT_DEPTH,
      maxRequestBytes: e.LINEAGE_MAX_REQUEST_BYTES,
      maxUploadBytes: e.LINEAGE_MAX_UPLOAD_BYTES,
    },
  };
  return { ...config, ...overrides };
}
