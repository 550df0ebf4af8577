import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { isLineageError } from '../src/errors.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (isLineageError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has safe defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.dataDir).toBe('.lineage');
    expect(c.store).toBe('embedded');
    expect(c.server).toEqual({
      host: '127.0.0.1',
      port: 4000,
      readToken: undefined,
      adminToken: undefined,
      ingestPaths: [],
      warmIntervalMs: 30_000,
      warmSamples: 20,
    });
    expect(c.neo4j).toEqual({ uri: undefined, user: 'neo4j', password: 'neo4j', database: 'neo4j' });
    expect(c.usage).toEqual({ serviceUsers: [], serviceRoles: [] });
    expect(c.limits).toEqual({
      maxTraversalDepth: 50,
      maxQueryDepth: 12,
      maxPageSize: 500,
      requestTimeoutMs: 15_000,
      maxQueryBytes: 32_768,
      maxQueryTokens: 4000,
      maxAliases: 30,
      maxRootFields: 10,
      maxDirectives: 20,
      maxSelections: 2000,
      maxQueryCost: 20_000,
      maxInputDepth: 16,
      maxRequestBytes: 1_048_576,
      maxUploadBytes: 67_108_864,
    });
  });

  it('reads and coerces every variable', () => {
    const c = loadConfig({
      LINEAGE_DATA_DIR: '/var/lib/lineage',
      LINEAGE_STORE: 'embedded',
      NEO4J_URI: 'neo4j://db:7687',
      NEO4J_USER: 'u',
      NEO4J_PASSWORD: 'p',
      NEO4J_DATABASE: 'lin',
      LINEAGE_HOST: '0.0.0.0',
      LINEAGE_PORT: '8080',
      LINEAGE_WARM_INTERVAL_MS: '0',
      LINEAGE_WARM_SAMPLES: '5',
      LINEAGE_READ_TOKEN: 'r',
      LINEAGE_ADMIN_TOKEN: 'a',
      LINEAGE_INGEST_PATHS: ' /data/a , /data/b,,',
      LINEAGE_SERVICE_USERS: 'dbt_svc,airflow',
      LINEAGE_SERVICE_ROLES: 'TRANSFORMER',
      LINEAGE_MAX_TRAVERSAL_DEPTH: '20',
      LINEAGE_MAX_QUERY_DEPTH: '9',
      LINEAGE_MAX_PAGE_SIZE: '100',
      LINEAGE_REQUEST_TIMEOUT_MS: '5000',
      LINEAGE_WRITE_TOKEN: 'w',
      LINEAGE_ALLOWED_HOSTS: 'lineage.example.com, localhost',
      LINEAGE_MAX_QUERY_BYTES: '2048',
      LINEAGE_MAX_QUERY_TOKENS: '1500',
      LINEAGE_MAX_ALIASES: '5',
      LINEAGE_MAX_ROOT_FIELDS: '3',
      LINEAGE_MAX_DIRECTIVES: '4',
      LINEAGE_MAX_SELECTIONS: '500',
      LINEAGE_MAX_QUERY_COST: '1000',
      LINEAGE_MAX_INPUT_DEPTH: '8',
      LINEAGE_MAX_REQUEST_BYTES: '4096',
      LINEAGE_MAX_UPLOAD_BYTES: '8192',
    });
    expect(c.dataDir).toBe('/var/lib/lineage');
    expect(c.store).toBe('embedded'); // explicit LINEAGE_STORE wins over NEO4J_URI
    expect(c.neo4j).toEqual({ uri: 'neo4j://db:7687', user: 'u', password: 'p', database: 'lin' });
    expect(c.server).toEqual({
      host: '0.0.0.0',
      port: 8080,
      readToken: 'r',
      writeToken: 'w',
      adminToken: 'a',
      ingestPaths: ['/data/a', '/data/b'],
      allowedHosts: ['lineage.example.com', 'localhost'],
      warmIntervalMs: 0,
      warmSamples: 5,
    });
    expect(c.usage).toEqual({ serviceUsers: ['dbt_svc', 'airflow'], serviceRoles: ['TRANSFORMER'] });
    expect(c.limits).toEqual({
      maxTraversalDepth: 20,
      maxQueryDepth: 9,
      maxPageSize: 100,
      requestTimeoutMs: 5000,
      maxQueryBytes: 2048,
      maxQueryTokens: 1500,
      maxAliases: 5,
      maxRootFields: 3,
      maxDirectives: 4,
      maxSelections: 500,
      maxQueryCost: 1000,
      maxInputDepth: 8,
      maxRequestBytes: 4096,
      maxUploadBytes: 8192,
    });
  });

  it('picks the Neo4j store when only NEO4J_URI is set', () => {
    expect(loadConfig({ NEO4J_URI: 'bolt://localhost:7687' }).store).toBe('neo4j');
    expect(loadConfig({ NEO4J_URI: 'bolt://localhost:7687', LINEAGE_STORE: 'neo4j' }).store).toBe('neo4j');
  });

  it('applies overrides (CLI flags) on top of the environment', () => {
    const c = loadConfig({ LINEAGE_DATA_DIR: 'env-dir' }, { dataDir: 'flag-dir' });
    expect(c.dataDir).toBe('flag-dir');
  });

  it('rejects invalid values with CONFIG_INVALID naming the variable', () => {
    expect(configError({ LINEAGE_PORT: 'http' })).toMatch(/^CONFIG_INVALID: .*LINEAGE_PORT/);
    expect(configError({ LINEAGE_PORT: '70000' })).toMatch(/^CONFIG_INVALID: .*LINEAGE_PORT/);
    expect(configError({ LINEAGE_STORE: 'postgres' })).toMatch(/^CONFIG_INVALID: .*LINEAGE_STORE/);
    expect(configError({ LINEAGE_DATA_DIR: '' })).toMatch(/^CONFIG_INVALID: .*LINEAGE_DATA_DIR/);
    expect(configError({ LINEAGE_MAX_QUERY_DEPTH: '3' })).toMatch(
      /^CONFIG_INVALID: .*LINEAGE_MAX_QUERY_DEPTH/,
    );
    expect(configError({ LINEAGE_REQUEST_TIMEOUT_MS: '10' })).toMatch(
      /^CONFIG_INVALID: .*LINEAGE_REQUEST_TIMEOUT_MS/,
    );
  });

  // A quoted 'process.env.X' (a bundler's define key, say) names the variable for another program; only
  // code outside string literals reads this process's environment.
  const readsEnvironment = (source: string): boolean =>
    source.replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, "''").includes('process.env');

  it('tells a read of process.env from a quoted name', () => {
    expect(readsEnvironment('const a = process.env.X;')).toBe(true);
    expect(readsEnvironment(`define: { 'process.env.NODE_ENV': '"production"' }`)).toBe(false);
  });

  it('is the only reader of process.env in product code (besides the CLI io edge)', () => {
    const root = new URL('..', import.meta.url).pathname;
    const allowed = new Set(['src/config.ts', 'src/cli/io.ts']);
    const readers: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'node_modules' && name !== 'target') walk(path);
        } else if (/\.(ts|mjs|js)$/.test(name) && readsEnvironment(readFileSync(path, 'utf8'))) {
          readers.push(relative(root, path));
        }
      }
    };
    for (const top of ['src', 'parsers', 'graph', 'api']) {
      try {
        walk(join(root, top));
      } catch {
        // folder not there yet
      }
    }
    expect(readers.filter((p) => !allowed.has(p)).sort()).toEqual([]);
  });
});
