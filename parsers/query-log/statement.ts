// One distinct statement (fingerprint + dialect + session defaults) reduced to what the log needs: the
// relations it reads and writes, its column edges and the columns it reads. Built once, from the SQL engine's
// analysis or from lineage the warehouse reported itself (Snowflake ACCESS_HISTORY), then counted per row.
import { columnKey, columnName, relationKey, splitColumnKey } from '../../src/model/identity.ts';
import { isDirectKind } from '../../src/model/lineage.ts';
import type { Confidence, Diagnostic, Platform, Provenance, TransformKind } from '../../src/model/lineage.ts';
import type { ReportedAccess } from './types.ts';

/** The subset of parsers/sql's StatementLineage this module reads (structural, so the engine stays free). */
export interface EngineTableRef {
  key: string;
  displayName: string;
}
export interface EngineSource {
  table: EngineTableRef;
  column: string;
  kind: TransformKind;
}
export interface EngineStatement {
  statementType: string;
  reads: EngineTableRef[];
  write: EngineTableRef | null | undefined;
  columns: { name: string; displayName: string; sources: EngineSource[] }[];
  indirect: EngineSource[];
  confidence: Confidence;
  diagnostics: Diagnostic[];
}

export interface AnalyzeInput {
  sql: string;
  platform: Platform;
  defaultDatabase?: string | null;
  defaultSchema?: string | null;
  schema: { columns(relationKey: string): readonly string[] | undefined };
  statementId: string;
}
export type Analyzer = (input: AnalyzeInput) => Promise<readonly EngineStatement[]>;

/** Statement types whose output lands in their write target (lineage). */
const LINEAGE_TYPES = new Set([
  'insert',
  'create_table',
  'create_view',
  'merge',
  'update',
  'copy',
  'unparsed',
]);

export interface RelationRef {
  key: string;
  displayName: string;
  /** Set when the warehouse reports the relation is a view (ACCESS_HISTORY objectDomain). */
  view?: boolean;
}

export interface StatementFacts {
  fingerprint: string;
  platform: Platform;
  provenance: Provenance;
  confidence: Confidence;
  /** Relations read (sorted by key), for usage and relation edges. */
  reads: RelationRef[];
  /** Columns read anywhere in the statement (column keys, sorted), for per-column usage. */
  readColumns: string[];
  writes: (RelationRef & { kind: 'table' | 'view' })[];
  /** [from column key, to column key, kind], unique. */
  columnEdges: [string, string, TransformKind][];
  /** [from relation key, to relation key], unique. */
  relationEdges: [string, string][];
  /** Relations this statement creates as temporary (session-scoped). */
  temporary: string[];
  /** Columns learned for relations this statement creates (for later statements). */
  created: { key: string; columns: string[] }[];
  /** True when the SQL engine could not parse (a part of) the text: relations only, no columns. */
  unparsed: boolean;
  diagnostics: Diagnostic[];
}

const CONFIDENCE_ORDER: Confidence[] = ['EXACT', 'INFERRED', 'TABLE_LEVEL'];
export function worstConfidence(a: Confidence, b: Confidence): Confidence {
  return CONFIDENCE_ORDER.indexOf(a) >= CONFIDENCE_ORDER.indexOf(b) ? a : b;
}

const TEMP_CREATE =
  /\bcreate\s+(?:or\s+replace\s+)?(?:(?:local|global)\s+)?(?:temp|temporary|volatile)\s+(?:table|view)\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|`[^`]+`|[\w$#]+)(?:\s*\.\s*(?:"[^"]+"|`[^`]+`|[\w$#]+))*)/gi;
const TEMP_INTO =
  /\binto\s+(?:temp|temporary)\s+(?:table\s+)?((?:"[^"]+"|[\w$#]+)(?:\s*\.\s*(?:"[^"]+"|[\w$#]+))*)/gi;
/** BigQuery scripts: CREATE TEMP TABLE; Redshift: `#name` tables are session-scoped. */
export function temporaryNames(sql: string): string[] {
  const names: string[] = [];
  for (const re of [TEMP_CREATE, TEMP_INTO]) {
    re.lastIndex = 0;
    for (let m = re.exec(sql); m; m = re.exec(sql)) names.push(m[1]);
  }
  return names;
}

interface Defaults {
  database?: string | null;
  schema?: string | null;
}

function sortedUnique<T>(items: T[], key: (t: T) => string): T[] {
  const map = new Map<string, T>();
  for (const t of items) if (!map.has(key(t))) map.set(key(t), t);
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

function finish(
  f: Omit<StatementFacts, 'reads' | 'readColumns' | 'columnEdges' | 'relationEdges'> & {
    reads: RelationRef[];
    readColumns: string[];
    columnEdges: [string, string, TransformKind][];
    relationEdges: [string, string][];
  },
): StatementFacts {
  return {
    ...f,
    reads: sortedUnique(f.reads, (r) => r.key),
    readColumns: sortedUnique(f.readColumns, (c) => c),
    columnEdges: sortedUnique(f.columnEdges, (e) => `${e[0]}\u0000${e[1]}\u0000${e[2]}`),
    relationEdges: sortedUnique(f.relationEdges, (e) => `${e[0]}\u0000${e[1]}`),
    temporary: [...new Set(f.temporary)].sort(),
  };
}

/** Facts from the SQL engine's analysis of one text (which may hold several statements). */
export function factsFromEngine(
  fingerprint: string,
  platform: Platform,
  sql: string,
  defaults: Defaults,
  statements: readonly EngineStatement[],
): StatementFacts {
  const reads: RelationRef[] = [];
  const readColumns: string[] = [];
  const writes: StatementFacts['writes'] = [];
  const columnEdges: [string, string, TransformKind][] = [];
  const relationEdges: [string, string][] = [];
  const created: StatementFacts['created'] = [];
  const diagnostics: Diagnostic[] = [];
  let confidence: Confidence = 'EXACT';
  let unparsed = statements.length === 0;
  for (const s of statements) {
    diagnostics.push(...s.diagnostics);
    // 'unparsed' still carries the tokenizer's table-level reads and write target.
    if (s.statementType === 'unparsed') unparsed = true;
    confidence = worstConfidence(confidence, s.confidence);
    for (const r of s.reads) reads.push({ key: r.key, displayName: r.displayName });
    const sources = [...s.columns.flatMap((c) => c.sources), ...s.indirect];
    for (const src of sources) readColumns.push(columnKey(src.table.key, src.column));
    const write = s.write;
    if (!write) continue;
    const isView = s.statementType === 'create_view';
    writes.push({ key: write.key, displayName: write.displayName, kind: isView ? 'view' : 'table' });
    if ((s.statementType === 'create_table' || isView) && s.columns.length > 0)
      created.push({ key: write.key, columns: s.columns.map((c) => c.name) });
    if (!LINEAGE_TYPES.has(s.statementType)) continue;
    for (const r of s.reads) if (r.key !== write.key) relationEdges.push([r.key, write.key]);
    for (const col of s.columns) {
      const to = columnKey(write.key, col.name);
      for (const src of col.sources) columnEdges.push([columnKey(src.table.key, src.column), to, src.kind]);
      for (const src of s.indirect) columnEdges.push([columnKey(src.table.key, src.column), to, src.kind]);
    }
  }
  const temporary = temporaryNames(sql).map((n) => relationKey(platform, n, defaults));
  return finish({
    fingerprint,
    platform,
    provenance: 'query_log',
    confidence,
    reads,
    readColumns,
    writes: sortedUnique(writes, (w) => w.key),
    columnEdges,
    relationEdges,
    temporary,
    created,
    unparsed,
    diagnostics,
  });
}

/**
 * Facts from what the warehouse reported. Column-level reports (ACCESS_HISTORY) are exact and replace the
 * SQL analysis; table-level reports (BigQuery referenced_tables / destination_table) are merged into it:
 * the warehouse's relations are authoritative, the engine adds the columns.
 */
export function factsFromAccess(
  fingerprint: string,
  platform: Platform,
  access: ReportedAccess,
  engine: StatementFacts | null,
): StatementFacts {
  const rel = (name: string): RelationRef => ({ key: relationKey(platform, name), displayName: name });
  const reads = access.reads.map((r) => (r.view ? { ...rel(r.name), view: true } : rel(r.name)));
  const writes = access.writes.map((w) => ({ ...rel(w.name), kind: 'table' as const }));
  const relationEdges: [string, string][] = [];
  for (const w of writes) for (const r of reads) if (r.key !== w.key) relationEdges.push([r.key, w.key]);
  if (!access.columnLevel && engine) {
    // Keep the engine's columns; take relations from the warehouse.
    const engineWrites = new Map(engine.writes.map((w) => [w.key, w]));
    return finish({
      ...engine,
      reads: [...reads, ...engine.reads],
      writes: sortedUnique(
        writes.map((w) => engineWrites.get(w.key) ?? w).concat(engine.writes),
        (w) => w.key,
      ),
      relationEdges: [...relationEdges, ...engine.relationEdges],
      unparsed: false,
    });
  }
  const readColumns: string[] = [];
  for (const r of access.reads) {
    const key = relationKey(platform, r.name);
    for (const c of r.columns) readColumns.push(columnKey(key, columnName(platform, c)));
  }
  // directSources say the value flows (a DIRECT kind) but not how: the engine's kind for the same pair
  // when it found one, else TRANSFORMATION. The engine's INDIRECT edges into the same targets are kept.
  const engineKinds = new Map<string, TransformKind>();
  for (const [from, to, kind] of engine?.columnEdges ?? [])
    if (isDirectKind(kind)) engineKinds.set(`${from}\u0000${to}`, kind);
  const columnEdges: [string, string, TransformKind][] = [];
  const targets = new Set(writes.map((w) => w.key));
  for (const l of access.columnLineage) {
    const to = columnKey(relationKey(platform, l.target), columnName(platform, l.column));
    for (const s of l.sources) {
      const from = columnKey(relationKey(platform, s.table), columnName(platform, s.column));
      columnEdges.push([from, to, engineKinds.get(`${from}\u0000${to}`) ?? 'TRANSFORMATION']);
    }
  }
  for (const e of engine?.columnEdges ?? [])
    if (!isDirectKind(e[2]) && targets.has(splitColumnKey(e[1]).relationKey)) columnEdges.push(e);
  return finish({
    fingerprint,
    platform,
    provenance: access.columnLevel ? 'access_history' : 'query_log',
    confidence: access.columnLevel ? 'EXACT' : 'TABLE_LEVEL',
    reads,
    readColumns,
    writes: sortedUnique(writes, (w) => w.key),
    columnEdges,
    relationEdges,
    temporary: engine?.temporary ?? [],
    created: engine?.created ?? [],
    unparsed: false,
    diagnostics: [],
  });
}
