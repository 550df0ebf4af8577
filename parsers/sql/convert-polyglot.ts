// Converts @polyglot-sql/sdk's AST (sqlglot's expression tree as Rust-enum JSON: `{ "<variant>": payload }`)
// into our SQL tree. Known variants are mapped; every other variant is kept as a generic operator over
// its children, so no column reference is dropped.
import type { PolyNode } from './parse-polyglot.ts';
import { AGGREGATES } from './convert.ts';
import type {
  Assignment,
  Cte,
  Expr,
  FromItem,
  Ident,
  JoinInfo,
  Query,
  SelectItem,
  Statement,
} from './tree.ts';
import { LITERAL } from './tree.ts';
import { withoutDatePart } from './date-parts.ts';
import type { Platform } from '../../src/model/lineage.ts';

function isObj(x: unknown): x is PolyNode {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function variant(x: unknown): [string, PolyNode] | null {
  if (!isObj(x)) return null;
  const keys = Object.keys(x);
  if (keys.length !== 1) return null;
  const v = x[keys[0]];
  return [keys[0], isObj(v) ? v : { value: v }];
}
function ident(x: unknown): Ident | null {
  if (typeof x === 'string') return { value: x, quoted: false };
  if (!isObj(x)) return null;
  if (typeof x.name === 'string') return { value: x.name, quoted: x.quoted === true };
  if (isObj(x.name)) return ident(x.name);
  const v = variant(x);
  if (v && (v[0] === 'identifier' || v[0] === 'column')) return ident(v[1].name ?? v[1]);
  return null;
}
function idents(x: unknown): Ident[] {
  return Array.isArray(x) ? x.map(ident).filter((i): i is Ident => i !== null) : [];
}
function list(x: unknown): unknown[] {
  if (Array.isArray(x)) return x;
  if (isObj(x) && Array.isArray(x.expressions)) return x.expressions;
  return [];
}
function thisOf(x: unknown): unknown {
  return isObj(x) && 'this' in x && Object.keys(x).length <= 2 ? x.this : x;
}
/** The expression of an ORDER BY item (`{this, desc, nulls_first, …}`). */
function sortKey(x: unknown): unknown {
  return isObj(x) && 'this' in x && 'desc' in x ? x.this : thisOf(x);
}

const QUERY_VARIANTS = new Set(['select', 'union', 'intersect', 'except', 'subquery', 'paren']);

function isQuery(x: unknown): boolean {
  const v = variant(x);
  if (!v) return false;
  if (v[0] === 'subquery' || v[0] === 'paren') return isQuery(v[1].this);
  return QUERY_VARIANTS.has(v[0]);
}

export function pExpr(x: unknown): Expr {
  if (Array.isArray(x)) return op(x.map(pExpr));
  const v = variant(x);
  if (!v) return isObj(x) ? generic(x) : LITERAL;
  const [kind, p] = v;
  if (isQuery(x)) return { kind: 'subquery', query: pQuery(x) };
  switch (kind) {
    case 'column': {
      const name = ident(p.name);
      if (!name) return LITERAL;
      const qualifier = [p.catalog, p.schema, p.table].map(ident).filter((i): i is Ident => i !== null);
      return { kind: 'column', qualifier, name };
    }
    case 'dot':
      return dotChain(p);
    case 'star':
      return {
        kind: 'star',
        qualifier: p.table ? [ident(p.table)!].filter(Boolean) : [],
        except: idents(p.except),
        replace: list(p.replace).flatMap((r) => {
          const name = isObj(r) ? ident(r.alias) : null;
          return name && isObj(r) ? [{ name, expr: pExpr(r.this) }] : [];
        }),
      };
    case 'literal':
    case 'boolean':
    case 'null':
    case 'var':
    case 'identifier':
    case 'data_type':
    case 'placeholder':
    case 'parameter':
      return LITERAL;
    case 'alias':
    case 'annotated':
      return pExpr(p.this);
    case 'cast':
    case 'try_cast':
    case 'safe_cast':
      return { kind: 'cast', expr: pExpr(p.this), shorthand: p.double_colon_syntax === true };
    case 'case':
      return pCase(p);
    case 'window_function':
      return pWindow(p);
    case 'function':
    case 'anonymous':
    case 'aggregate_function':
      return pFunction(kind, p);
    default:
      return pOther(kind, p);
  }
}

function pCase(p: PolyNode): Expr {
  const whens = (Array.isArray(p.whens) ? p.whens : []).map((w) => {
    const pair = Array.isArray(w) ? w : [];
    return { cond: pExpr(pair[0]), result: pExpr(pair[1]) };
  });
  return {
    kind: 'case',
    operand: p.operand ? pExpr(p.operand) : null,
    whens,
    otherwise: p.else_ ? pExpr(p.else_) : null,
  };
}

function pWindow(p: PolyNode): Expr {
  const over = isObj(p.over) ? p.over : {};
  const window = {
    partitionBy: list(over.partition_by).map(pExpr),
    orderBy: list(over.order_by).map((o) => pExpr(sortKey(o))),
  };
  const inner = pExpr(p.this);
  if (inner.kind === 'func') return { ...inner, window };
  return {
    kind: 'func',
    name: 'WINDOW',
    args: inner.kind === 'literal' ? [] : [inner],
    aggregate: false,
    filter: null,
    window,
  };
}

/** A function call; date-part keywords among its arguments are not columns. */
function pFunction(kind: string, p: PolyNode): Expr {
  const name = String(p.name ?? kind).toUpperCase();
  const args = Array.isArray(p.args)
    ? [
        ...withoutDatePart(name, current.platform, p.args.map(pExpr)).filter((e) => e.kind !== 'literal'),
        ...childExprs(p, ['name', 'args']),
      ]
    : childExprs(p, ['name']);
  return {
    kind: 'func',
    name,
    args,
    aggregate: kind === 'aggregate_function' || AGGREGATES.has(name),
    filter: null,
    window: null,
  };
}

/** Any other variant: an aggregate by name (`sum`, `count` … with FILTER), else a generic operator. */
function pOther(kind: string, p: PolyNode): Expr {
  const name = kind.toUpperCase();
  if (!AGGREGATES.has(name) && !AGGREGATES.has(String(p.name ?? '').toUpperCase())) return generic(p);
  return {
    kind: 'func',
    name,
    args: childExprs(p, ['filter', 'name', 'original_name']),
    aggregate: true,
    filter: p.filter ? pExpr(p.filter) : null,
    window: null,
  };
}

/**
 * `a.b.c.d` beyond what the grammar reads as a column (`db.schema.table.col`, BigQuery struct fields
 * `widget.asset.id`): one column reference whose name is the last part; qualify.ts decides whether the
 * leading parts name a relation or a struct column.
 */
function dotChain(p: PolyNode): Expr {
  const field = ident(p.field);
  const base = pExpr(p.this);
  if (!field || base.kind !== 'column') return generic(p);
  return { kind: 'column', qualifier: [...base.qualifier, base.name], name: field };
}

function childExprs(p: PolyNode, skip: string[]): Expr[] {
  const out: Expr[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (skip.includes(k) || k === 'span' || k === 'inferred_type') continue;
    if (isObj(v) || Array.isArray(v)) {
      const e = pExpr(v);
      if (e.kind !== 'literal') out.push(e);
    }
  }
  return out;
}
function generic(p: PolyNode): Expr {
  return op(childExprs(p, []));
}
function op(args: Expr[]): Expr {
  const a = args.filter((e) => e.kind !== 'literal');
  return a.length === 0 ? LITERAL : { kind: 'op', args: a };
}

function ctes(w: unknown): Cte[] {
  if (!isObj(w)) return [];
  const out: Cte[] = [];
  for (const c of list(w.ctes)) {
    if (!isObj(c)) continue;
    const name = ident(c.alias);
    if (!name || !isQuery(c.this)) continue;
    out.push({ name, columns: idents(c.columns), query: pQuery(c.this) });
  }
  return out;
}

export function pQuery(x: unknown): Query {
  const v = variant(x);
  if (!v) return emptySelect();
  const [kind, p] = v;
  if (kind === 'subquery' || kind === 'paren') {
    const q = pQuery(p.this);
    const extra = ctes(p.with);
    return extra.length ? { ...q, ctes: [...extra, ...q.ctes] } : q;
  }
  if (kind === 'union' || kind === 'intersect' || kind === 'except') {
    const branches: Query[] = [];
    const flatten = (n: unknown): void => {
      const nv = variant(n);
      if (nv && nv[0] === kind && !isObj(nv[1].with)) {
        flatten(nv[1].left);
        flatten(nv[1].right);
      } else branches.push(pQuery(n));
    };
    flatten(p.left);
    flatten(p.right);
    return {
      kind: 'setop',
      ctes: ctes(p.with),
      op: kind,
      branches,
      orderBy: list(p.order_by).map((o) => pExpr(sortKey(o))),
    };
  }
  if (kind !== 'select') return emptySelect();
  const items: SelectItem[] = list(p.expressions).map(selectItem);
  const from: FromItem[] = [...list(p.from).flatMap((f) => fromItems(f, null)), ...joinItems(p.joins)];
  for (const lv of Array.isArray(p.lateral_views) ? p.lateral_views : []) {
    if (!isObj(lv)) continue;
    const alias = ident(lv.table_alias ?? lv.alias);
    from.push({
      kind: 'function',
      name: fnName(lv.this),
      args: [pExpr(lv.this)].filter((e) => e.kind !== 'literal'),
      alias,
      columnAliases: idents(lv.column_aliases),
      join: null,
    });
  }
  return {
    kind: 'select',
    ctes: ctes(p.with),
    items,
    from,
    where: clause(p.where_clause ?? p.where),
    groupBy: list(p.group_by).map(positional),
    having: clause(p.having),
    qualify: clause(p.qualify),
    orderBy: list(p.order_by).map((o) => positional(sortKey(o))),
  };
}

/** One SELECT item; T-SQL's `name = expr` is an alias (T-SQL has no boolean values in a SELECT list). */
function selectItem(e: unknown): SelectItem {
  const av = variant(e);
  if (av && av[0] === 'alias') return { expr: pExpr(av[1].this), alias: ident(av[1].alias), text: '' };
  if (av && av[0] === 'eq' && current.platform === 'tsql') {
    const left = variant(av[1].left);
    if (left && left[0] === 'column' && !left[1].table) {
      const alias = ident(left[1].name);
      if (alias) return { expr: pExpr(av[1].right), alias, text: '' };
    }
  }
  return { expr: pExpr(e), alias: null, text: exprText(e) };
}

function clause(x: unknown): Expr | null {
  if (!x) return null;
  return pExpr(thisOf(x));
}

/** The SQL text of an unaliased item (generated by the front end), '' for a plain column. */
function exprText(e: unknown): string {
  const v = variant(e);
  if (v && v[0] === 'column') return '';
  // Snowflake `v:a.b` is named as written, not as the generated GET_PATH(v, 'a.b').
  const path =
    v && v[0] === 'j_s_o_n_extract' && isObj(v[1].variant_extract) ? variant(v[1].expression) : null;
  if (v && path && path[0] === 'literal' && typeof path[1].value === 'string') {
    const base = current.sqlOf(v[1].this);
    if (base) return `${base}:${path[1].value}`;
  }
  return current.sqlOf(e) || (v ? v[0] : 'expr');
}

/** The statement being converted: its platform, and SQL generation for its expression nodes. */
let current: { platform: Platform; sqlOf: (node: unknown) => string } = {
  platform: 'generic',
  sqlOf: () => '',
};

function emptySelect(): Query {
  return {
    kind: 'select',
    ctes: [],
    items: [],
    from: [],
    where: null,
    groupBy: [],
    having: null,
    qualify: null,
    orderBy: [],
  };
}

function tableName(p: PolyNode): Ident[] {
  const parts = [p.catalog, p.schema, p.name].map(ident).filter((i): i is Ident => i !== null);
  // BigQuery: `project.dataset.table` in one pair of backticks names three parts.
  if (current.platform !== 'bigquery') return parts;
  return parts.flatMap((i) =>
    i.quoted && i.value.includes('.') ? i.value.split('.').map((v) => ({ value: v, quoted: true })) : [i],
  );
}

function joinInfo(j: PolyNode): JoinInfo {
  return {
    type: String(j.kind ?? 'INNER').toUpperCase(),
    on: j.on ? pExpr(j.on) : null,
    using: idents(j.using),
    natural: /natural/i.test(String(j.kind ?? '')),
  };
}

function joinItems(joins: unknown): FromItem[] {
  return (Array.isArray(joins) ? joins : []).filter(isObj).flatMap((j) => fromItems(j.this, joinInfo(j)));
}

/**
 * FROM items of one element; a parenthesised join group `((a JOIN b ON …))` (joined_table) gives its left
 * item (with the group's own join) followed by its joins.
 */
function fromItems(x: unknown, join: JoinInfo | null): FromItem[] {
  const v = variant(x);
  if (v && v[0] === 'paren' && !isQuery(v[1].this)) return fromItems(v[1].this, join);
  if (v && v[0] === 'joined_table') return [...fromItems(v[1].left, join), ...joinItems(v[1].joins)];
  const item = pFrom(x, join);
  return item ? [item] : [];
}

function pFrom(x: unknown, join: JoinInfo | null): FromItem | null {
  const v = variant(x);
  if (!v) return null;
  const [kind, p] = v;
  switch (kind) {
    case 'table':
      return { kind: 'table', name: tableName(p), alias: ident(p.alias), join };
    case 'subquery':
    case 'paren':
      if (isQuery(p.this) || kind === 'subquery') {
        return {
          kind: 'derived',
          query: pQuery(p.this),
          alias: ident(p.alias),
          columnAliases: idents(p.column_aliases),
          join,
          lateral: p.lateral === true,
        };
      }
      return pFrom(p.this, join);
    case 'alias': {
      const inner = pFrom(p.this, join);
      if (!inner) return null;
      const alias = ident(p.alias);
      if (inner.kind === 'table') return { ...inner, alias };
      return { ...inner, alias, columnAliases: idents(p.column_aliases) };
    }
    case 'lateral': {
      const inner = pFrom(p.this, join);
      const alias = ident(p.alias);
      if (inner && inner.kind === 'derived') return { ...inner, lateral: true, alias: alias ?? inner.alias };
      return {
        kind: 'function',
        name: fnName(p.this),
        ...tableFunctionArgs(p.this),
        alias,
        columnAliases: idents(p.column_aliases),
        join,
      };
    }
    default: {
      if (isQuery(x))
        return { kind: 'derived', query: pQuery(x), alias: null, columnAliases: [], join, lateral: false };
      return {
        kind: 'function',
        name: kind.toUpperCase(),
        ...tableFunctionArgs(x),
        alias: ident(p.alias),
        columnAliases: idents(p.column_aliases),
        join,
      };
    }
  }
}

/** A table function's arguments in order (UNNEST's arrays one by one) and its WITH ORDINALITY. */
function tableFunctionArgs(x: unknown): { args: Expr[]; ordinality: boolean } {
  const v = variant(x);
  if (v && v[0] === 'unnest') {
    const args = [v[1].this, ...list(v[1].expressions)].map(pExpr).filter((e) => e.kind !== 'literal');
    return { args, ordinality: v[1].with_ordinality === true };
  }
  const e = pExpr(x);
  return { args: e.kind === 'literal' ? [] : [e], ordinality: false };
}

function withCtes(q: Query, w: unknown): Query {
  const extra = ctes(w);
  return extra.length ? { ...q, ctes: [...extra, ...q.ctes] } : q;
}

export function pStatement(
  x: PolyNode,
  platform: Platform,
  sqlOf: (node: unknown) => string = () => '',
): Statement {
  current = { platform, sqlOf };
  const v = variant(x);
  if (!v) return { kind: 'other' };
  const [kind, p] = v;
  if (isQuery(x)) return selectStatement(x, p);
  switch (kind) {
    case 'insert': {
      const t = variant(p.table);
      const target = t && t[0] === 'table' ? tableName(t[1]) : isObj(p.table) ? tableName(p.table) : [];
      const query = isQuery(p.query) ? withCtes(pQuery(p.query), p.with) : null;
      return { kind: 'insert', target, columns: idents(p.columns), partition: [], query, values: [] };
    }
    case 'create_table':
      return pCreateTable(p);
    case 'create_view': {
      const name = isObj(p.name) ? tableName(p.name) : [];
      return {
        kind: 'create_view',
        target: name,
        columns: idents(p.columns),
        query: isQuery(p.query) ? pQuery(p.query) : null,
      };
    }
    case 'update':
      return pUpdate(p);
    case 'delete': {
      const t = isObj(p.table) ? p.table : {};
      return {
        kind: 'delete',
        target: tableName(t),
        alias: ident(t.alias),
        from: [],
        where: clause(p.where_clause),
      };
    }
    case 'drop_table':
    case 'alter_table':
    case 'truncate':
    case 'create_index':
      return { kind: 'ddl', target: null };
    default:
      return { kind: 'other' };
  }
}

function pCreateTable(p: PolyNode): Statement {
  const name = isObj(p.name) ? tableName(p.name) : [];
  if (!isQuery(p.as_select)) return { kind: 'ddl', target: name };
  const columns = (Array.isArray(p.columns) ? p.columns : []).map((c) => ident(isObj(c) ? c.name : null));
  return {
    kind: 'create_table',
    target: name,
    columns: columns.filter((c): c is Ident => c !== null),
    query: pQuery(p.as_select),
  };
}

function pUpdate(p: PolyNode): Statement {
  const t = isObj(p.table) ? p.table : {};
  const set: Assignment[] = [];
  for (const s of Array.isArray(p.set) ? p.set : []) {
    if (!Array.isArray(s)) continue;
    const column = setColumn(s[0]);
    if (column) set.push({ column, value: pExpr(s[1]) });
  }
  const from: FromItem[] = [
    ...list(p.from_clause).flatMap((f) => fromItems(f, null)),
    ...joinItems(p.from_joins),
  ];
  return {
    kind: 'update',
    target: tableName(t),
    alias: ident(t.alias),
    set,
    from,
    where: clause(p.where_clause),
    ctes: ctes(p.with),
  };
}

/** A query; `SELECT … INTO t` (T-SQL, Postgres) creates table t from it (INTO variables stays a SELECT). */
function selectStatement(x: PolyNode, p: PolyNode): Statement {
  const into = isObj(p.into) ? variant(p.into.this) : null;
  if (!into || into[0] !== 'table') return { kind: 'select', query: pQuery(x) };
  return { kind: 'create_table', target: tableName(into[1]), columns: [], query: pQuery(x) };
}

/** The column an UPDATE … SET assigns; `t.c` (written qualified, read as one name) is column c. */
function setColumn(x: unknown): Ident | null {
  const id = ident(x);
  if (!id || id.quoted || !id.value.includes('.')) return id;
  return { value: id.value.slice(id.value.lastIndexOf('.') + 1), quoted: false };
}

function fnName(x: unknown): string {
  const v = variant(x);
  if (!v) return '';
  return String(v[0] === 'function' ? (v[1].name ?? '') : v[0]).toUpperCase();
}

/** A bare integer in GROUP BY / ORDER BY is a position in the SELECT list. */
function positional(x: unknown): Expr {
  const v = variant(x);
  if (v && v[0] === 'literal' && v[1].literal_type === 'number' && Number.isInteger(Number(v[1].value))) {
    return { kind: 'position', index: Number(v[1].value) };
  }
  return pExpr(x);
}
