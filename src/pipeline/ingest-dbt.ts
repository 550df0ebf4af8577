// Ingest a dbt target/ directory into a store: parse every artifact (parsers/dbt), then apply the batch as
// one origin (`dbt:<project>`), replacing what the previous ingest of that project contributed. Bad input
// throws before the store is touched. Used by `lineage ingest dbt`, `lineage demo` and the ingest mutation.
import type { SqlTextStage, SqlTextStore } from '../../graph/sql-text/index.ts';
import type { ApplyResult, LineageStore } from '../../graph/store.ts';
import { artifactPaths, parseDbtTarget, type ParseDbtOptions } from '../../parsers/dbt/index.ts';
import type { AnalyzeSql } from '../../parsers/dbt/sql-engine.ts';
import type { LineageBatch, Severity } from '../model/lineage.ts';
import { artifactDigest, forgetIngestState, readIngestState, writeIngestState } from './dbt-ingest-state.ts';
import { FileLineageCache, sqlEngineStamp } from './dbt-lineage-cache.ts';

export interface IngestDbtOptions {
  catalog?: string;
  runResults?: string;
  sources?: string;
  /** Where the per-model lineage cache lives (usually the store's data dir); no cache when absent. */
  cacheDir?: string;
  /** Ingest time (ISO); default now. */
  now?: string;
  /** Override the SQL engine (`null` = table level only). */
  analyzeSql?: AnalyzeSql | null;
  /** Worker threads for SQL column lineage (default: the available cores; 1 = in-process). */
  sqlWorkers?: number;
  /** Fewest models with SQL for which workers are started (default 200). */
  workerThreshold?: number;
  progress?: { setTotal(total: number): void; tick(n?: number): void; done(): void };
  /** Where the models' compiled SQL is kept for asset pages (replaced with the graph); none when absent. */
  sqlText?: SqlTextStore;
}

export interface IngestDbtSummary {
  originId: string;
  project: string;
  schemaVersion: number;
  dbtVersion: string | null;
  platform: string;
  files: { manifest: string; catalog: string | null; runResults: string | null; sources: string | null };
  models: number;
  compiledModels: number;
  modelsWithColumnLineage: number;
  modelsWithColumnEdges: number;
  /** modelsWithColumnLineage / models (0 when there are no models). */
  columnLineageCoverage: number;
  counts: {
    relations: number;
    columns: number;
    consumers: number;
    columnEdges: number;
    relationEdges: number;
    consumerEdges: number;
    checks: number;
    evidence: number;
    fingerprints: number;
  };
  diagnostics: Record<Severity, number>;
  diagnosticsByCode: Record<string, number>;
  /** The first warnings and errors (at most 20), for display; all are stored with the origin. */
  notable: { code: string; severity: Severity; message: string; uniqueId?: string }[];
  sqlParsed: number;
  sqlCacheHits: number;
  /** Threads that ran the SQL engine (1 = in-process; 0 when nothing was parsed). */
  sqlWorkers: number;
  /** True when the store reported nothing changed. */
  unchanged: boolean;
  /**
   * True when the artifacts were byte-identical to the last ingest of this target (same parser code) and the
   * store still held exactly that ingest: nothing was parsed or written, and the counts are that ingest's.
   */
  reusedPreviousIngest: boolean;
  /** Wall times; `cpu` is this process's CPU time over the ingest (user + system, every thread). */
  timingsMs: { parse: number; apply: number; total: number; cpu: number };
}

type ParsedSummary = Omit<IngestDbtSummary, 'unchanged' | 'reusedPreviousIngest' | 'timingsMs'>;

/** Parses a dbt target directory into a batch (no store), with the persistent lineage cache when asked. */
export async function parseDbt(
  targetDir: string,
  options: IngestDbtOptions & { onCompiledSql?: ParseDbtOptions['onCompiledSql'] } = {},
): Promise<{
  batch: LineageBatch;
  summary: ParsedSummary;
  cache: FileLineageCache | null;
}> {
  let cache: FileLineageCache | null = null;
  const parseOptions: ParseDbtOptions = {
    catalog: options.catalog,
    runResults: options.runResults,
    sources: options.sources,
    now: options.now,
    sqlWorkers: options.sqlWorkers,
    workerThreshold: options.workerThreshold,
    ...(options.analyzeSql !== undefined ? { analyzeSql: options.analyzeSql } : {}),
    ...(options.cacheDir
      ? {
          cacheFor: (project: string) => {
            cache = FileLineageCache.open(options.cacheDir as string, project);
            return cache;
          },
          engineStamp: sqlEngineStamp(),
        }
      : {}),
    onCompiledSql: options.onCompiledSql,
    onTotal: (n) => options.progress?.setTotal(n),
    onModel: () => options.progress?.tick(),
  };
  let r;
  try {
    r = await parseDbtTarget(targetDir, parseOptions);
  } catch (err) {
    (cache as FileLineageCache | null)?.release(); // no temporary cache file survives a failed parse
    throw err;
  }
  // A damaged cache only costs re-parsing; its warning travels with the batch.
  r.batch.diagnostics.push(...((cache as FileLineageCache | null)?.diagnostics ?? []));
  return { batch: r.batch, cache, summary: summarize(r) };
}

function summarize(r: Awaited<ReturnType<typeof parseDbtTarget>>): ParsedSummary {
  const b = r.batch;
  const diagnostics: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const byCode: Record<string, number> = {};
  for (const d of b.diagnostics) {
    diagnostics[d.severity]++;
    byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  }
  return {
    originId: b.origin.id,
    project: r.project.projectName,
    schemaVersion: r.project.schemaVersion,
    dbtVersion: r.project.dbtVersion ?? null,
    platform: r.project.platform,
    files: {
      manifest: r.paths.manifest,
      catalog: r.paths.catalog ?? null,
      runResults: r.paths.runResults ?? null,
      sources: r.paths.sources ?? null,
    },
    models: r.models,
    compiledModels: r.lineage.compiled,
    modelsWithColumnLineage: r.lineage.withColumnLineage,
    modelsWithColumnEdges: r.lineage.withColumnEdges,
    columnLineageCoverage: r.models === 0 ? 0 : round(r.lineage.withColumnLineage / r.models),
    counts: {
      relations: b.relations.length,
      columns: b.columns.length,
      consumers: b.consumers.length,
      columnEdges: b.columnEdges.length,
      relationEdges: b.relationEdges.length,
      consumerEdges: b.consumerEdges.length,
      checks: b.checks.length,
      evidence: b.evidence.length,
      fingerprints: b.fingerprints.length,
    },
    diagnostics,
    notable: b.diagnostics
      .filter((d) => d.severity !== 'info')
      .slice(0, 20)
      .map((d) => ({
        code: d.code,
        severity: d.severity,
        message: d.message,
        ...(d.where?.uniqueId ? { uniqueId: d.where.uniqueId } : {}),
      })),
    diagnosticsByCode: Object.fromEntries(Object.entries(byCode).sort(([a], [c]) => (a < c ? -1 : 1))),
    sqlParsed: r.lineage.parsed,
    sqlCacheHits: r.lineage.cacheHits,
    sqlWorkers: r.lineage.parsed > 0 ? r.lineage.workers : 0,
  };
}

/** Measures the wall and CPU time of one ingest. */
function stopwatch(): { ms(): number; cpuMs(): number } {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  return {
    ms: () => Math.round(performance.now() - t0),
    cpuMs: () => {
      const c = process.cpuUsage(cpu0);
      return Math.round((c.user + c.system) / 1000);
    },
  };
}

export async function ingestDbt(
  store: LineageStore,
  targetDir: string,
  options: IngestDbtOptions = {},
): Promise<IngestDbtSummary> {
  const clock = stopwatch();
  // The skip needs the persistent cache dir and the default engine (an injected engine has no code stamp).
  const canSkip = options.cacheDir !== undefined && options.analyzeSql === undefined;
  const paths = artifactPaths(targetDir, options);
  const digest = canSkip ? await artifactDigest(paths, options.now ?? '') : '';
  const reused = canSkip ? await reusePreviousIngest(store, options, paths.manifest, digest, clock) : null;
  if (reused) return reused;
  const sqlStage = await options.sqlText?.stage();
  let parsed, applied;
  let parseMs = 0;
  try {
    try {
      parsed = await parseDbt(targetDir, { ...options, onCompiledSql: sqlStage?.add });
    } finally {
      options.progress?.done();
    }
    // The cache is only a speed-up: its entries were written as models finished; save() makes them the cache.
    // A cache that cannot be written fails here, before the store is touched.
    parsed.cache?.save();
    parsed.cache?.release();
    parseMs = clock.ms();
    applied = await handOver(store, parsed);
  } catch (err) {
    sqlStage?.abort();
    throw err;
  }
  const summary = { ...parsed.summary };
  const sqlFailed = sqlStage ? await commitSqlText(sqlStage, summary.originId) : null;
  if (sqlFailed) summary.notable = [...summary.notable, sqlFailed];
  // an ingest whose SQL text was not saved is not recorded as done: the same artifacts re-ingest fully
  if (canSkip && !sqlFailed) {
    const failed = await recordIngestState(
      store,
      options.cacheDir as string,
      paths.manifest,
      digest,
      summary,
    );
    if (failed) summary.notable = [...summary.notable, failed];
  }
  return {
    ...summary,
    unchanged: applied.unchanged,
    reusedPreviousIngest: false,
    timingsMs: { parse: parseMs, apply: clock.ms() - parseMs, total: clock.ms(), cpu: clock.cpuMs() },
  };
}

/** The graph is applied: the texts follow it; a failure is a warning on the summary, not a failed ingest. */
async function commitSqlText(
  stage: SqlTextStage,
  originId: string,
): Promise<ParsedSummary['notable'][number] | null> {
  try {
    await stage.commit(originId);
    return null;
  } catch (err) {
    return { code: 'STORE_WRITE_FAILED', severity: 'warning', message: (err as Error).message };
  }
}

/**
 * Applies the parsed batch and lets go of it here (not async: no suspended frame keeps it), so the store is
 * its only holder and can free the batch's millions of objects while it builds its index.
 */
function handOver(store: LineageStore, parsed: { batch: LineageBatch | null }): Promise<ApplyResult> {
  const batch = parsed.batch as LineageBatch;
  parsed.batch = null;
  return store.applyBatch(batch);
}

/** The previous ingest's summary when the artifacts are byte-identical and the store still holds it. */
async function reusePreviousIngest(
  store: LineageStore,
  options: IngestDbtOptions,
  manifest: string,
  digest: string,
  clock: ReturnType<typeof stopwatch>,
): Promise<IngestDbtSummary | null> {
  const state = readIngestState<ParsedSummary>(options.cacheDir as string, manifest);
  if (!state || state.digest !== digest) return null;
  const origin = (await store.origins()).find((o) => o.id === state.originId);
  if (!origin || origin.ingestedAt !== state.originIngestedAt) return null;
  options.progress?.done();
  const s = state.summary;
  const total = clock.ms();
  return {
    ...s,
    sqlParsed: 0,
    sqlCacheHits: s.sqlParsed + s.sqlCacheHits,
    sqlWorkers: 0,
    unchanged: true,
    reusedPreviousIngest: true,
    timingsMs: { parse: total, apply: 0, total, cpu: clock.cpuMs() },
  };
}

/**
 * Remembers this ingest for the next one's skip. The store is already written, so a state that cannot be
 * written is not an ingest failure: the old state is removed (the next ingest parses in full) and the
 * problem is returned as a notable warning.
 */
async function recordIngestState(
  store: LineageStore,
  cacheDir: string,
  manifest: string,
  digest: string,
  summary: ParsedSummary,
): Promise<ParsedSummary['notable'][number] | null> {
  const origin = (await store.origins()).find((o) => o.id === summary.originId);
  if (!origin) return null;
  try {
    writeIngestState<ParsedSummary>(cacheDir, manifest, {
      digest,
      originId: origin.id,
      originIngestedAt: origin.ingestedAt,
      summary,
    });
    return null;
  } catch (err) {
    forgetIngestState(cacheDir, manifest);
    return { code: 'STORE_WRITE_FAILED', severity: 'warning', message: (err as Error).message };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
