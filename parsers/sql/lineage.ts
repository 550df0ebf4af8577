// The column-lineage walk: every output column's sources with their OpenLineage kind, and the
// statement-level (indirect) dependencies. Works only on our tree, through scope.ts and qualify.ts.
import type { TransformKind } from '../../src/model/lineage.ts';
import { isDirectKind } from '../../src/model/lineage.ts';
import { columnName } from '../../src/model/identity.ts';
import { expandStar, knownColumns, resolveColumn } from './qualify.ts';
import type { ColumnLineage, Ctx, CteEnv, QueryResult, Scope, SourceColumn, TableRef } from './scope.ts';
import { assertNever, buildSources, diag, renameColumns, tick } from './scope.ts';
import type { Cte, Expr, FromItem, Query, Select } from './tree.ts';

/** Kind of a dependency seen through an outer expression of kind `outer`. */
export function compose(outer: TransformKind, inner: TransformKind): TransformKind {
  if (outer === 'IDENTITY') return inner;
  if (inner === 'IDENTITY') return outer;
  if (!isDirectKind(inner)) return inner;
  if (!isDirectKind(outer)) return outer;
  return outer === 'AGGREGATION' || inner === 'AGGREGATION' ? 'AGGREGATION' : 'TRANSFORMATION';
}

export function dedupe(cols: SourceColumn[]): SourceColumn[] {
  const seen = new Map<string, SourceColumn>();
  for (const c of cols) {
    const k = `${c.table.key}\u0000${c.column}\u0000${c.kind}`;
    if (!seen.has(k)) seen.set(k, c);
  }
  return [...seen.values()].sort(
    (a, b) => cmp(a.table.key, b.table.key) || cmp(a.column, b.column) || cmp(a.kind, b.kind),
  );
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withKind(cols: SourceColumn[], outer: TransformKind): SourceColumn[] {
  return cols.map((c) => ({ ...c, kind: compose(outer, c.kind) }));
}

/** Lineage of one expression within a scope; `kind` is the kind of the context it appears in. */
export function exprLineage(ctx: Ctx, scope: Scope, e: Expr, kind: TransformKind): SourceColumn[] {
  tick(ctx);
  switch (e.kind) {
    case 'literal':
      return [];
    case 'position': {
      const col = scope.positions?.[e.index - 1];
      return col ? withKind(col.sources, kind) : [];
    }
    case 'column': {
      const r = resolveColumn(ctx, scope, e);
      return r ? withKind(r, kind) : [];
    }
    case 'star': {
      const stars: TableRef[] = [];
      const cols = expandStar(ctx, scope, e, stars);
      return withKind(
        cols.flatMap((c) => c.sources),
        compose(kind, 'TRANSFORMATION'),
      );
    }
    case 'cast':
      return exprLineage(ctx, scope, e.expr, kind);
    case 'op':
      return e.args.flatMap((a) => exprLineage(ctx, scope, a, compose(kind, 'TRANSFORMATION')));
    case 'func': {
      const inner = compose(kind, e.aggregate ? 'AGGREGATION' : 'TRANSFORMATION');
      const out = e.args.flatMap((a) => exprLineage(ctx, scope, a, inner));
      if (e.filter) out.push(...exprLineage(ctx, scope, e.filter, compose(kind, 'CONDITIONAL')));
      if (e.window) {
        ctx.shape.windowFunctions++;
        for (const p of [...e.window.partitionBy, ...e.window.orderBy])
          out.push(...exprLineage(ctx, scope, p, compose(kind, 'WINDOW')));
      }
      return out;
    }
    case 'case': {
      ctx.shape.caseExpressions++;
      const cond = compose(kind, 'CONDITIONAL');
      const val = compose(kind, 'TRANSFORMATION');
      const out: SourceColumn[] = [];
      if (e.operand) out.push(...exprLineage(ctx, scope, e.operand, cond));
      for (const w of e.whens) {
        out.push(...exprLineage(ctx, scope, w.cond, cond));
        out.push(...exprLineage(ctx, scope, w.result, val));
      }
      if (e.otherwise) out.push(...exprLineage(ctx, scope, e.otherwise, val));
      return out;
    }
    case 'subquery': {
      ctx.shape.subqueries++;
      const r = analyzeQuery(ctx, e.query, scope, scope.ctes);
      const out = r.columns.flatMap((c) => c.sources);
      return withKind(out, compose(kind, 'TRANSFORMATION'));
    }
    default:
      return assertNever(e);
  }
}

/** Columns referenced anywhere in an expression, all with the given (indirect) kind. */
function indirectOf(ctx: Ctx, scope: Scope, e: Expr | null, kind: TransformKind): SourceColumn[] {
  if (!e) return [];
  if (e.kind === 'subquery') {
    ctx.shape.subqueries++;
    const r = analyzeQuery(ctx, e.query, scope, scope.ctes);
    return [...r.columns.flatMap((c) => c.sources), ...r.indirect].map((c) => ({ ...c, kind }));
  }
  return exprLineage(ctx, scope, e, 'IDENTITY').map((c) => ({
    ...c,
    kind: isDirectKind(c.kind) ? kind : c.kind === 'CONDITIONAL' || c.kind === 'WINDOW' ? kind : c.kind,
  }));
}

function cteEnv(ctx: Ctx, ctes: Cte[], parent: CteEnv | null): CteEnv | null {
  if (ctes.length === 0) return parent;
  const env: CteEnv = { parent, entries: new Map() };
  ctes.forEach((c, i) => {
    ctx.shape.ctes++;
    env.entries.set(`${i}:${c.name.value}`, { cte: c, result: null, busy: false });
  });
  return env;
}

/** A CTE's result, computed once per definition (shared CTEs never multiply the work). */
function cteResult(
  ctx: Ctx,
  entry: { cte: Cte; result: QueryResult | null; busy: boolean },
  env: CteEnv | null,
): QueryResult {
  if (entry.result) return entry.result;
  if (entry.busy) {
    // Recursive CTE: the recursive branch sees the anchor's columns without lineage of its own.
    return {
      columns: entry.cte.columns.map((c) => ({
        name: columnName(ctx.platform, c),
        displayName: c.value,
        sources: [],
      })),
      indirect: [],
      starSources: [],
    };
  }
  entry.busy = true;
  let r = analyzeQuery(ctx, entry.cte.query, null, env);
  r = renameColumns(ctx, r, entry.cte.columns);
  entry.busy = false;
  entry.result = r;
  return r;
}

const builder = (ctx: Ctx) => ({
  analyzeQuery: (q: Query, parent: Scope | null, env: CteEnv | null) => analyzeQuery(ctx, q, parent, env),
  cteResult: (entry: { cte: Cte; result: QueryResult | null; busy: boolean }, env: CteEnv | null) =>
    cteResult(ctx, entry, env),
  functionSources: (item: FromItem & { kind: 'function' }, scope: Scope) =>
    item.args.map((a) => exprLineage(ctx, scope, a, 'TRANSFORMATION')),
});

export function newScope(parent: Scope | null, ctes: CteEnv | null): Scope {
  return { sources: [], using: new Set(), parent, ctes, aliases: new Map() };
}

let depth = 0;
export function analyzeQuery(ctx: Ctx, q: Query, parent: Scope | null, env: CteEnv | null): QueryResult {
  depth++;
  try {
    ctx.shape.maxNesting = Math.max(ctx.shape.maxNesting, depth);
    const ctes = cteEnv(ctx, q.ctes, env);
    if (q.kind === 'setop') return analyzeSetOp(ctx, q, parent, ctes);
    return analyzeSelect(ctx, q, parent, ctes);
  } finally {
    depth--;
  }
}

function analyzeSetOp(
  ctx: Ctx,
  q: Query & { kind: 'setop' },
  parent: Scope | null,
  env: CteEnv | null,
): QueryResult {
  ctx.shape.setOperations += q.branches.length - 1;
  const results = q.branches.map((b) => analyzeQuery(ctx, b, parent, env));
  const first = results[0];
  const columns: ColumnLineage[] = first.columns.map((c, i) => ({
    ...c,
    sources: dedupe(results.flatMap((r) => r.columns[i]?.sources ?? [])),
  }));
  return {
    columns,
    indirect: dedupe(results.flatMap((r) => r.indirect)),
    starSources: uniqueRefs(results.flatMap((r) => r.starSources)),
  };
}

export function uniqueRefs(refs: TableRef[]): TableRef[] {
  const m = new Map(refs.map((r) => [r.key, r]));
  return [...m.values()].sort((a, b) => cmp(a.key, b.key));
}

function analyzeSelect(ctx: Ctx, q: Select, parent: Scope | null, env: CteEnv | null): QueryResult {
  const scope = newScope(parent, env);
  buildSources(ctx, q.from, scope, builder(ctx));
  const columns: ColumnLineage[] = [];
  const starSources: TableRef[] = [];
  naturalJoins(ctx, q.from, scope);
  for (const item of q.items) {
    tick(ctx);
    if (item.expr.kind === 'star' && !item.alias) {
      columns.push(...starColumns(ctx, scope, item.expr, starSources));
      continue;
    }
    const sources = dedupe(exprLineage(ctx, scope, item.expr, 'IDENTITY'));
    const { name, displayName } = outputName(ctx, item);
    const col = { name, displayName, sources };
    columns.push(col);
    if (!scope.aliases.has(name)) scope.aliases.set(name, col);
  }
  const indirect: SourceColumn[] = [];
  for (const s of scope.sources) if (s.kind === 'query') indirect.push(...s.result.indirect);
  for (const f of q.from) if (f.join?.on) indirect.push(...indirectOf(ctx, scope, f.join.on, 'JOIN'));
  // USING and NATURAL join columns (folded names, so written back as quoted).
  for (const u of scope.using)
    indirect.push(
      ...indirectOf(ctx, scope, { kind: 'column', qualifier: [], name: { value: u, quoted: true } }, 'JOIN'),
    );
  indirect.push(...indirectOf(ctx, scope, q.where, 'FILTER'));
  // GROUP BY / ORDER BY may name output columns or positions: resolve those through the select list.
  const outScope: Scope = {
    ...scope,
    outputAliases: true,
    positions: columns,
    aliases: new Map(columns.map((c) => [c.name, c])),
  };
  for (const g of q.groupBy) indirect.push(...indirectOf(ctx, outScope, g, 'GROUP_BY'));
  indirect.push(...indirectOf(ctx, outScope, q.having, 'FILTER'));
  indirect.push(...indirectOf(ctx, outScope, q.qualify, 'FILTER'));
  for (const o of q.orderBy) indirect.push(...indirectOf(ctx, outScope, o, 'SORT'));
  return { columns, indirect: dedupe(indirect), starSources: uniqueRefs(starSources) };
}

/**
 * NATURAL JOIN: the columns the joined source shares with the sources before it join them, like USING
 * (one output column under `*`, a JOIN dependency on both sides). Needs both sides' columns known.
 */
function naturalJoins(ctx: Ctx, from: FromItem[], scope: Scope): void {
  from.forEach((f, i) => {
    if (!f.join?.natural || i === 0) return;
    const right = knownColumns(scope.sources[i]);
    const left = scope.sources.slice(0, i).map(knownColumns);
    if (!right || left.some((l) => l === undefined)) {
      diag(
        ctx,
        'SQL_UNRESOLVED_COLUMN',
        'warning',
        'NATURAL JOIN over a relation of unknown columns: its join columns are unknown',
      );
      return;
    }
    const before = new Set(left.flatMap((l) => l ?? []));
    for (const c of right) if (before.has(c)) scope.using.add(c);
  });
}

/** `*` expanded, with `REPLACE (expr AS col)` giving `col` the lineage of `expr`. */
function starColumns(
  ctx: Ctx,
  scope: Scope,
  star: Extract<Expr, { kind: 'star' }>,
  starSources: TableRef[],
): ColumnLineage[] {
  const cols = expandStar(ctx, scope, star, starSources);
  if (star.replace.length === 0) return cols;
  const replaced = new Map(star.replace.map((r) => [columnName(ctx.platform, r.name), r.expr]));
  return cols.map((c) => {
    const e = replaced.get(c.name);
    return e ? { ...c, sources: dedupe(exprLineage(ctx, scope, e, 'IDENTITY')) } : c;
  });
}

function outputName(ctx: Ctx, item: Select['items'][number]): { name: string; displayName: string } {
  if (item.alias) return { name: columnName(ctx.platform, item.alias), displayName: item.alias.value };
  let e = item.expr;
  while (e.kind === 'cast' && e.shorthand) e = e.expr;
  if (e.kind === 'column') return { name: columnName(ctx.platform, e.name), displayName: e.name.value };
  // exprToSQL quotes every identifier with backticks; the name keeps the expression as written.
  const text = (item.text || 'expr').replaceAll('`', '');
  return { name: text.toLowerCase(), displayName: text };
}

/** Lineage of the rows of FROM items used by UPDATE/DELETE/MERGE (a scope with the target first). */
export function scopeFor(ctx: Ctx, from: FromItem[], env: CteEnv | null): Scope {
  const scope = newScope(null, env);
  buildSources(ctx, from, scope, builder(ctx));
  return scope;
}

export function indirectFor(ctx: Ctx, scope: Scope, e: Expr | null, kind: TransformKind): SourceColumn[] {
  return indirectOf(ctx, scope, e, kind);
}

export function cteEnvFor(ctx: Ctx, ctes: Cte[]): CteEnv | null {
  return cteEnv(ctx, ctes, null);
}
