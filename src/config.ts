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
  LINEAGE_HOST: z.string().default('127.0.0.1'),
  LINEAGE_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
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
});

export interface Config {
  dataDir: string;
  store: 'embedded' | 'neo4j';
  neo4j: { uri?: string; user: string; password: string; database: string };
  server: {
    host: string;
    port: number;
    readToken?: string;
    writeToken?: string;
    adminToken?: string;
    ingestPaths: string[];
  };
  usage: { serviceUsers: string[]; serviceRoles: string[] };
  limits: { maxTraversalDepth: number; maxQueryDepth: number; maxPageSize: number; requestTimeoutMs: number };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
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
    server: {
      host: e.LINEAGE_HOST,
      port: e.LINEAGE_PORT,
      readToken: e.LINEAGE_READ_TOKEN,
      writeToken: e.LINEAGE_WRITE_TOKEN,
      adminToken: e.LINEAGE_ADMIN_TOKEN,
      ingestPaths: list(e.LINEAGE_INGEST_PATHS),
    },
    usage: { serviceUsers: list(e.LINEAGE_SERVICE_USERS), serviceRoles: list(e.LINEAGE_SERVICE_ROLES) },
    limits: {
      maxTraversalDepth: e.LINEAGE_MAX_TRAVERSAL_DEPTH,
      maxQueryDepth: e.LINEAGE_MAX_QUERY_DEPTH,
      maxPageSize: e.LINEAGE_MAX_PAGE_SIZE,
      requestTimeoutMs: e.LINEAGE_REQUEST_TIMEOUT_MS,
    },
  };
  return { ...config, ...overrides };
}
