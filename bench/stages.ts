// One benchmark stage per child process (so peak RSS is per stage): `node --import tsx bench/stages.ts
// <stage> '<json params>'`. Prints one line `@@RESULT <json>` on stdout. A stage whose piece has not landed
// (module missing, LINEAGE_NOT_AVAILABLE) reports { status: 'not available', reason } instead of failing.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRng } from './generator/prng.ts';
import { ensureWarehouse } from './generator/index.ts';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';

export interface StageParams {
  seed: string;
  size: number;
  /** Generated warehouse directory. */
  dir: string;
  store: 'embedded' | 'neo4j';
  /** Embedded store data directory. */
  dataDir: string;
  samples: number;
  /** GraphQL load duration, seconds. */
  duration: number;
  /** Analyses' notion of "now" (the generated log spans 2026-10-02..2026-11-01). */
  now: string;
  /** Bolt URI of the Neo4j server bench/run.ts started (store 'neo4j'). */
  neo4jUri?: string;
}

export type StageResult = Record<string, unknown> & { status: 'ok' | 'not available' | 'failed' };

class NotAvailable extends Error {}

/** Imports a module of the product, or throws NotAvailable when it has not landed yet. */
async function load<T>(path: string): Promise<T> {
  const url = new URL(path, import.meta.url);
  if (!existsSync(url)) throw new NotAvailable(`${path.replace(/^\.\.\//, '')} does not exist yet`);
  return (await import(url.href)) as T;
}

type EmbeddedModule = typeof import('../graph/embedded/index.ts');
type ConfigModule = typeof import('../src/config.ts');

async function openStore(p: StageParams): Promise<LineageStore & { fileBytes?: () => number }> {
  if (p.store === 'embedded') {
    const { openEmbeddedStore } = await load<EmbeddedModule>('../graph/embedded/index.ts');
    return openEmbeddedStore({ dataDir: p.dataDir });
  }
  const { createStore } = await load<typeof import('../graph/create-store.ts')>('../graph/create-store.ts');
  return createStore(await stageConfig(p));
}

/** The service configuration of this stage's store: the environment's, with the run's data dir and server. */
async function stageConfig(p: StageParams): Promise<Config> {
  const { loadConfig } = await load<ConfigModule>('../src/config.ts');
  const config = { ...loadConfig(process.env, {}), dataDir: p.dataDir, store: p.store };
  if (p.store === 'embedded') return config;
  const uri = p.neo4jUri ?? config.neo4j.uri;
  if (!uri) throw new NotAvailable('no Neo4j server for this run (NEO4J_URI unset and none started)');
  return { ...config, neo4j: { ...config.neo4j, uri } };
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 100) / 100;
}

export function latencySummary(values: number[]): {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
} {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: percentile(s, 100) };
}

const REACH_BUCKETS: [string, number][] = [
  ['0', 0],
  ['1-10', 10],
  ['11-100', 100],
  ['101-1000', 1000],
  ['>1000', Infinity],
];

export function reachBucket(n: number): string {
  return REACH_BUCKETS.find(([, max]) => n <= max)![0];
}

/** `samples` random columns, seeded: random relation, then a random column of it. */
async function sampleColumns(store: LineageStore, p: StageParams): Promise<string[]> {
  const relations = await store.listRelations();
  const rng = createRng(`${p.seed}:${p.size}:sample`);
  const out: string[] = [];
  for (let tries = 0; out.length < p.samples && tries < p.samples * 5 && relations.length > 0; tries++) {
    const r = relations[rng.int(0, relations.length - 1)];
    const cols = await store.columnsOf(r.key);
    if (cols.length > 0) out.push(cols[rng.int(0, cols.length - 1)].key);
  }
  return out;
}

function dirBytes(dir: string): number {
  // The embedded store's files (store file and lineage cache) are flat in dataDir.
  let total = 0;
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    const st = statSync(`${dir}/${f}`);
    if (st.isFile()) total += st.size;
  }
  return total;
}

const STAGES: Record<string, (p: StageParams) => Promise<Record<string, unknown>>> = {
  async generate(p) {
    const t0 = performance.now();
    const { paths: _paths, ...summary } = ensureWarehouse(p.seed, p.size, p.dir);
    return { ...summary, wallMs: ms(t0) };
  },

  /** First ingest of the manifest + catalog into an empty store. */
  async ingest(p) {
    const { ingestDbt } = await load<typeof import('../src/pipeline/ingest-dbt.ts')>(
      '../src/pipeline/ingest-dbt.ts',
    );
    // A first ingest starts without the data dir's lineage cache and ingest state, for either store.
    rmSync(p.dataDir, { recursive: true, force: true });
    const store = await openStore(p);
    try {
      const t0 = performance.now();
      const summary = await ingestDbt(store, `${p.dir}/target`, {
        cacheDir: p.dataDir,
        now: p.now,
      });
      const ingestMs = ms(t0);
      return {
        ingestMs,
        timingsMs: summary.timingsMs,
        counts: summary.counts,
        unchanged: summary.unchanged,
        coverage: summary.columnLineageCoverage,
        diagnostics: summary.diagnostics,
      };
    } finally {
      await store.close();
    }
  },

  /**
   * --direct: the planned warehouse applied as one batch with its known column lineage (no dbt parsing, no
   * SQL engine), for sizes where a full ingest does not fit the time available. Measures the store alone.
   */
  async directIngest(p) {
    const { planWarehouse } = await import('./generator/warehouse.ts');
    const { warehouseBatch } = await import('./generator/batch.ts');
    // A first ingest starts from an empty data dir, for either store.
    rmSync(p.dataDir, { recursive: true, force: true });
    let t0 = performance.now();
    const batch = warehouseBatch(planWarehouse(p.seed, p.size));
    const buildMs = ms(t0);
    const store = await openStore(p);
    try {
      t0 = performance.now();
      const applied = await store.applyBatch(batch);
      const ingestMs = ms(t0);
      const counts = {
        relations: batch.relations.length,
        columns: batch.columns.length,
        columnEdges: batch.columnEdges.length,
        relationEdges: batch.relationEdges.length,
        consumers: batch.consumers.length,
      };
      return { ingestMs, buildMs, counts, unchanged: applied.unchanged, direct: true };
    } finally {
      await store.close();
    }
  },

  /** --direct: the same batch applied again to the store left by directIngest (store-only unchanged path). */
  async directReingest(p) {
    const { planWarehouse } = await import('./generator/warehouse.ts');
    const { warehouseBatch } = await import('./generator/batch.ts');
    const batch = warehouseBatch(planWarehouse(p.seed, p.size));
    let t0 = performance.now();
    const store = await openStore(p);
    const openMs = ms(t0);
    try {
      t0 = performance.now();
      const applied = await store.applyBatch(batch);
      return { reingestMs: ms(t0), openMs, unchanged: applied.unchanged, direct: true };
    } finally {
      await store.close();
    }
  },

  /** Re-ingest of the same, unchanged manifest into the store the ingest stage left. */
  async reingest(p) {
    const { ingestDbt } = await load<typeof import('../src/pipeline/ingest-dbt.ts')>(
      '../src/pipeline/ingest-dbt.ts',
    );
    const t0 = performance.now();
    const store = await openStore(p);
    const openMs = ms(t0);
    try {
      const t1 = performance.now();
      const summary = await ingestDbt(store, `${p.dir}/target`, {
        cacheDir: p.dataDir,
        now: p.now,
      });
      return {
        reingestMs: ms(t1),
        openMs,
        timingsMs: summary.timingsMs,
        unchanged: summary.unchanged,
        sqlCacheHits: summary.sqlCacheHits,
      };
    } finally {
      await store.close();
    }
  },

  async queryLog(p) {
    const { ingestQueryLog } = await load<typeof import('../src/pipeline/ingest-query-log.ts')>(
      '../src/pipeline/ingest-query-log.ts',
    );
    const store = await openStore(p);
    try {
      const t0 = performance.now();
      const summary = await ingestQueryLog(store, `${p.dir}/query-log.jsonl`, {
        format: 'generic',
        origin: 'query-log:bench',
        now: () => new Date(p.now),
      });
      return { ingestMs: ms(t0), usageRecords: summary.usageRecords, columnEdges: summary.columnEdges };
    } finally {
      await store.close();
    }
  },

  /** Open (load from disk) time and file size: embedded only. */
  async load(p) {
    if (p.store !== 'embedded') throw new NotAvailable('load time is an embedded-store figure');
    const t0 = performance.now();
    const store = await openStore(p);
    const loadMs = ms(t0);
    const stats = await store.stats();
    const fileBytes = store.fileBytes ? store.fileBytes() : null;
    await store.close();
    return {
      loadMs,
      fileBytes,
      dataDirBytes: dirBytes(p.dataDir),
      relations: stats.relations,
      columns: stats.columns,
      columnEdges: stats.columnEdges,
      relationEdges: stats.relationEdges,
    };
  },

  /** Impact (downstream) and root cause (upstream) latency over random columns, split by reach size. */
  async latency(p) {
    const { impact } = await load<typeof import('../src/analysis/impact.ts')>('../src/analysis/impact.ts');
    const { rootCause } = await load<typeof import('../src/analysis/root-cause.ts')>(
      '../src/analysis/root-cause.ts',
    );
    const { contextFromConfig } = await load<typeof import('../src/analysis/context.ts')>(
      '../src/analysis/context.ts',
    );
    const { loadConfig } = await load<ConfigModule>('../src/config.ts');
    const store = await openStore(p);
    try {
      const ctx = contextFromConfig(loadConfig({}), { now: new Date(p.now) });
      const columns = await sampleColumns(store, p);
      const depth = Math.min(10, ctx.maxDepth);
      // Warm-up (JIT, lazy indexes) on a few samples, not measured.
      for (const ref of columns.slice(0, 5))
        await impact(store, { ref, change: 'DROP', mode: 'CONSERVATIVE', depth }, ctx);
      // One sample: impact, then root cause, each timed.
      const timed = async (ref: string) => {
        let t0 = performance.now();
        const r = await impact(store, { ref, change: 'DROP', mode: 'CONSERVATIVE', depth }, ctx);
        const impactMs = performance.now() - t0;
        t0 = performance.now();
        const rc = await rootCause(store, { ref, since: '2026-10-25T00:00:00Z', depth }, ctx);
        return { r, rc, impactMs, rootCauseMs: performance.now() - t0 };
      };
      const down: Record<string, number[]> = {};
      const up: Record<string, number[]> = {};
      const all = { impact: [] as number[], rootCause: [] as number[] };
      let partial = 0;
      for (const ref of columns) {
        const { r, rc, impactMs, rootCauseMs } = await timed(ref);
        if (r.partial) partial++;
        const reach = r.summary.breaks + r.summary.stale + r.summary.values + r.summary.exposures;
        (down[reachBucket(reach)] ??= []).push(impactMs);
        all.impact.push(impactMs);
        (up[reachBucket(rc.candidates.length)] ??= []).push(rootCauseMs);
        all.rootCause.push(rootCauseMs);
      }
      // The same columns again: on Neo4j the first pass also pays for planning each statement shape the first
      // time it is seen (hundreds of ms for the composite ones), the second one shows what a warm server answers.
      const again = { impact: [] as number[], rootCause: [] as number[] };
      for (const ref of columns) {
        const { impactMs, rootCauseMs } = await timed(ref);
        again.impact.push(impactMs);
        again.rootCause.push(rootCauseMs);
      }
      const split = (m: Record<string, number[]>) =>
        Object.fromEntries(REACH_BUCKETS.filter(([b]) => m[b]).map(([b]) => [b, latencySummary(m[b])]));
      return {
        samples: columns.length,
        depth,
        impactPartial: partial,
        impact: latencySummary(all.impact),
        rootCause: latencySummary(all.rootCause),
        impactAgain: latencySummary(again.impact),
        rootCauseAgain: latencySummary(again.rootCause),
        impactByReach: split(down),
        rootCauseByReach: split(up),
      };
    } finally {
      await store.close();
    }
  },

  /** Whole-warehouse analyses. */
  async warehouse(p) {
    const { unusedTables } =
      await load<typeof import('../src/analysis/unused.ts')>('../src/analysis/unused.ts');
    const { complexity } = await load<typeof import('../src/analysis/complexity.ts')>(
      '../src/analysis/complexity.ts',
    );
    const { contextFromConfig } = await load<typeof import('../src/analysis/context.ts')>(
      '../src/analysis/context.ts',
    );
    const { loadConfig } = await load<ConfigModule>('../src/config.ts');
    const store = await openStore(p);
    try {
      const ctx = contextFromConfig(loadConfig({}), { now: new Date(p.now) });
      let t0 = performance.now();
      const unused = await unusedTables(store, { since: '2026-08-03T00:00:00Z', sort: 'SIZE' }, ctx);
      const unusedMs = ms(t0);
      t0 = performance.now();
      const models = await complexity(store, { scope: 'MODEL' });
      const complexityModelMs = ms(t0);
      t0 = performance.now();
      await complexity(store, { scope: 'SCHEMA' });
      const complexitySchemaMs = ms(t0);
      const count = (r: unknown): number | null => {
        const o = r as { items?: unknown[]; totalCount?: number; rows?: unknown[] };
        return o.totalCount ?? o.items?.length ?? o.rows?.length ?? null;
      };
      return {
        unusedMs,
        unusedTables: count(unused),
        complexityModelMs,
        complexityModels: count(models),
        complexitySchemaMs,
      };
    } finally {
      await store.close();
    }
  },

  /** GraphQL impact throughput on loopback with autocannon. */
  async graphql(p) {
    const app = await load<Record<string, unknown>>('../api/app.ts');
    const build = (app.buildApp ?? app.createApp ?? app.build) as
      | ((
          o: Record<string, unknown>,
        ) => Promise<{ listen(o: { port: number; host: string }): Promise<string>; close(): Promise<void> }>)
      | undefined;
    if (typeof build !== 'function') throw new NotAvailable('api/app.ts exports no buildApp/createApp');
    const autocannonModule: string = 'autocannon'; // untyped package
    const autocannon = ((await import(autocannonModule)) as { default: Autocannon }).default;
    const store = await openStore(p);
    const config = await stageConfig(p);
    const server = await build({ config, store, now: () => new Date(p.now) });
    try {
      const address = await server.listen({ port: 0, host: '127.0.0.1' });
      const columns = (await sampleColumns(store, { ...p, samples: 200 })).slice(0, 200);
      const query =
        'query($ref: String!) { impact(ref: $ref, change: DROP, depth: 10) { summary { breaks stale values exposures } } }';
      const requests = columns.map((ref) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { ref } }),
      }));
      // One checked request first: a GraphQL error would otherwise count as a fast 200.
      const probe = (await (
        await fetch(`${address}/graphql`, { ...requests[0], method: 'POST' })
      ).json()) as {
        errors?: { message: string }[];
      };
      if (probe.errors?.length) throw new Error(`GraphQL impact query failed: ${probe.errors[0].message}`);
      const result = await autocannon({ url: address, connections: 8, duration: p.duration, requests });
      return {
        connections: 8,
        durationS: p.duration,
        requestsPerSec: result.requests.average,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        total: result.requests.total,
      };
    } finally {
      await server.close();
      await store.close();
    }
  },
};

type Autocannon = (o: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

export const STAGE_NAMES = Object.keys(STAGES);

async function runStage(name: string, params: StageParams): Promise<StageResult> {
  const stage = STAGES[name];
  if (!stage) return { status: 'failed', reason: `unknown stage ${name}` };
  try {
    const out = await stage(params);
    return { status: 'ok', ...out };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (err instanceof NotAvailable || code === 'LINEAGE_NOT_AVAILABLE')
      return { status: 'not available', reason: (err as Error).message };
    return {
      status: 'failed',
      reason: `${code ? `[${code}] ` : ''}${(err as Error).message}`.split('\n')[0],
    };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [name, json] = process.argv.slice(2);
  const result = await runStage(name, JSON.parse(json) as StageParams);
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`@@RESULT ${JSON.stringify({ ...result, peakRssMB })}\n`);
  process.exit(0);
}
