// Qualification: the only place that decides which source owns a column, and the only place that
// expands `*`. Ambiguity becomes a diagnostic, never a guess.
import { columnName } from '../../src/model/identity.ts';
import type { ColumnLineage, Ctx, Scope, Source, SourceColumn, TableRef } from './scope.ts';
import { diag, sameName } from './scope.ts';
import type { Expr, Ident } from './tree.ts';

type ColumnExpr = Extract<Expr, { kind: 'column' }>;
type StarExpr = Extract<Expr, { kind: 'star' }>;

function sourceMatches(ctx: Ctx, s: Source, qualifier: Ident[]): boolean {
  const last = qualifier[qualifier.length - 1];
  if (s.alias && sameName(s.alias, last)) {
    if (qualifier.length === 1 || s.kind !== 'table') return true;
  }
  if (s.kind === 'table' && qualifier.length > 1) {
    // `schema.table.column`: compare the written qualifier with the relation's key suffix.
    const key = s.ref.key.split('.');
    const want = qualifier.map((q) => columnName(ctx.platform, q).toLowerCase());
    const tail = key.slice(-want.length).map((k) => k.toLowerCase().replaceAll('"', ''));
    return tail.length === want.length && tail.every((k, i) => k === want[i]);
  }
  return false;
}

/** Known columns of a source (folded), or undefined when the source's columns are not known. */
export function knownColumns(s: Source): readonly string[] | undefined {
  switch (s.kind) {
    case 'table':
      return s.columns;
    case 'query':
      return s.result.starSources.length > 0 ? undefined : s.result.columns.map((c) => c.name);
    case 'function':
      return s.columns ?? undefined;
  }
}

/**
 * The lineage of column `name` taken from source `s` (IDENTITY kinds as the source defines them), or null
 * when the source's known columns do not contain it: a catalogued relation's columns are the catalog's,
 * so an unknown column stays an unresolved reference (with a diagnostic), never an edge.
 */
export function columnOf(ctx: Ctx, s: Source, name: Ident): SourceColumn[] | null {
  const folded = columnName(ctx.platform, name);
  switch (s.kind) {
    case 'table':
      if (s.columns && !s.columns.includes(folded)) {
        diag(
          ctx,
          'SQL_UNRESOLVED_COLUMN',
          'warning',
          `column ${name.value} is not in the known columns of ${s.ref.displayName}`,
        );
        return null;
      }
      return [{ table: s.ref, column: folded, kind: 'IDENTITY' }];
    case 'query': {
      const col = s.result.columns.find((c) => c.name === folded);
      if (col) return col.sources;
      if (s.result.starSources.length === 1) {
        ctx.inferred = true;
        return [{ table: s.result.starSources[0], column: folded, kind: 'IDENTITY' }];
      }
      return null;
    }
    case 'function':
      return (s.byColumn?.get(folded) ?? s.sources).map((x) => ({
        ...x,
        kind: x.kind === 'IDENTITY' ? 'TRANSFORMATION' : x.kind,
      }));
  }
}

/**
 * Resolves a column reference against the scope chain. Returns null (with a diagnostic) when it cannot
 * be attributed to exactly one source.
 */
export function resolveColumn(ctx: Ctx, scope: Scope, col: ColumnExpr): SourceColumn[] | null {
  const folded = columnName(ctx.platform, col.name);
  if (col.qualifier.length > 0) {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const src =
        s.sources.find((x) => sourceMatches(ctx, x, col.qualifier)) ??
        s.sources.find((x) => tableNameMatches(x, col.qualifier));
      if (src) return columnOf(ctx, src, col.name);
    }
    // A struct field `a.b` (BigQuery/Databricks; `t.a.b.c` at any depth) reads column `a`.
    const head: ColumnExpr = {
      kind: 'column',
      qualifier: col.qualifier.slice(0, -1),
      name: col.qualifier[col.qualifier.length - 1],
    };
    const viaStruct = resolveQuiet(ctx, scope, head);
    if (viaStruct) return viaStruct;
    diag(
      ctx,
      'SQL_UNRESOLVED_COLUMN',
      'warning',
      `no source named ${col.qualifier.map((q) => q.value).join('.')} for column ${col.name.value}`,
    );
    return null;
  }
  let catalogued: Source[] = [];
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.sources.length === 0 && s.aliases.size === 0) continue;
    const known = s.sources.filter((x) => knownColumns(x)?.includes(folded));
    const unknown = s.sources.filter((x) => knownColumns(x) === undefined);
    if (s.using.has(folded)) {
      const owners = [...known, ...unknown];
      if (owners.length > 1) return owners.flatMap((k) => columnOf(ctx, k, col.name) ?? []);
    }
    if (known.length === 1) {
      if (unknown.length > 0) ctx.inferred = true;
      return columnOf(ctx, known[0], col.name);
    }
    if (known.length > 1) {
      diag(
        ctx,
        'SQL_AMBIGUOUS_COLUMN',
        'warning',
        `column ${col.name.value} is in several sources: ${known.map(label).join(', ')}`,
      );
      return null;
    }
    const alias =
      ctx.lateralAliases || s.outputAliases || s.sources.length === 0 ? s.aliases.get(folded) : undefined;
    if (alias) return alias.sources;
    if (unknown.length === 1) {
      ctx.inferred = true;
      return columnOf(ctx, unknown[0], col.name);
    }
    if (unknown.length > 1) {
      diag(
        ctx,
        'SQL_AMBIGUOUS_COLUMN',
        'warning',
        `column ${col.name.value} could belong to ${unknown.map(label).join(', ')} (no schema to decide)`,
      );
      return null;
    }
    // Every source here has known columns and none has this one: an outer scope may (correlation).
    if (catalogued.length === 0) catalogued = s.sources;
  }
  const where =
    catalogued.length > 0
      ? `the known columns of ${catalogued.map(label).join(', ')}`
      : 'any source in scope';
  diag(ctx, 'SQL_UNRESOLVED_COLUMN', 'warning', `column ${col.name.value} is not in ${where}`);
  return null;
}

function resolveQuiet(ctx: Ctx, scope: Scope, col: ColumnExpr): SourceColumn[] | null {
  const before = ctx.diagnostics.length;
  const r = resolveColumn(ctx, scope, col);
  ctx.diagnostics.length = before;
  return r;
}

function label(s: Source): string {
  if (s.kind === 'table') return s.ref.displayName;
  return s.alias?.value ?? '(subquery)';
}

/** Expands `*` / `t.*` (with EXCEPT/EXCLUDE) into output columns; unknown relations go to starSources. */
export function expandStar(ctx: Ctx, scope: Scope, star: StarExpr, starSources: TableRef[]): ColumnLineage[] {
  let sources =
    star.qualifier.length > 0
      ? scope.sources.filter((s) => sourceMatches(ctx, s, star.qualifier))
      : scope.sources;
  if (star.qualifier.length > 0 && sources.length === 0)
    sources = scope.sources.filter((s) => tableNameMatches(s, star.qualifier));
  if (star.qualifier.length > 0 && sources.length === 0) {
    diag(
      ctx,
      'SQL_UNRESOLVED_COLUMN',
      'warning',
      `no source named ${star.qualifier.map((q) => q.value).join('.')} for *`,
    );
  }
  const except = new Set(star.except.map((e) => columnName(ctx.platform, e)));
  const out: ColumnLineage[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    const cols: ColumnLineage[] = [];
    switch (s.kind) {
      case 'table':
        if (s.columns)
          for (const c of s.columns)
            cols.push({ name: c, displayName: c, sources: [{ table: s.ref, column: c, kind: 'IDENTITY' }] });
        else {
          starSources.push(s.ref);
          ctx.starSources.set(s.ref.key, s.ref);
          diag(
            ctx,
            'SQL_STAR_WITHOUT_SCHEMA',
            'warning',
            `columns of ${s.ref.displayName} are unknown: * recorded at relation level`,
          );
        }
        break;
      case 'query':
        cols.push(...s.result.columns);
        starSources.push(...s.result.starSources);
        break;
      case 'function':
        for (const c of s.columns ?? [])
          cols.push({ name: c, displayName: c, sources: s.byColumn?.get(c) ?? s.sources });
        break;
    }
    for (const c of cols) {
      if (except.has(c.name)) continue;
      if (star.qualifier.length === 0 && scope.using.has(c.name) && seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
    }
  }
  return out;
}

/** `t.c` where `t` is the table's own name although the query gave it an alias (accepted, as most engines' users expect). */
function tableNameMatches(s: Source, qualifier: Ident[]): boolean {
  if (s.kind !== 'table' || qualifier.length !== 1) return false;
  const name = s.ref.key.split('.').pop() ?? '';
  return name.replaceAll('"', '').toLowerCase() === qualifier[0].value.toLowerCase();
}
