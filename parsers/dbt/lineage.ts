// Column lineage of every compiled model, in dependency order, through the SQL engine. Each model sees
// the columns of what it reads: the catalog first, else its parents' resolved output, else documented
// columns. Ephemeral models are inlined CTEs (`__dbt__cte__<name>`); incremental self references are
// ignored as edges; snapshots get their dbt_* meta columns.
import { createHash } from 'node:crypto';
import type { Confidence, RelationKey, SqlShape } from '../../src/model/lineage.ts';
import { CONFIDENCES } from '../../src/model/lineage.ts';
import { splitKey } from '../../src/model/identity.ts';
import type { BatchBuilder } from './builder.ts';
import { cmp } from './manifest.ts';
import type { NodeIndex } from './nodes.ts';
import type { AnalyzeSql, SchemaLookup, SourceColumnRef, StatementLineage } from './sql-engine.ts';
import type { DbtNode, DbtProject } from './types.ts';

/** A per-model cache of engine results, valid while the SQL and every schema the engine asked for match. */
export interface LineageCache {
  get(uniqueId: string): CachedLineage | undefined;
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
}

const SNAPSHOT_META = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'];

/** Nodes with SQL to analyze, parents first: Kahn's algorithm by levels, each level sorted by unique_id;
 * nodes left in a cycle (dbt forbids them) come last, sorted. O(n log n + edges). */
export function topologicalOrder(nodes: DbtNode[]): DbtNode[] {
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
  const out: DbtNode[] = [];
  const done = new Set<string>();
  let level = nodes.filter((n) => indegree.get(n.uniqueId) === 0).map((n) => n.uniqueId);
  while (level.length > 0) {
    level.sort(cmp);
    const next: string[] = [];
    for (const id of level) {
      done.add(id);
      out.push(byId.get(id) as DbtNode);
      for (const c of children.get(id) ?? []) {
        const d = (indegree.get(c) ?? 0) - 1;
        indegree.set(c, d);
        if (d === 0) next.push(c);
      }
    }
    level = next;
  }
  if (out.length < nodes.length)
    out.push(...nodes.filter((n) => !done.has(n.uniqueId)).sort((a, b) => cmp(a.uniqueId, b.uniqueId)));
  return out;
}

export async function addColumnLineage(ctx: LineageContext): Promise<LineageStats> {
  const { project, index, builder: b } = ctx;
  const stats: LineageStats = {
    compiled: 0,
    withColumnLineage: 0,
    withColumnEdges: 0,
    parsed: 0,
    cacheHits: 0,
    failed: 0,
  };
  /** Output columns resolved by the engine, per relation. */
  const resolved = new Map<RelationKey, string[]>();
  const ephemeralKeyByName = new Map<string, RelationKey>();
  for (const [name, id] of index.ephemeralByName) {
    const k = index.keyOf.get(id);
    if (k) ephemeralKeyByName.set(name, k);
  }
  const ephemeralOf = (key: RelationKey): RelationKey | undefined => {
    const last = splitKey(key).pop() ?? '';
    const m = /^__dbt__cte__(.+)$/i.exec(last);
    if (!m) return undefined;
    return ephemeralKeyByName.get(m[1]) ?? ephemeralKeyByName.get(m[1].toLowerCase());
  };
  const known = (key: RelationKey): string[] | undefined => {
    const eph = ephemeralOf(key);
    const k = eph ?? key;
    return index.catalogColumns.get(k) ?? resolved.get(k) ?? nonEmpty(index.documentedColumns.get(k));
  };

  const candidates = [...project.nodes.values()].filter(
    (n) =>
      (n.resourceType === 'model' || n.resourceType === 'snapshot' || n.resourceType === 'analysis') &&
      n.compiledSql !== null,
  );
  for (const n of topologicalOrder(candidates)) {
    stats.compiled++;
    ctx.onModel?.();
    const self = index.keyOf.get(n.uniqueId) ?? null;
    // Unqualified names in the SQL resolve against the model's own database and schema.
    const ident = { db: n.database, schema: n.schema };
    const sql = n.compiledSql as string;
    const sqlHash = hash([ctx.engineStamp ?? '', project.platform, ident.db ?? '', ident.schema ?? '', sql]);
    let statements: StatementLineage[] | null = null;
    const cached = ctx.cache?.get(n.uniqueId);
    if (
      cached &&
      cached.sqlHash === sqlHash &&
      cached.lookups.every(([k, cols]) => sameList(known(k), cols))
    ) {
      statements = cached.statements;
      stats.cacheHits++;
    } else if (ctx.analyzeSql) {
      const lookups = new Map<RelationKey, string[] | null>();
      const schema: SchemaLookup = {
        columns(key) {
          const cols = known(key);
          lookups.set(key, cols ? [...cols] : null);
          return cols;
        },
      };
      try {
        statements = await ctx.analyzeSql({
          sql,
          platform: project.platform,
          defaultDatabase: ident.db,
          defaultSchema: ident.schema,
          schema,
          statementId: n.uniqueId,
        });
        stats.parsed++;
        ctx.cache?.set(n.uniqueId, {
          sqlHash,
          lookups: [...lookups.entries()].sort((a, c) => cmp(a[0], c[0])),
          statements,
        });
      } catch (err) {
        stats.failed++;
        b.diagnostics.push({
          code: 'DBT_SQL_UNPARSED',
          severity: 'warning',
          message: `column lineage of ${n.uniqueId} failed (${oneLine(err)}); table-level edges from depends_on only`,
          where: { file: project.file, jsonPath: n.jsonPath, uniqueId: n.uniqueId },
        });
      }
    }
    if (!statements) continue;
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
      continue;
    }
    if (n.resourceType === 'analysis' || !self) continue; // analyses are consumers, not relations
    const edges = emitModelLineage(ctx, n, self, stmt, ephemeralOf);
    if (stmt.shape) setShape(b, self, stmt.shape);
    resolved.set(
      self,
      stmt.columns.map((c) => c.name),
    );
    stats.withColumnLineage++;
    if (edges > 0) stats.withColumnEdges++;
  }
  return stats;
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

function setShape(b: BatchBuilder, key: RelationKey, shape: SqlShape): void {
  const r = b.relations.get(key);
  if (r) b.relations.set(key, { ...r, sqlShape: shape });
}

/** The statement that defines the model: the last one with output columns (hooks come first). */
function pickStatement(statements: StatementLineage[]): StatementLineage | undefined {
  for (let i = statements.length - 1; i >= 0; i--) if (statements[i].columns.length > 0) return statements[i];
  return statements[statements.length - 1];
}

function nonEmpty(xs: string[] | undefined): string[] | undefined {
  return xs && xs.length > 0 ? xs : undefined;
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
