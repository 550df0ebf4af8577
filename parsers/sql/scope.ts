// Scopes: what a query can see. Builds the sources of a SELECT (base tables, CTE references, derived
// tables, table functions) and the chain of CTE definitions. Resolves no column names (qualify.ts does).
import type { Diagnostic, Platform, SqlShape, TransformKind } from '../../src/model/lineage.ts';
import { columnName, relationIdentity } from '../../src/model/identity.ts';
import { relationName } from './names.ts';
import type { Cte, FromItem, Ident, Query } from './tree.ts';

export interface SchemaLookup {
  columns(relationKey: string): readonly string[] | undefined;
}
export interface TableRef {
  key: string;
  displayName: string;
}
export interface SourceColumn {
  table: TableRef;
  column: string;
  kind: TransformKind;
}
export interface ColumnLineage {
  name: string;
  displayName: string;
  sources: SourceColumn[];
}

/** What a query produces: its columns and the statement-level dependencies of its rows. */
export interface QueryResult {
  columns: ColumnLineage[];
  indirect: SourceColumn[];
  /** Relations read through * without known columns: the result's column list is incomplete. */
  starSources: TableRef[];
}

export type Source =
  | { kind: 'table'; alias: Ident; ref: TableRef; columns: readonly string[] | undefined }
  | { kind: 'query'; alias: Ident | null; result: QueryResult }
  | {
      kind: 'function';
      alias: Ident | null;
      columns: string[] | null;
      sources: SourceColumn[];
      /** Columns fed by one argument each (`UNNEST(a1, a2) AS t(x, y)`); others read every argument. */
      byColumn?: Map<string, SourceColumn[]>;
    };

export interface CteEnv {
  parent: CteEnv | null;
  entries: Map<string, { cte: Cte; result: QueryResult | null; busy: boolean }>;
}

export interface Scope {
  sources: Source[];
  /** Columns merged by JOIN … USING (folded names). */
  using: Set<string>;
  parent: Scope | null;
  ctes: CteEnv | null;
  /** Output columns defined so far in the SELECT list (lateral column aliases), by folded name. */
  aliases: Map<string, ColumnLineage>;
  /** GROUP BY / ORDER BY scopes: output aliases are always visible. */
  outputAliases?: boolean;
  /** GROUP BY / ORDER BY scopes: the SELECT list, for positions (`GROUP BY 1`). */
  positions?: ColumnLineage[];
}

/** One analysis run's shared state: the single context object passed through every step. */
export interface Ctx {
  platform: Platform;
  defaults: { database?: string | null; schema?: string | null };
  schema: SchemaLookup | undefined;
  diagnostics: Diagnostic[];
  reads: Map<string, TableRef>;
  starSources: Map<string, TableRef>;
  shape: SqlShape;
  budget: { steps: number; maxSteps: number; deadline: number };
  statementId: string | undefined;
  /** Lowest confidence reached so far. */
  inferred: boolean;
  /** SELECT items may reference earlier aliases of the same list. */
  lateralAliases: boolean;
}

export class GuardError extends Error {
  constructor(readonly code: 'SQL_TIMEOUT' | 'SQL_TOO_LARGE') {
    super(code);
  }
}

/** Counts one step of work; throws GuardError past the step budget or the deadline. */
export function tick(ctx: Ctx): void {
  const b = ctx.budget;
  b.steps++;
  if (b.steps > b.maxSteps) throw new GuardError('SQL_TOO_LARGE');
  if ((b.steps & 1023) === 0 && Date.now() > b.deadline) throw new GuardError('SQL_TIMEOUT');
}

export function diag(
  ctx: Ctx,
  code: Diagnostic['code'],
  severity: Diagnostic['severity'],
  message: string,
): void {
  if (ctx.diagnostics.some((d) => d.code === code && d.message === message)) return;
  ctx.diagnostics.push({
    code,
    severity,
    message,
    ...(ctx.statementId ? { where: { statementId: ctx.statementId } } : {}),
  });
}

/** Case-insensitive match of a name as written against an alias, honouring quotes. */
export function sameName(a: Ident, b: Ident): boolean {
  if (a.quoted && b.quoted) return a.value === b.value;
  return a.value.toLowerCase() === b.value.toLowerCase();
}

export function lookupCte(
  env: CteEnv | null,
  name: Ident[],
): { cte: Cte; result: QueryResult | null; busy: boolean } | null {
  if (name.length !== 1) return null;
  for (let e = env; e; e = e.parent) {
    for (const [, entry] of e.entries) if (sameName(entry.cte.name, name[0])) return entry;
  }
  return null;
}

export function tableRef(ctx: Ctx, name: Ident[]): TableRef {
  const id = relationIdentity(ctx.platform, relationName(ctx.platform, name), ctx.defaults);
  return { key: id.key, displayName: id.displayName };
}

export interface ScopeBuilder {
  analyzeQuery(q: Query, parent: Scope | null, ctes: CteEnv | null): QueryResult;
  cteResult(entry: { cte: Cte; result: QueryResult | null; busy: boolean }, env: CteEnv | null): QueryResult;
  /** Lineage of each argument of a table function. */
  functionSources(args: FromItem & { kind: 'function' }, scope: Scope): SourceColumn[][];
}

/** Builds the sources of FROM items; derived tables are analysed in the enclosing CTE environment. */
export function buildSources(ctx: Ctx, from: FromItem[], scope: Scope, b: ScopeBuilder): void {
  for (const item of from) {
    tick(ctx);
    if (item.join) ctx.shape.joins++;
    switch (item.kind) {
      case 'table': {
        const cte = lookupCte(scope.ctes, item.name);
        const alias = item.alias ?? item.name[item.name.length - 1];
        if (cte) {
          scope.sources.push({ kind: 'query', alias, result: b.cteResult(cte, scope.ctes) });
        } else {
          const ref = tableRef(ctx, item.name);
          ctx.reads.set(ref.key, ref);
          scope.sources.push({ kind: 'table', alias, ref, columns: ctx.schema?.columns(ref.key) });
        }
        break;
      }
      case 'derived': {
        ctx.shape.subqueries++;
        const result = b.analyzeQuery(item.query, item.lateral ? scope : scope.parent, scope.ctes);
        scope.sources.push({
          kind: 'query',
          alias: item.alias,
          result: renameColumns(ctx, result, item.columnAliases),
        });
        break;
      }
      case 'function': {
        const perArg = b.functionSources(item, scope);
        scope.sources.push({
          kind: 'function',
          alias: item.alias,
          columns: functionColumns(ctx, item),
          sources: perArg.flat(),
          ...positionalColumns(ctx, item, perArg),
        });
        break;
      }
      default:
        assertNever(item);
    }
    if (item.join) for (const u of item.join.using) scope.using.add(columnName(ctx.platform, u));
  }
}

/** Applies a column alias list (`AS t(a, b)`, `WITH c(a, b) AS`) positionally. */
export function renameColumns(ctx: Ctx, result: QueryResult, names: Ident[]): QueryResult {
  if (names.length === 0) return result;
  return {
    ...result,
    columns: result.columns.map((c, i) =>
      i < names.length ? { ...c, name: columnName(ctx.platform, names[i]), displayName: names[i].value } : c,
    ),
  };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}

/**
 * Columns of a table function: its column alias list; else, for functions returning one value column
 * (UNNEST, EXPLODE, GENERATE_SERIES…), the alias names that column; FLATTEN-like functions (several
 * fixed columns) stay open (null: any column name reads the function's arguments).
 */
/**
 * UNNEST with several arrays or WITH ORDINALITY maps its column aliases by position: alias i reads
 * argument i, the ordinality column (after them) reads nothing.
 */
function positionalColumns(
  ctx: Ctx,
  item: FromItem & { kind: 'function' },
  perArg: SourceColumn[][],
): { byColumn?: Map<string, SourceColumn[]> } {
  if (item.name !== 'UNNEST' || item.columnAliases.length === 0) return {};
  if (perArg.length < 2 && !item.ordinality) return {};
  const byColumn = new Map<string, SourceColumn[]>();
  item.columnAliases.forEach((a, i) => {
    const name = columnName(ctx.platform, a);
    if (i < perArg.length) byColumn.set(name, perArg[i]);
    else if (item.ordinality && i === perArg.length) byColumn.set(name, []);
  });
  return { byColumn };
}

function functionColumns(ctx: Ctx, item: FromItem & { kind: 'function' }): string[] | null {
  if (item.columnAliases.length) return item.columnAliases.map((c) => columnName(ctx.platform, c));
  if (item.alias && !/FLATTEN|JSON_TABLE|JSON_EACH|INLINE|POSEXPLODE|STACK/.test(item.name)) {
    return [columnName(ctx.platform, item.alias)];
  }
  return null;
}
