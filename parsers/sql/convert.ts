// Converts node-sql-parser's AST (RawNode) into our SQL tree. Reads defensively: node shapes differ
// between grammars, and anything not recognised is kept as a generic operator over its children so no
// column reference is ever dropped silently.
import type { RawNode } from './parse.ts';
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

export interface ConvertContext {
  platform: Platform;
  /** Identifier values seen quoted / bare in the statement text. */
  quoted: Set<string>;
  bare: Set<string>;
  /** Whether "x" is an identifier (true) or a string literal (false) in this dialect. */
  doubleQuoteIsIdent: boolean;
  sqlOf: (expr: RawNode) => string;
}

export const AGGREGATES: ReadonlySet<string> = new Set([
  'SUM',
  'COUNT',
  'AVG',
  'MIN',
  'MAX',
  'ARRAY_AGG',
  'STRING_AGG',
  'LISTAGG',
  'GROUP_CONCAT',
  'MEDIAN',
  'STDDEV',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VARIANCE',
  'VAR_POP',
  'VAR_SAMP',
  'ANY_VALUE',
  'BOOL_AND',
  'BOOL_OR',
  'BOOLAND_AGG',
  'BOOLOR_AGG',
  'COUNT_IF',
  'COUNTIF',
  'APPROX_COUNT_DISTINCT',
  'ARRAY_UNION_AGG',
  'OBJECT_AGG',
  'PERCENTILE_CONT',
  'PERCENTILE_DISC',
  'MODE',
  'HLL',
  'COLLECT_LIST',
  'COLLECT_SET',
  'FIRST',
  'LAST',
  'ARBITRARY',
  'APPROX_DISTINCT',
  'BIT_AND',
  'BIT_OR',
  'LOGICAL_AND',
  'LOGICAL_OR',
  'SUMIF',
  'AVGIF',
  'MAX_BY',
  'MIN_BY',
  'ARG_MAX',
  'ARG_MIN',
  'JSON_AGG',
  'JSONB_AGG',
  'XMLAGG',
  'CORR',
  'COVAR_POP',
  'COVAR_SAMP',
  'KURTOSIS',
  'SKEW',
  'APPROX_PERCENTILE',
  'APPROX_QUANTILES',
  'ARRAY_CONCAT_AGG',
]);

function isObj(x: unknown): x is RawNode {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null;
}

/** An identifier from any of the shapes node-sql-parser uses. */
export function identOf(x: unknown, ctx: ConvertContext): Ident | null {
  if (typeof x === 'string') return { value: x, quoted: ctx.quoted.has(x) && !ctx.bare.has(x) };
  if (isObj(x)) {
    if (x.type === 'column_ref') return identOf(x.column, ctx);
    if (isObj(x.expr)) return identOf(x.expr, ctx);
    const v = x.value;
    if (typeof v === 'string') {
      const t = x.type;
      if (t === 'double_quote_string' || t === 'backticks_quote_string' || t === 'bracket_quote_string')
        return { value: v, quoted: true };
      return identOf(v, ctx);
    }
  }
  return null;
}

function identList(x: unknown, ctx: ConvertContext): Ident[] {
  if (!Array.isArray(x)) return [];
  return x.map((e) => identOf(e, ctx)).filter((e): e is Ident => e !== null);
}

/** A node that wraps a query: `{ast: select}` or a select itself. */
function queryNode(x: unknown): RawNode | null {
  if (!isObj(x)) return null;
  if (isObj(x.ast) && (x.ast.type === 'select' || isObj(x.ast._next))) return x.ast;
  if (x.type === 'select') return x;
  return null;
}

export function convertExpr(x: unknown, ctx: ConvertContext): Expr {
  if (Array.isArray(x)) return { kind: 'op', args: x.map((e) => convertExpr(e, ctx)) };
  if (!isObj(x)) return LITERAL;
  const q = queryNode(x);
  if (q) return { kind: 'subquery', query: convertQuery(q, ctx) };
  switch (x.type) {
    case 'column_ref':
      return columnRef(x, ctx);
    case 'number':
    case 'single_quote_string':
    case 'natural_string':
    case 'hex_string':
    case 'full_hex_string':
    case 'bit_string':
    case 'regex_string':
    case 'bool':
    case 'boolean':
    case 'null':
    case 'star':
    case 'param':
    case 'var':
    case 'datatype':
    case 'origin':
    case 'default':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'string':
      return LITERAL;
    case 'double_quote_string':
    case 'backticks_quote_string':
      if (ctx.doubleQuoteIsIdent || x.type === 'backticks_quote_string')
        return { kind: 'column', qualifier: [], name: { value: String(x.value), quoted: true } };
      return LITERAL;
    case 'aggr_func':
    case 'function':
    case 'window_func':
      return func(x, ctx);
    case 'case':
      return caseExpr(x, ctx);
    case 'cast':
      return { kind: 'cast', expr: convertExpr(x.expr, ctx), shorthand: x.symbol === '::' };
    case 'binary_expr':
      return { kind: 'op', args: [convertExpr(x.left, ctx), convertExpr(x.right, ctx)] };
    case 'unary_expr':
      return { kind: 'op', args: [convertExpr(x.expr, ctx)] };
    case 'expr_list':
      return { kind: 'op', args: Array.isArray(x.value) ? x.value.map((e) => convertExpr(e, ctx)) : [] };
    default:
      return generic(x, ctx);
  }
}

function generic(x: RawNode, ctx: ConvertContext): Expr {
  const args: Expr[] = [];
  for (const [k, v] of Object.entries(x)) {
    if (k === 'type' || k === 'loc' || k === 'tableList' || k === 'columnList' || k === 'parentheses')
      continue;
    if (isObj(v) || Array.isArray(v)) {
      const e = convertExpr(v, ctx);
      if (e.kind !== 'literal') args.push(e);
    }
  }
  return args.length === 0 ? LITERAL : { kind: 'op', args };
}

function columnRef(x: RawNode, ctx: ConvertContext): Expr {
  const qualifier: Ident[] = [];
  for (const key of ['db', 'schema', 'table']) {
    const id = x[key] === null || x[key] === undefined ? null : identOf(x[key], ctx);
    if (id && id.value !== '') qualifier.push(id);
  }
  const col = x.column;
  if (col === '*' || (isObj(col) && isObj(col.expr) && col.expr.value === '*')) {
    return { kind: 'star', qualifier, except: starExcept(x.suffix, ctx), replace: [] };
  }
  const notations = Array.isArray(x.notations) ? x.notations : [];
  let name = identOf(col, ctx);
  if (!name) return LITERAL;
  // Snowflake semi-structured access `v:a.b` comes back as table=v, notations [':'], column=a.
  if (notations[0] === ':' && qualifier.length > 0) {
    name = qualifier.pop()!;
  }
  // BigQuery struct fields `widget.asset.id` come back as column=asset, subFields [id]: one dotted
  // reference, as polyglot reads it (qualify.ts decides relation vs struct).
  const fields = Array.isArray(x.subFields) ? x.subFields.map((f) => identOf(f, ctx)) : [];
  if (fields.length > 0 && fields.every((f) => f !== null)) {
    return {
      kind: 'column',
      qualifier: [...qualifier, name, ...fields.slice(0, -1)],
      name: fields[fields.length - 1],
    };
  }
  return { kind: 'column', qualifier, name };
}

function starExcept(suffix: unknown, ctx: ConvertContext): Ident[] {
  if (!isObj(suffix)) return [];
  const args = isObj(suffix.args) ? suffix.args.value : undefined;
  if (!Array.isArray(args)) return [];
  const out: Ident[] = [];
  for (const a of args) {
    const e = convertExpr(a, ctx);
    if (e.kind === 'column') out.push(e.name);
  }
  return out;
}

/** A function's name parts: `{name: [parts], schema}` (the bigquery grammar puts a bare name in `schema`). */
function funcNameParts(x: RawNode): RawNode[] {
  const n = x.name;
  if (!isObj(n)) return [];
  const parts = Array.isArray(n.name) ? n.name.filter(isObj) : [];
  return isObj(n.schema) ? [n.schema, ...parts] : parts;
}

function funcName(x: RawNode): string {
  const n = x.name;
  if (typeof n === 'string') return n.toUpperCase();
  return funcNameParts(x)
    .map((p) => String(p.value ?? ''))
    .join('.')
    .toUpperCase();
}

function func(x: RawNode, ctx: ConvertContext): Expr {
  const name = funcName(x);
  const args: Expr[] = [];
  const a = x.args;
  if (isObj(a)) {
    if (Array.isArray(a.value)) for (const v of a.value) args.push(convertExpr(v, ctx));
    else if (a.expr !== undefined) args.push(convertExpr(a.expr, ctx));
    else args.push(generic(a, ctx));
    if (Array.isArray(a.orderby))
      for (const o of a.orderby) args.push(convertExpr(isObj(o) ? o.expr : o, ctx));
  } else if (Array.isArray(a)) for (const v of a) args.push(convertExpr(v, ctx));
  if (isObj(x.within_group_orderby) || Array.isArray(x.within_group_orderby))
    args.push(convertExpr(x.within_group_orderby, ctx));
  const filterNode = isObj(x.filter) ? (x.filter.where ?? x.filter) : null;
  const window = windowSpec(x.over, ctx);
  return {
    kind: 'func',
    name,
    args: withoutDatePart(name, ctx.platform, args).filter((e) => e.kind !== 'literal'),
    aggregate: x.type === 'aggr_func' || AGGREGATES.has(name.split('.').pop() ?? name),
    filter: filterNode ? convertExpr(filterNode, ctx) : null,
    window,
  };
}

function windowSpec(over: unknown, ctx: ConvertContext): { partitionBy: Expr[]; orderBy: Expr[] } | null {
  if (!isObj(over)) return null;
  const spec0 = isObj(over.as_window_specification) ? over.as_window_specification : over;
  const spec = isObj(spec0.window_specification) ? spec0.window_specification : spec0;
  const part = Array.isArray(spec.partitionby) ? spec.partitionby : [];
  const order = Array.isArray(spec.orderby) ? spec.orderby : [];
  return {
    partitionBy: part.map((p) => convertExpr(isObj(p) && 'expr' in p ? p.expr : p, ctx)),
    orderBy: order.map((o) => convertExpr(isObj(o) && 'expr' in o ? o.expr : o, ctx)),
  };
}

function caseExpr(x: RawNode, ctx: ConvertContext): Expr {
  const whens: { cond: Expr; result: Expr }[] = [];
  let otherwise: Expr | null = null;
  for (const a of Array.isArray(x.args) ? x.args : []) {
    if (!isObj(a)) continue;
    if (a.type === 'else') otherwise = convertExpr(a.result, ctx);
    else whens.push({ cond: convertExpr(a.cond, ctx), result: convertExpr(a.result, ctx) });
  }
  return { kind: 'case', operand: x.expr ? convertExpr(x.expr, ctx) : null, whens, otherwise };
}

function exprList(x: unknown, ctx: ConvertContext): Expr[] {
  if (isObj(x) && Array.isArray(x.columns)) x = x.columns;
  if (!Array.isArray(x)) return x ? [convertExpr(x, ctx)] : [];
  return x.map((e) =>
    convertExpr(isObj(e) && 'expr' in e && !('type' in e && e.type !== 'expr') ? e.expr : e, ctx),
  );
}

function ctes(x: unknown, ctx: ConvertContext): Cte[] {
  if (!Array.isArray(x)) return [];
  const out: Cte[] = [];
  for (const c of x) {
    if (!isObj(c)) continue;
    const name = identOf(c.name, ctx);
    const q = queryNode(c.stmt) ?? (isObj(c.stmt) ? queryNode(c.stmt.ast) : null);
    if (!name || !q) continue;
    out.push({ name, columns: identList(c.columns, ctx), query: convertQuery(q, ctx) });
  }
  return out;
}

export function convertQuery(x: RawNode, ctx: ConvertContext): Query {
  const withs = ctes(x.with, ctx);
  if (isObj(x._next)) {
    const branches: Query[] = [];
    let cur: RawNode | null = x;
    let op = String(x.set_op ?? 'union');
    let orderBy: Expr[] = [];
    while (cur) {
      const next: RawNode | null = isObj(cur._next) ? cur._next : null;
      const isLast = next === null;
      branches.push(
        convertSelect(
          { ...cur, _next: undefined, with: undefined, orderby: isLast ? undefined : cur.orderby },
          ctx,
        ),
      );
      if (isLast && cur.orderby) orderBy = exprList(cur.orderby, ctx);
      if (next && cur !== x) op = String(cur.set_op ?? op);
      cur = next;
    }
    return { kind: 'setop', ctes: withs, op, branches, orderBy };
  }
  const s = convertSelect(x, ctx);
  return s;
}

/** `* EXCEPT (a, b)` drops columns; `* REPLACE (expr AS a)` gives `a` the lineage of `expr`. */
function starModifiers(base: Extract<Expr, { kind: 'star' }>, c: RawNode, ctx: ConvertContext): Expr {
  const list = Array.isArray(c.expr_list) ? c.expr_list : [];
  if (c.type === 'replace') {
    const replace = list.flatMap((e) => {
      const name = isObj(e) && typeof e.as === 'string' ? identOf(e.as, ctx) : null;
      return name && isObj(e) ? [{ name, expr: convertExpr(e.expr, ctx) }] : [];
    });
    return { ...base, replace };
  }
  const names = list.map((e) => convertExpr(isObj(e) ? (e.expr ?? e) : e, ctx));
  return { ...base, except: names.flatMap((e) => (e.kind === 'column' ? [e.name] : [])) };
}

function convertSelect(x: RawNode, ctx: ConvertContext): Query {
  const items: SelectItem[] = [];
  const cols = x.columns;
  if (cols === '*')
    items.push({ expr: { kind: 'star', qualifier: [], except: [], replace: [] }, alias: null, text: '*' });
  else if (Array.isArray(cols))
    for (const c of cols) {
      if (!isObj(c)) continue;
      if (c.type === 'except' || c.type === 'replace') {
        const base = convertExpr(c.expr, ctx);
        if (base.kind === 'star') {
          items.push({ expr: starModifiers(base, c, ctx), alias: null, text: '*' });
          continue;
        }
      }
      const expr = convertExpr(c.expr, ctx);
      const alias = c.as === null || c.as === undefined ? null : identOf(c.as, ctx);
      items.push({ expr, alias, text: isObj(c.expr) ? ctx.sqlOf(c.expr) : '' });
    }
  const from: FromItem[] = [];
  for (const f of flattenFrom(Array.isArray(x.from) ? x.from : isObj(x.from) ? [x.from] : [])) {
    const item = convertFrom(f, ctx);
    if (item) from.push(item);
  }
  joinKeywordAliases(from);
  return {
    kind: 'select',
    ctes: ctes(x.with, ctx),
    items,
    from,
    where: x.where ? convertExpr(x.where, ctx) : null,
    groupBy: positional(x.groupby, ctx),
    having: x.having ? convertExpr(x.having, ctx) : null,
    qualify: x.qualify ? convertExpr(x.qualify, ctx) : null,
    orderBy: positional(x.orderby, ctx),
  };
}

/**
 * Some node-sql-parser grammars read `a CROSS JOIN b` / `a NATURAL JOIN b` as `a AS cross` followed by
 * `JOIN b`: an unquoted CROSS / NATURAL alias right before a join is that join's keyword, not an alias.
 */
function joinKeywordAliases(from: FromItem[]): void {
  from.forEach((f, i) => {
    const next = from[i + 1];
    const kw = f.alias && !f.alias.quoted ? f.alias.value.toUpperCase() : '';
    if ((kw !== 'CROSS' && kw !== 'NATURAL') || !next?.join) return;
    f.alias = null;
    next.join = { ...next.join, type: `${kw} JOIN`, natural: kw === 'NATURAL' };
  });
}

function joinInfo(f: RawNode, ctx: ConvertContext): JoinInfo | null {
  const j = str(f.join);
  if (!j) return null;
  return {
    type: j.toUpperCase(),
    on: f.on ? convertExpr(f.on, ctx) : null,
    using: identList(f.using, ctx),
    natural: /NATURAL/i.test(j),
  };
}

export function tableName(f: RawNode, ctx: ConvertContext): Ident[] {
  const parts: Ident[] = [];
  const surround = isObj(f.surround) ? f.surround : {};
  const part = (v: unknown, key: string): void => {
    if (typeof v !== 'string' || v === '') return;
    const quotedBySurround = typeof surround[key] === 'string' && surround[key] !== '';
    if (quotedBySurround && v.includes('.') && surround[key] === '`') {
      for (const p of v.split('.')) parts.push({ value: p, quoted: true });
      return;
    }
    const id = identOf(v, ctx)!;
    parts.push(quotedBySurround ? { value: v, quoted: true } : id);
  };
  if (typeof f.schema === 'string' && f.schema !== '') {
    part(f.catalog ?? f.db, 'db');
    part(f.schema, 'schema');
  } else part(f.db, 'db');
  part(f.table, 'table');
  if (parts.length === 1 && !parts[0].quoted && parts[0].value.includes('.')) {
    const split = parts[0].value.split('.');
    return split.map((p) => identOf(p, ctx)!);
  }
  return parts;
}

function convertFrom(f: unknown, ctx: ConvertContext): FromItem | null {
  if (!isObj(f)) return null;
  let alias = f.as === null || f.as === undefined ? null : identOf(f.as, ctx);
  let columnAliases = identList(f.columns, ctx);
  // `AS x(k, v)` comes back as the alias string "x(k,v)".
  const withList = alias && !alias.quoted ? /^([^(]+)\((.*)\)$/.exec(alias.value) : null;
  if (withList) {
    alias = identOf(withList[1].trim(), ctx);
    columnAliases = withList[2].split(',').map((c) => identOf(c.trim().replace(/^"(.*)"$/, '$1'), ctx)!);
  }
  const join = joinInfo(f, ctx);
  if (f.type === 'dual') return null;
  const q = queryNode(f.expr);
  if (q)
    return {
      kind: 'derived',
      query: convertQuery(q, ctx),
      alias,
      columnAliases,
      join,
      lateral: /lateral/i.test(String(f.prefix ?? '')),
    };
  if (typeof f.table === 'string' && f.table !== '')
    return { kind: 'table', name: tableName(f, ctx), alias, join };
  if (f.expr !== undefined || f.type === 'unnest') {
    const e = convertExpr(f.expr ?? f, ctx);
    const fx = isObj(f.expr) ? f.expr : f;
    return {
      kind: 'function',
      name: String(fx.type === 'function' ? funcName(fx) : (fx.type ?? '')).toUpperCase(),
      args: e.kind === 'literal' ? [] : [e],
      alias,
      columnAliases,
      join,
    };
  }
  return null;
}

function targetOf(x: unknown, ctx: ConvertContext): Ident[] {
  const t = Array.isArray(x) ? x[0] : x;
  if (!isObj(t)) return [];
  if (typeof t.view === 'string') return tableName({ ...t, table: t.view }, ctx);
  return tableName(t, ctx);
}

/** A CREATE TABLE target; `t (a, b) AS SELECT …` comes back as a call `t(a, b)`: name plus column list. */
function createTarget(x: unknown, ctx: ConvertContext): { target: Ident[]; columns: Ident[] } {
  const t = Array.isArray(x) ? x[0] : x;
  const call = isObj(t) && isObj(t.expr) && t.expr.type === 'function' ? t.expr : null;
  if (!call) return { target: targetOf(x, ctx), columns: [] };
  const target = funcNameParts(call)
    .map((p) => identOf(p, ctx))
    .filter((p): p is Ident => p !== null);
  const args = isObj(call.args) && Array.isArray(call.args.value) ? call.args.value : [];
  const columns = args.map((a) => identOf(a, ctx)).filter((c): c is Ident => c !== null);
  return { target, columns };
}

function assignments(x: unknown, ctx: ConvertContext): Assignment[] {
  if (!Array.isArray(x)) return [];
  const out: Assignment[] = [];
  for (const s of x) {
    if (!isObj(s)) continue;
    const column = identOf(s.column, ctx);
    if (column) out.push({ column, value: convertExpr(s.value, ctx) });
  }
  return out;
}

/** `SELECT … INTO t` creates table t (INTO @var / :var assigns variables: a plain SELECT). */
function selectInto(x: RawNode, ctx: ConvertContext): Statement | null {
  const into = isObj(x.into) ? x.into.expr : null;
  if (typeof into !== 'string' || into === '' || /^[@:]/.test(into)) return null;
  const target = into.split('.').map((p) => identOf(p, ctx));
  if (target.some((t) => t === null)) return null;
  return { kind: 'create_table', target: target as Ident[], columns: [], query: convertQuery(x, ctx) };
}

function convertInsert(x: RawNode, ctx: ConvertContext): Statement {
  const target = targetOf(x.table, ctx);
  const columns = identList(x.columns, ctx);
  const src = queryNode(x.values) ?? queryNode(x.select);
  const partition = partitionNames(x.partition, ctx);
  if (src) return { kind: 'insert', target, columns, partition, query: convertQuery(src, ctx), values: [] };
  const rows: Expr[][] = [];
  const vals =
    isObj(x.values) && Array.isArray(x.values.values)
      ? x.values.values
      : Array.isArray(x.values)
        ? x.values
        : [];
  for (const r of vals)
    if (isObj(r) && Array.isArray(r.value)) rows.push(r.value.map((e) => convertExpr(e, ctx)));
  return { kind: 'insert', target, columns, partition, query: null, values: rows };
}

function convertCreate(x: RawNode, ctx: ConvertContext): Statement {
  const keyword = String(x.keyword ?? '').toLowerCase();
  const q = queryNode(x.query_expr) ?? queryNode(x.select) ?? queryNode(x.as);
  if (keyword === 'view' || keyword === 'materialized view') {
    return {
      kind: 'create_view',
      target: targetOf(x.view ?? x.table, ctx),
      columns: identList(x.columns, ctx),
      query: q ? convertQuery(q, ctx) : null,
    };
  }
  if (keyword === 'table') {
    const { target, columns } = createTarget(x.table, ctx);
    if (q) return { kind: 'create_table', target, columns, query: convertQuery(q, ctx) };
    return { kind: 'ddl', target };
  }
  return { kind: 'ddl', target: null };
}

export function convertStatement(x: RawNode, ctx: ConvertContext): Statement {
  const type = String(x.type ?? '').toLowerCase();
  switch (type) {
    case 'select':
      return selectInto(x, ctx) ?? { kind: 'select', query: convertQuery(x, ctx) };
    case 'insert':
    case 'replace':
      return convertInsert(x, ctx);
    case 'create':
      return convertCreate(x, ctx);
    case 'update': {
      const tables = Array.isArray(x.table) ? x.table : [];
      const first = tables[0];
      const from: FromItem[] = [];
      for (const f of [...tables.slice(1), ...(Array.isArray(x.from) ? x.from : [])]) {
        const item = convertFrom(f, ctx);
        if (item) from.push(item);
      }
      return {
        kind: 'update',
        target: isObj(first) ? tableName(first, ctx) : [],
        alias: isObj(first) && first.as ? identOf(first.as, ctx) : null,
        set: assignments(x.set, ctx),
        from,
        where: x.where ? convertExpr(x.where, ctx) : null,
        ctes: ctes(x.with, ctx),
      };
    }
    case 'delete': {
      const fromList = Array.isArray(x.from) ? x.from : [];
      const first = fromList[0] ?? (Array.isArray(x.table) ? x.table[0] : null);
      const from: FromItem[] = [];
      for (const f of fromList.slice(1)) {
        const item = convertFrom(f, ctx);
        if (item) from.push(item);
      }
      return {
        kind: 'delete',
        target: isObj(first) ? tableName(first, ctx) : [],
        alias: isObj(first) && first.as ? identOf(first.as, ctx) : null,
        from,
        where: x.where ? convertExpr(x.where, ctx) : null,
      };
    }
    case 'alter':
    case 'drop':
    case 'truncate':
    case 'rename':
      return { kind: 'ddl', target: targetOf(x.table, ctx).length ? targetOf(x.table, ctx) : null };
    default:
      return { kind: 'other' };
  }
}

/** Column names of an `INSERT … PARTITION (dt = …)` clause. */
function partitionNames(x: unknown, ctx: ConvertContext): Ident[] {
  const out: Ident[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (isObj(n)) {
      if (n.type === 'column_ref') {
        const e = columnRef(n, ctx);
        if (e.kind === 'column') out.push(e.name);
      } else if (n.type === 'binary_expr') visit(n.left);
      else Object.values(n).forEach(visit);
    }
  };
  visit(x);
  return out;
}

/** A MERGE statement from the pieces merge.ts read. */
export function convertMerge(p: import('./merge.ts').MergePieces, ctx: ConvertContext): Statement {
  const target = convertFrom(p.target, ctx);
  const source = convertFrom(p.source, ctx);
  if (!target || target.kind !== 'table' || !source) return { kind: 'other' };
  return {
    kind: 'merge',
    target: target.name,
    alias: target.alias,
    source,
    on: p.on ? convertExpr(p.on, ctx) : null,
    updates: p.updates.map((u) => ({
      condition: u.condition ? convertExpr(u.condition, ctx) : null,
      set: assignments(u.set, ctx),
    })),
    inserts: p.inserts.map((i) => ({
      condition: i.condition ? convertExpr(i.condition, ctx) : null,
      columns: identList(i.columns, ctx),
      values: i.values.map((v) => convertExpr(v, ctx)),
    })),
  };
}

/** A GROUP BY / ORDER BY list where a bare integer is a position in the SELECT list. */
function positional(x: unknown, ctx: ConvertContext): Expr[] {
  if (isObj(x) && Array.isArray(x.columns)) x = x.columns;
  if (!Array.isArray(x)) return exprList(x, ctx);
  return x.map((e) => {
    const inner = isObj(e) && isObj(e.expr) && e.type !== 'number' ? e.expr : e;
    if (isObj(inner) && inner.type === 'number' && Number.isInteger(Number(inner.value))) {
      return { kind: 'position' as const, index: Number(inner.value) };
    }
    return exprList([e], ctx)[0];
  });
}

/** `FROM ((a JOIN b ON …))`: parenthesised join groups come back as nested `tables` nodes. */
function flattenFrom(items: unknown[]): unknown[] {
  return items.flatMap((f) =>
    isObj(f) && isObj(f.expr) && f.expr.type === 'tables' && Array.isArray(f.expr.expr)
      ? flattenFrom(f.expr.expr)
      : [f],
  );
}
