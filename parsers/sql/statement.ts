// One statement of our tree -> its reads, write target and written columns.
import { columnName } from '../../src/model/identity.ts';
import type { ColumnLineage, Ctx, QueryResult, SourceColumn, TableRef } from './scope.ts';
import { diag, tableRef, tick } from './scope.ts';
import { analyzeQuery, cteEnvFor, dedupe, exprLineage, indirectFor, scopeFor } from './lineage.ts';
import type { Assignment, FromItem, Ident, Statement } from './tree.ts';

export type StatementType =
  | 'select'
  | 'insert'
  | 'create_table'
  | 'create_view'
  | 'merge'
  | 'update'
  | 'delete'
  | 'copy'
  | 'ddl'
  | 'other'
  | 'unparsed';

export interface StatementResult {
  statementType: StatementType;
  write: TableRef | null;
  columns: ColumnLineage[];
  indirect: SourceColumn[];
  starSources: TableRef[];
}

const EMPTY: QueryResult = { columns: [], indirect: [], starSources: [] };

/** CTAS / CREATE VIEW: the explicit column list, else the query's own names (a catalog only types them). */
function definedColumns(ctx: Ctx, list: Ident[], r: QueryResult): ColumnLineage[] {
  if (list.length === 0) return r.columns;
  return list.map((c, i) => ({
    name: columnName(ctx.platform, c),
    displayName: c.value,
    sources: r.columns[i]?.sources ?? [],
  }));
}

/**
 * INSERT: the explicit column list; else, as SQL maps it, positionally onto the target's known columns
 * (minus `PARTITION (…)` columns); else the query's names. A catalogued target's columns are never
 * invented: query columns past its known ones (or, behind an unexpanded *, not among them) are dropped
 * with a diagnostic.
 */
function insertedColumns(
  ctx: Ctx,
  target: TableRef,
  list: Ident[],
  r: QueryResult,
  partition: Ident[],
): ColumnLineage[] {
  if (list.length > 0) return definedColumns(ctx, list, r);
  const partitions = new Set(partition.map((p) => columnName(ctx.platform, p)));
  const known = ctx.schema?.columns(target.key)?.filter((c) => !partitions.has(c));
  if (!known) return r.columns;
  const written =
    r.starSources.length === 0
      ? r.columns.slice(0, known.length).map((c, i) => ({ ...c, name: known[i], displayName: known[i] }))
      : r.columns.filter((c) => known.includes(c.name));
  if (written.length < r.columns.length) {
    diag(
      ctx,
      'SQL_UNRESOLVED_COLUMN',
      'warning',
      `INSERT into ${target.displayName} writes ${r.columns.length - written.length} column(s) beyond its known columns; not attributed`,
    );
  }
  return written;
}

export function analyzeStatement(ctx: Ctx, st: Statement): StatementResult {
  tick(ctx);
  switch (st.kind) {
    case 'select': {
      const r = analyzeQuery(ctx, st.query, null, null);
      return {
        statementType: 'select',
        write: null,
        columns: r.columns,
        indirect: r.indirect,
        starSources: r.starSources,
      };
    }
    case 'insert': {
      const write = tableRef(ctx, st.target);
      const r = st.query ? analyzeQuery(ctx, st.query, null, null) : valuesResult(ctx, st.values);
      return {
        statementType: 'insert',
        write,
        columns: insertedColumns(ctx, write, st.columns, r, st.partition),
        indirect: r.indirect,
        starSources: r.starSources,
      };
    }
    case 'create_table':
    case 'create_view': {
      const write = tableRef(ctx, st.target);
      const r = st.query ? analyzeQuery(ctx, st.query, null, null) : EMPTY;
      return {
        statementType: st.kind,
        write,
        columns: definedColumns(ctx, st.columns, r),
        indirect: r.indirect,
        starSources: r.starSources,
      };
    }
    case 'update':
      return analyzeUpdate(ctx, st);
    case 'delete':
      return analyzeDelete(ctx, st);
    case 'merge':
      return analyzeMerge(ctx, st);
    case 'ddl':
      return {
        statementType: 'ddl',
        write: st.target ? tableRef(ctx, st.target) : null,
        columns: [],
        indirect: [],
        starSources: [],
      };
    case 'other':
      return { statementType: 'other', write: null, columns: [], indirect: [], starSources: [] };
  }
}

function analyzeUpdate(ctx: Ctx, st: Extract<Statement, { kind: 'update' }>): StatementResult {
  // T-SQL `UPDATE t SET … FROM tab1 t`: the target is an alias defined in FROM.
  const aliased = aliasTarget(st.target, st.from);
  const write = tableRef(ctx, aliased ?? st.target);
  const from: FromItem[] = aliased
    ? st.from
    : [{ kind: 'table', name: st.target, alias: st.alias, join: null }, ...st.from];
  const scope = scopeFor(ctx, from, cteEnvFor(ctx, st.ctes));
  if (!aliased) ctx.reads.delete(write.key);
  const columns = assign(ctx, scope, st.set);
  const indirect = [...indirectFor(ctx, scope, st.where, 'FILTER')];
  for (const f of st.from) if (f.join?.on) indirect.push(...indirectFor(ctx, scope, f.join.on, 'JOIN'));
  return { statementType: 'update', write, columns, indirect: dedupe(indirect), starSources: [] };
}

function analyzeDelete(ctx: Ctx, st: Extract<Statement, { kind: 'delete' }>): StatementResult {
  const write = tableRef(ctx, st.target);
  const scope = scopeFor(
    ctx,
    [{ kind: 'table', name: st.target, alias: st.alias, join: null }, ...st.from],
    null,
  );
  ctx.reads.delete(write.key);
  return {
    statementType: 'delete',
    write,
    columns: [],
    indirect: dedupe(indirectFor(ctx, scope, st.where, 'FILTER')),
    starSources: [],
  };
}

function analyzeMerge(ctx: Ctx, st: Extract<Statement, { kind: 'merge' }>): StatementResult {
  const write = tableRef(ctx, st.target);
  const scope = scopeFor(
    ctx,
    [{ kind: 'table', name: st.target, alias: st.alias, join: null }, st.source],
    null,
  );
  ctx.reads.delete(write.key);
  const byName = new Map<string, ColumnLineage>();
  const add = (cols: ColumnLineage[]): void => {
    for (const c of cols) {
      const prev = byName.get(c.name);
      byName.set(c.name, prev ? { ...prev, sources: dedupe([...prev.sources, ...c.sources]) } : c);
    }
  };
  const indirect = [...indirectFor(ctx, scope, st.on, 'JOIN')];
  for (const u of st.updates) {
    add(assign(ctx, scope, u.set));
    indirect.push(...indirectFor(ctx, scope, u.condition, 'FILTER'));
  }
  for (const ins of st.inserts) {
    add(
      ins.columns.map((c, i) => ({
        name: columnName(ctx.platform, c),
        displayName: c.value,
        sources: dedupe(ins.values[i] ? exprLineage(ctx, scope, ins.values[i], 'IDENTITY') : []),
      })),
    );
    indirect.push(...indirectFor(ctx, scope, ins.condition, 'FILTER'));
  }
  return {
    statementType: 'merge',
    write,
    columns: [...byName.values()],
    indirect: dedupe(indirect),
    starSources: [],
  };
}

function assign(ctx: Ctx, scope: ReturnType<typeof scopeFor>, set: Assignment[]): ColumnLineage[] {
  return set.map((a) => ({
    name: columnName(ctx.platform, a.column),
    displayName: a.column.value,
    sources: dedupe(exprLineage(ctx, scope, a.value, 'IDENTITY')),
  }));
}

function valuesResult(ctx: Ctx, rows: import('./tree.ts').Expr[][]): QueryResult {
  const scope = scopeFor(ctx, [], null);
  const width = Math.max(0, ...rows.map((r) => r.length));
  const columns: ColumnLineage[] = [];
  for (let i = 0; i < width; i++) {
    columns.push({
      name: `column${i + 1}`,
      displayName: `column${i + 1}`,
      sources: dedupe(rows.flatMap((r) => (r[i] ? exprLineage(ctx, scope, r[i], 'IDENTITY') : []))),
    });
  }
  return { columns, indirect: [], starSources: [] };
}

function aliasTarget(target: Ident[], from: FromItem[]): Ident[] | null {
  if (target.length !== 1) return null;
  for (const f of from) {
    if (f.kind === 'table' && f.alias && f.alias.value.toLowerCase() === target[0].value.toLowerCase())
      return f.name;
  }
  return null;
}
