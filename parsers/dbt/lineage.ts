// Column lineage of every compiled model, in dependency order, through the SQL engine. Each model sees
// the columns of what it reads: the catalog first, else its parents' resolved output (documented YAML
// columns are not taken as a column list: they often name a few). Ephemeral models stay nodes of their
// own: the CTEs dbt inlines (`__dbt__cte__<name>`) are removed from a reader's SQL (ephemeral-ctes.ts),
// so the reader's edges start at the ephemeral's columns; incremental self references are ignored as
// edges; snapshots get their dbt_* meta columns.
import { createHash } from 'node:crypto';
import type { Confidence, Platform, RelationKey, SqlShape } from '../../src/model/lineage.ts';
import { CONFIDENCES } from '../../src/model/lineage.ts';
import { relationKey, splitKey } from '../../src/model/identity.ts';
import type { BatchBuilder } from './builder.ts';
import { stripEphemeralCtes } from './ephemeral-ctes.ts';
import { cmp } from './manifest.ts';
import type { NodeIndex } from './nodes.ts';
import type { AnalyzeSql, SchemaLookup, SourceColumnRef, StatementLineage } from './sql-engine.ts';
import type { SqlPool } from './sql-pool.ts';
import type { DbtNode, DbtProject } from './types.ts';

/** A per-model cache of engine results, valid while the SQL and every schema the engine asked for match. */
export interface LineageCache {
  /** The previous ingest's entry, if any (not yet kept: only set() keeps an entry for the next ingest). */
  get(uniqueId: string): CachedLineage | undefined;
  /** Keeps the entry for the next ingest (a fresh result, or a reused one). */
  set(uniqueId: string, entry: CachedLineage): void;
}

export interface CachedLineage {
  sqlHash: string;
  /** Every relation the engine looked up, with the answer it got (null = unknown). */
  lookups: [RelationKey, string[] | null][];
  statements: StatementLineage[];
}

export interface LineageStats {
  /** Models, snapshots and analyses with compiled SQL. */
  compiled: number;
  /** Of those, with output columns resolved by the engine (column-level lineage, possibly from constants only). */
  withColumnLineage: number;
  /** Of those, with at least one column edge from an upstream column. */
  withColumnEdges: number;
  parsed: number;
  cacheHits: number;
  failed: number;
  /** Threads that ran the SQL engine: 1 = this thread, else the worker pool's size. */
  workers: number;
  /** Worker runs repeated because the engine asked about a relation whose columns were not sent. */
  reruns: number;
}

export interface LineageContext {
  project: DbtProject;
  index: NodeIndex;
  builder: BatchBuilder;
  analyzeSql: AnalyzeSql | null;
  cache?: LineageCache;
  /** Hash salt: the engine's version, so a new engine invalidates the cache. */
  engineStamp?: string;
  firstSeen: string;
  onModel?: () => void;
  /**
   * Worker threads running the default engine (sql-pool.ts), created when there is enough SQL to parse;
   * without it the engine runs in this thread. Results are the same either way.
   */
  pool?: () => SqlPool | null;
}

/** What analysing one model gave, before it is applied to the batch. */
type Analysis =
  | { kind: 'cached'; statements: StatementLineage[] }
  | { kind: 'parsed'; statements: StatementLineage[] }
  | { kind: 'failed'; error: string }
  | { kind: 'none' };

/** How often a worker result whose lookups differ from what is known is re-run with those answers. */
const MAX_RETRIES = 3;

const SNAPSHOT_META = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'];

/**
 * Nodes with SQL to analyze, parents first, in levels: Kahn's algorithm, each level sorted by unique_id; no
 * node of a level depends on another of its level, so a level's SQL can be analysed in parallel. Nodes left
 * in a cycle (dbt forbids them) come last, one level each (each sees the ones before it). O(n log n + edges).
 */
export function topologicalLevels(nodes: DbtNode[]): DbtNode[][] {
  const byId = new Map(nodes.map((n) => [n.uniqueId, n]));
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    const parents = n.dependsOn.filter((d) => byId.has(d) && d !== n.uniqueId);
    indegree.set(n.uniqueId, parents.length);
    for (const p of parents) {
      const list = children.get(p);
      if (list) list.push(n.uniqueId);
      else children.set(p, [n.uniqueId]);
    }
  }
  const out: DbtNode[][] = [];
  const done = new Set<string>();
  let level = nodes.filter((n) => indegree.get(n.uniqueId) === 0).map((n) => n.uniqueId);
  while (level.length > 0) {
    level.sort(cmp);
    const next: string[] = [];
    for (const id of level) {
      done.add(id);
      for (const c of children.get(id) ?? []) {
        const d = (indegree.get(c) ?? 0) - 1;
        indegree.set(c, d);
        if (d === 0) next.push(c);
      }
    }
    out.push(level.map((id) => byId.get(id) as DbtNode));
    level = next;
  }
  if (done.size < nodes.length)
    for (const n of nodes.filter((x) => !done.has(x.uniqueId)).sort((a, b) => cmp(a.uniqueId, b.uniqueId)))
      out.push([n]);
  return out;
}

/** One lineage run: what every phase reads and the results the levels add to. */
interface LineageRun {
  ctx: LineageContext;
  stats: LineageStats;
  /** Output columns resolved by the engine, per relation. */
  resolved: Map<RelationKey, string[]>;
  ephemeralKeyByName: Map<string, RelationKey>;
  /** The SQL the engine reads, per model: the compiled SQL without inlined ephemeral CTEs. */
  sqlOf: Map<string, string>;
  /** Worker threads, created on the first level with SQL to parse (null: none; this thread parses). */
  pool: SqlPool | null | undefined;
}

/** The relation an inlined `__dbt__cte__<name>` stands for, when it names an ephemeral model. */
function ephemeralOf(run: LineageRun, key: RelationKey): RelationKey | undefined {
  const last = splitKey(key).pop() ?? '';
  const m = /^__dbt__cte__(.+)$/i.exec(last);
  if (!m) return undefined;
  return run.ephemeralKeyByName.get(m[1]) ?? run.ephemeralKeyByName.get(m[1].toLowerCase());
}

/** The columns of a relation as known so far: the catalog's, else what the engine resolved. */
function known(run: LineageRun, key: RelationKey): string[] | undefined {
  const k = ephemeralOf(run, key) ?? key;
  // Documented (YAML) columns are often a partial list, so they are not taken as the relation's columns.
  return run.ctx.index.catalogColumns.get(k) ?? run.resolved.get(k);
}

function hashOf(run: LineageRun, n: DbtNode): string {
  const { ctx } = run;
  return hash([
    ctx.engineStamp ?? '',
    ctx.project.platform,
    n.database ?? '',
    n.schema ?? '',
    run.sqlOf.get(n.uniqueId) as string,
  ]);
}

/** Every lookup answered as this thread would answer it now. */
function sameAnswers(run: LineageRun, lookups: [RelationKey, string[] | null][]): boolean {
  return lookups.every(([k, cols]) => sameList(known(run, k), cols));
}

/** A still-valid previous result, kept (set again) for the next ingest. */
function fromCache(run: LineageRun, n: DbtNode, sqlHash: string): StatementLineage[] | null {
  const cache = run.ctx.cache;
  const cached = cache?.get(n.uniqueId);
  if (!cached || cached.sqlHash !== sqlHash || !sameAnswers(run, cached.lookups)) return null;
  cache?.set(n.uniqueId, cached);
  return cached.statements;
}

function answer(run: LineageRun, key: RelationKey): [RelationKey, string[] | null] {
  const cols = known(run, key);
  return [key, cols ? [...cols] : null];
}

async function inProcess(run: LineageRun, n: DbtNode, sqlHash: string): Promise<Analysis> {
  const { ctx } = run;
  if (!ctx.analyzeSql) return { kind: 'none' };
  const lookups = new Map<RelationKey, string[] | null>();
  const schema: SchemaLookup = {
    columns(key) {
      const cols = known(run, key);
      lookups.set(key, cols ? [...cols] : null);
      return cols;
    },
  };
  try {
    const statements = await ctx.analyzeSql({
      sql: run.sqlOf.get(n.uniqueId) as string,
      platform: ctx.project.platform,
      defaultDatabase: n.database,
      defaultSchema: n.schema,
      schema,
      statementId: n.uniqueId,
    });
    ctx.cache?.set(n.uniqueId, {
      sqlHash,
      lookups: [...lookups.entries()].sort((a, c) => cmp(a[0], c[0])),
      statements,
    });
    return { kind: 'parsed', statements };
  } catch (err) {
    return { kind: 'failed', error: oneLine(err) };
  }
}

/**
 * The schemas the engine will most likely ask for: the model itself (for {{ this }}), its parents, and the
 * parents of ephemeral parents (inlined as CTEs).
 */
function prefetchFor(run: LineageRun, n: DbtNode): Map<RelationKey, string[] | null> {
  const { project, index } = run.ctx;
  const prefetch = new Map<RelationKey, string[] | null>();
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const k = index.keyOf.get(id);
    if (k) prefetch.set(...answer(run, k));
    const parent = project.nodes.get(id);
    if (id !== n.uniqueId && parent?.materialized === 'ephemeral')
      prefetch.set(...answer(run, ephemeralCteKey(project.platform, parent.name, n)));
    if (id === n.uniqueId || parent?.materialized === 'ephemeral')
      for (const d of parent?.dependsOn ?? []) visit(d);
  };
  visit(n.uniqueId);
  return prefetch;
}

async function inWorker(run: LineageRun, pool: SqlPool, n: DbtNode, sqlHash: string): Promise<Analysis> {
  const prefetch = prefetchFor(run, n);
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    let r: Awaited<ReturnType<SqlPool['run']>>;
    try {
      r = await pool.run({
        sql: run.sqlOf.get(n.uniqueId) as string,
        platform: run.ctx.project.platform,
        defaultDatabase: n.database,
        defaultSchema: n.schema,
        statementId: n.uniqueId,
        prefetch: [...prefetch],
      });
    } catch {
      return inProcess(run, n, sqlHash); // a worker died (e.g. out of memory): this thread does the model
    }
    if (sameAnswers(run, r.lookups)) {
      if (!r.ok) return { kind: 'failed', error: oneLine(new Error(r.error)) };
      const lookups = r.lookups.sort((a, c) => cmp(a[0], c[0]));
      run.ctx.cache?.set(n.uniqueId, { sqlHash, lookups, statements: r.statements });
      return { kind: 'parsed', statements: r.statements };
    }
    // The engine asked about a relation we did not send: run again with the real answers.
    run.stats.reruns++;
    for (const [k] of r.lookups) prefetch.set(...answer(run, k));
  }
  return inProcess(run, n, sqlHash);
}

/** 1. Analyses a whole level against what the levels before it resolved (the cache first). */
async function analyseLevel(run: LineageRun, level: DbtNode[]): Promise<Analysis[]> {
  const { ctx } = run;
  const hashes = level.map((n) => hashOf(run, n));
  const cachedHits = level.map((n, i) => fromCache(run, n, hashes[i]));
  const misses = cachedHits.filter((c) => c === null).length;
  if (misses > 0 && ctx.analyzeSql && run.pool === undefined) {
    run.pool = ctx.pool?.() ?? null;
    if (run.pool) run.stats.workers = run.pool.size;
  }
  const pool = run.pool;
  return Promise.all(
    level.map((n, i): Promise<Analysis> | Analysis => {
      const hit = cachedHits[i];
      if (hit) return { kind: 'cached', statements: hit };
      if (!ctx.analyzeSql) return { kind: 'none' };
      return pool ? inWorker(run, pool, n, hashes[i]) : inProcess(run, n, hashes[i]);
    }),
  );
}

/** 2. Applies a level's results in order; only then do its outputs become known. */
function applyLevel(run: LineageRun, level: DbtNode[], analyses: Analysis[]): void {
  const outputs: [RelationKey, string[]][] = [];
  level.forEach((n, i) => {
    const out = applyAnalysis(run.ctx, n, analyses[i], run.stats, (key) => ephemeralOf(run, key));
    if (out) outputs.push(out);
  });
  for (const [k, cols] of outputs) run.resolved.set(k, cols);
}

function startRun(ctx: LineageContext, candidates: DbtNode[]): LineageRun {
  const ephemeralKeyByName = new Map<string, RelationKey>();
  for (const [name, id] of ctx.index.ephemeralByName) {
    const k = ctx.index.keyOf.get(id);
    if (k) ephemeralKeyByName.set(name, k);
  }
  return {
    ctx,
    stats: {
      compiled: 0,
      withColumnLineage: 0,
      withColumnEdges: 0,
      parsed: 0,
      cacheHits: 0,
      failed: 0,
      workers: 1,
      reruns: 0,
    },
    resolved: new Map(),
    ephemeralKeyByName,
    sqlOf: new Map(candidates.map((n) => [n.uniqueId, stripEphemeralCtes(n.compiledSql as string)])),
    pool: undefined,
  };
}

export async function addColumnLineage(ctx: LineageContext): Promise<LineageStats> {
  const candidates = [...ctx.project.nodes.values()].filter(
    (n) =>
      (n.resourceType === 'model' || n.resourceType === 'snapshot' || n.resourceType === 'analysis') &&
      n.compiledSql !== null,
  );
  const run = startRun(ctx, candidates);
  try {
    for (const level of topologicalLevels(candidates)) applyLevel(run, level, await analyseLevel(run, level));
  } finally {
    if (run.pool) await run.pool.close();
  }
  return run.stats;
}

/** Adds one model's lineage to the batch; returns its resolved output columns (for its children). */
function applyAnalysis(
  ctx: LineageContext,
  n: DbtNode,
  a: Analysis,
  stats: LineageStats,
  ephemeralOf: (key: RelationKey) => RelationKey | undefined,
): [RelationKey, string[]] | null {
  const { project, index, builder: b } = ctx;
  stats.compiled++;
  ctx.onModel?.();
  const self = index.keyOf.get(n.uniqueId) ?? null;
  let statements: StatementLineage[] | null = null;
  switch (a.kind) {
    case 'cached':
      statements = a.statements;
      stats.cacheHits++;
      break;
    case 'parsed':
      statements = a.statements;
      stats.parsed++;
      break;
    case 'failed':
      stats.failed++;
      b.diagnostics.push({
        code: 'DBT_SQL_UNPARSED',
        severity: 'warning',
        message: `column lineage of ${n.uniqueId} failed (${a.error}); table-level edges from depends_on only`,
        where: { file: project.file, jsonPath: n.jsonPath, uniqueId: n.uniqueId },
      });
      return null;
    case 'none':
      return null;
  }
  const stmt = pickStatement(statements);
  for (const d of statements.flatMap((s) => s.diagnostics ?? []).slice(0, 20))
    b.diagnostics.push({ ...d, where: { ...d.where, uniqueId: n.uniqueId, file: project.file } });
  if (!stmt || stmt.columns.length === 0) {
    stats.failed++;
    b.diagnostics.push({
      code: 'DBT_SQL_UNPARSED',
      severity: 'warning',
      message: `no output columns resolved for ${n.uniqueId}; table-level edges from depends_on only`,
      where: { file: project.file, jsonPath: n.jsonPath, uniqueId: n.uniqueId },
    });
    return null;
  }
  if (n.resourceType === 'analysis' || !self) return null; // analyses are consumers, not relations
  const edges = emitModelLineage(ctx, n, self, stmt, ephemeralOf);
  if (stmt.shape) setShape(b, self, stmt.shape);
  stats.withColumnLineage++;
  if (edges > 0) stats.withColumnEdges++;
  // Behind an unexpanded * the output list is incomplete: children must not take it as the model's columns.
  return stmt.complete === false ? null : [self, stmt.columns.map((c) => c.name)];
}

function emitModelLineage(
  ctx: LineageContext,
  n: DbtNode,
  self: RelationKey,
  stmt: StatementLineage,
  ephemeralOf: (key: RelationKey) => RelationKey | undefined,
): number {
  const b = ctx.builder;
  const confidence: Confidence = (CONFIDENCES as readonly string[]).includes(stmt.confidence)
    ? (stmt.confidence as Confidence)
    : 'INFERRED';
  let count = 0;
  const sourceKey = (ref: SourceColumnRef): string | null => {
    const table = ephemeralOf(ref.table.key) ?? ref.table.key;
    if (table === self) return null; // incremental `{{ this }}`: a self reference, not lineage
    b.ensureRelation(table, ref.table.displayName);
    return b.ensureColumn(table, ref.column);
  };
  const add = (from: string | null, to: string, kind: SourceColumnRef['kind']): void => {
    if (!from) return;
    b.addColumnEdge({
      from,
      to,
      kind,
      provenance: 'dbt_manifest',
      confidence,
      firstSeen: ctx.firstSeen,
      lastSeen: ctx.firstSeen,
      queryCount: 1,
      statementId: n.uniqueId,
    });
    count++;
  };
  const outputs = stmt.columns.map((c) => ({ c, to: b.ensureColumn(self, c.name, c.displayName) }));
  const indirect = stmt.indirect.map((ref) => ({ from: sourceKey(ref), kind: ref.kind }));
  for (const { c, to } of outputs) {
    for (const s of c.sources) add(sourceKey(s), to, s.kind);
    for (const i of indirect) add(i.from, to, i.kind);
  }
  if (n.resourceType === 'snapshot' && n.snapshot) {
    const byName = new Map(stmt.columns.map((c) => [c.name.toLowerCase(), c]));
    const drivers = [...n.snapshot.uniqueKey, ...(n.snapshot.updatedAt ? [n.snapshot.updatedAt] : [])]
      .map((name) => byName.get(name.toLowerCase()))
      .filter((c) => c !== undefined);
    for (const meta of SNAPSHOT_META) {
      const folded = b.platform === 'snowflake' ? meta.toUpperCase() : meta;
      const to = b.ensureColumn(self, folded, meta);
      for (const d of drivers) for (const s of d.sources) add(sourceKey(s), to, 'TRANSFORMATION');
    }
  }
  // Relations read but not declared in depends_on (hard-coded names) still get a relation edge.
  for (const r of stmt.reads) {
    const key = ephemeralOf(r.key) ?? r.key;
    if (key === self) continue;
    b.ensureRelation(key, r.displayName);
    b.addRelationEdge({
      from: key,
      to: self,
      provenance: 'dbt_manifest',
      confidence: 'INFERRED',
      firstSeen: ctx.firstSeen,
      lastSeen: ctx.firstSeen,
      queryCount: 1,
      statementId: n.uniqueId,
    });
  }
  return count;
}

/** The key the engine gives the name `__dbt__cte__<name>` as `reader` writes it (unqualified). */
function ephemeralCteKey(platform: Platform, name: string, reader: DbtNode): RelationKey {
  return relationKey(platform, `__dbt__cte__${name}`, {
    database: reader.database,
    schema: reader.schema,
  });
}

function setShape(b: BatchBuilder, key: RelationKey, shape: SqlShape): void {
  const r = b.relations.get(key);
  if (r) b.relations.set(key, { ...r, sqlShape: shape });
}

/** The statement that defines the model: the last one with output columns (hooks come first). */
function pickStatement(statements: StatementLineage[]): StatementLineage | undefined {
  for (let i = statements.length - 1; i >= 0; i--) if (statements[i].columns.length > 0) return statements[i];
  return statements[statements.length - 1];
}

function sameList(a: readonly string[] | undefined, b: string[] | null): boolean {
  if (!a || a.length === 0) return b === null || b.length === 0;
  if (!b || a.length !== b.length) return false;
  return a.every((x, i) => x === b[i]);
}

export function hash(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

function oneLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0].slice(0, 200);
}
