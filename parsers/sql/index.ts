// The SQL column-lineage engine's public surface. Pipeline per statement:
//   tokens.ts (split) -> parse.ts (node-sql-parser, grammar fallback) -> convert.ts (our tree)
//   -> scope.ts / qualify.ts / lineage.ts (resolve) -> statement.ts (reads, write, columns)
// A statement no grammar reads gets a tokenizer-pass table-level result. Never throws.
import type { Diagnostic, Platform, RelationKey, SqlShape, TransformKind } from '../../src/model/lineage.ts';
import { isLineageError } from '../../src/errors.ts';
import { relationIdentity } from '../../src/model/identity.ts';
import { DEFAULT_ORDER } from './front.ts';
import { relationName } from './names.ts';
import { rewriteForParse } from './rewrite.ts';
import type { FrontEndOrder } from './front.ts';
import { PARSE_TIMEOUT_MS, readBounded } from './front-host.ts';
import type { Ctx } from './scope.ts';
import { GuardError } from './scope.ts';
import { analyzeStatement } from './statement.ts';
import type { StatementType } from './statement.ts';
import { leadingWords, splitStatements, tableLevelNames } from './tokens.ts';
import { uniqueRefs } from './lineage.ts';

export type { StatementType } from './statement.ts';

export interface SchemaLookup {
  /** Folded column names in order, or undefined when the relation's columns are not known. */
  columns(relationKey: RelationKey): readonly string[] | undefined;
}
export interface AnalyzeRequest {
  sql: string;
  platform: Platform;
  defaultDatabase?: string | null;
  defaultSchema?: string | null;
  schema?: SchemaLookup;
  statementId?: string;
  timeoutMs?: number;
  /**
   * Whether a SELECT item may reference an alias defined earlier in the same list (lateral column
   * alias). Default: per platform (on for Snowflake, Databricks, Redshift, DuckDB, BigQuery-like engines
   * that allow it; off for Postgres, MySQL, Trino, generic).
   */
  lateralAliases?: boolean;
  /** Front-end order (default polyglot first, node-sql-parser for what it cannot read). */
  frontEnd?: FrontEndOrder;
  /** Wall-clock time the front ends may spend on one statement (default PARSE_TIMEOUT_MS); past it: SQL_TIMEOUT. */
  parseTimeoutMs?: number;
  /** Resolver work units allowed per statement (default MAX_STEPS); past it: SQL_TOO_LARGE. */
  maxSteps?: number;
}
export interface TableRef {
  key: RelationKey;
  displayName: string;
}
export interface SourceColumn {
  table: TableRef;
  column: string;
  kind: TransformKind;
}
export interface OutputColumn {
  name: string;
  displayName: string;
  /** The columns in this column's own expression. */
  sources: SourceColumn[];
}
export interface StatementLineage {
  index: number;
  statementType: StatementType;
  reads: TableRef[];
  write: TableRef | null;
  columns: OutputColumn[];
  indirect: SourceColumn[];
  starSources: TableRef[];
  /** False when a * that could not be expanded reaches the output: `columns` is then not the full list. */
  complete: boolean;
  shape: SqlShape;
  confidence: 'EXACT' | 'INFERRED' | 'TABLE_LEVEL';
  diagnostics: Diagnostic[];
}

/** Statements longer than this are not parsed (table-level fallback). */
export const MAX_STATEMENT_CHARS = 1_000_000;
/** Resolver work units per statement before SQL_TOO_LARGE. */
export const MAX_STEPS = 2_000_000;
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Platforms whose SELECT lists may reference earlier aliases. */
export const LATERAL_ALIAS_PLATFORMS: ReadonlySet<Platform> = new Set([
  'snowflake',
  'databricks',
  'redshift',
  'duckdb',
]);

function emptyShape(lines: number): SqlShape {
  return {
    joins: 0,
    ctes: 0,
    subqueries: 0,
    maxNesting: 0,
    caseExpressions: 0,
    windowFunctions: 0,
    setOperations: 0,
    lines,
  };
}

function diagnostic(
  code: Diagnostic['code'],
  severity: Diagnostic['severity'],
  message: string,
  req: AnalyzeRequest,
  line?: number,
): Diagnostic {
  const where: Diagnostic['where'] = {};
  if (req.statementId) where.statementId = req.statementId;
  if (line !== undefined) where.line = line;
  return { code, severity, message, ...(Object.keys(where).length ? { where } : {}) };
}

/** One statement's resolver state, with its budgets. */
function newCtx(req: AnalyzeRequest, lines: number): Ctx {
  return {
    platform: req.platform,
    defaults: { database: req.defaultDatabase, schema: req.defaultSchema },
    schema: req.schema,
    diagnostics: [],
    reads: new Map(),
    starSources: new Map(),
    shape: emptyShape(lines),
    budget: {
      steps: 0,
      maxSteps: req.maxSteps ?? MAX_STEPS,
      deadline: Date.now() + (req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    },
    statementId: req.statementId,
    inferred: false,
    lateralAliases: req.lateralAliases ?? LATERAL_ALIAS_PLATFORMS.has(req.platform),
  };
}

function fallback(text: string, index: number, req: AnalyzeRequest, diags: Diagnostic[]): StatementLineage {
  const { reads, writes } = tableLevelNames(text);
  const defaults = { database: req.defaultDatabase, schema: req.defaultSchema };
  const ref = (parts: { value: string; quoted: boolean }[]) => {
    const id = relationIdentity(req.platform, relationName(req.platform, parts), defaults);
    return { key: id.key, displayName: id.displayName };
  };
  const write = writes.length > 0 ? ref(writes[0].parts) : null;
  const readRefs = uniqueRefs(reads.map((r) => ref(r.parts))).filter(
    (r) => r.key !== write?.key || writes.length === 0,
  );
  return {
    index,
    // COPY / UNLOAD are not in the grammars: typed from their keyword, read and written at table level.
    statementType: /^(COPY|UNLOAD)\b/.test(leadingWords(text, 1)) ? 'copy' : 'unparsed',
    reads: readRefs,
    write,
    columns: [],
    indirect: [],
    starSources: [],
    complete: false,
    shape: emptyShape(text.split('\n').length),
    confidence: 'TABLE_LEVEL',
    diagnostics: diags,
  };
}

/** Body statements of a procedure / BEGIN … END block, or null when the text has no such block. */
function blockBody(text: string): string | null {
  const m = /\bBEGIN\b([\s\S]*)\bEND\b[^;]*$/i.exec(text);
  if (!m || /^\s*(TRANSACTION|WORK)\b/i.test(m[1])) return null;
  return m[1];
}

function analyzeOne(text: string, index: number, line: number, req: AnalyzeRequest): StatementLineage {
  const lines = text.split('\n').length;
  if (text.length > MAX_STATEMENT_CHARS) {
    return fallback(text, index, req, [
      diagnostic(
        'SQL_TOO_LARGE',
        'warning',
        `statement has ${text.length} characters (limit ${MAX_STATEMENT_CHARS}); table level only`,
        req,
        line,
      ),
    ]);
  }
  const order = req.frontEnd ?? DEFAULT_ORDER;
  const read = readBounded(
    { text: rewriteForParse(text, req.platform), platform: req.platform, order },
    req.parseTimeoutMs ?? PARSE_TIMEOUT_MS,
  );
  if (!read.ok) {
    const code = 'timedOut' in read ? 'SQL_TIMEOUT' : 'SQL_PARSE_FAILED';
    const message = 'timedOut' in read ? `${read.message}; table level only` : read.message;
    return fallback(text, index, req, [diagnostic(code, 'warning', message, req, line)]);
  }
  const ctx = newCtx(req, lines);
  try {
    if ((read.frontEnd === 'polyglot') !== (order === 'polyglot-first')) {
      ctx.diagnostics.push(
        diagnostic('SQL_SECOND_FRONT_END', 'info', `read by the second front end (${read.frontEnd})`, req),
      );
    }
    const r = analyzeStatement(ctx, read.tree);
    const reads = uniqueRefs([...ctx.reads.values()]);
    const starSources = uniqueRefs([...ctx.starSources.values(), ...r.starSources]);
    return {
      index,
      statementType: r.statementType,
      reads,
      write: r.write,
      columns: r.columns.map((c) => ({ name: c.name, displayName: c.displayName, sources: c.sources })),
      indirect: r.indirect,
      starSources,
      complete: r.starSources.length === 0,
      shape: ctx.shape,
      confidence: ctx.inferred || starSources.length > 0 ? 'INFERRED' : 'EXACT',
      diagnostics: ctx.diagnostics.map((d) =>
        line !== undefined ? { ...d, where: { ...d.where, line } } : d,
      ),
    };
  } catch (err) {
    if (err instanceof GuardError) {
      const msg =
        err.code === 'SQL_TIMEOUT'
          ? `resolving took longer than ${req.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
          : `statement needs more than ${req.maxSteps ?? MAX_STEPS} resolver steps`;
      return fallback(text, index, req, [
        diagnostic(err.code, 'warning', `${msg}; table level only`, req, line),
      ]);
    }
    const msg = err instanceof Error ? err.message : String(err);
    return fallback(text, index, req, [
      diagnostic('SQL_PARSE_FAILED', 'warning', `internal resolver error: ${msg}`, req, line),
    ]);
  }
}

/** Statement texts of a script, with procedure bodies opened up when the block itself is unreadable. */
export function statementsOf(sql: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  for (const st of splitStatements(sql)) {
    const body = /^(CREATE (OR REPLACE )?PROCEDURE|BEGIN)\b/.test(leadingWords(st.text))
      ? blockBody(st.text)
      : null;
    if (body !== null) {
      for (const inner of splitStatements(body))
        out.push({ text: inner.text, line: st.line + inner.line - 1 });
    } else out.push(st);
  }
  return out;
}

/** Analyses every statement of `req.sql`. Never throws; one entry per statement. */
export async function analyzeSql(req: AnalyzeRequest): Promise<StatementLineage[]> {
  return analyzeSqlSync(req);
}

export function analyzeSqlSync(req: AnalyzeRequest): StatementLineage[] {
  try {
    return statementsOf(req.sql ?? '').map((st, i) => analyzeOne(st.text, i, st.line, req));
  } catch (err) {
    if (isLineageError(err)) throw err; // the engine itself is unavailable: an error, not an answer
    const msg = err instanceof Error ? err.message : String(err);
    return [
      fallback(String(req.sql ?? ''), 0, req, [
        diagnostic('SQL_PARSE_FAILED', 'error', `internal error: ${msg}`, req),
      ]),
    ];
  }
}

/** An LRU cache keyed by (platform, defaults, SQL text, schema version): unchanged SQL is parsed once. */
export function createSqlCache(maxEntries = 10_000): {
  analyze(req: AnalyzeRequest, schemaVersion: string): Promise<StatementLineage[]>;
  stats(): { hits: number; misses: number };
} {
  const map = new Map<string, StatementLineage[]>();
  let hits = 0;
  let misses = 0;
  return {
    async analyze(req, schemaVersion) {
      const key = JSON.stringify([
        req.platform,
        req.defaultDatabase ?? null,
        req.defaultSchema ?? null,
        schemaVersion,
        req.statementId ?? null,
        req.sql,
      ]);
      const hit = map.get(key);
      if (hit) {
        hits++;
        map.delete(key);
        map.set(key, hit);
        return hit;
      }
      misses++;
      const result = analyzeSqlSync(req);
      map.set(key, result);
      if (map.size > maxEntries) map.delete(map.keys().next().value as string);
      return result;
    },
    stats: () => ({ hits, misses }),
  };
}

export { multiStatementLineage } from './multi.ts';
export type { ScriptEdge, ScriptLineage } from './multi.ts';
export { mapSchema, schemaFromDdl } from './ddl.ts';
