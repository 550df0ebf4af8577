// Our own small SQL tree. parse.ts/convert.ts turn a front end's AST into it; scope, qualify and
// lineage only ever see these kind-tagged nodes, so a second front end can feed the same resolver.

/** One identifier as written, with whether it was quoted (quoted names keep their case). */
export interface Ident {
  value: string;
  quoted: boolean;
}

export type Expr =
  | { kind: 'column'; qualifier: Ident[]; name: Ident }
  | { kind: 'star'; qualifier: Ident[]; except: Ident[]; replace: { name: Ident; expr: Expr }[] }
  | { kind: 'literal' }
  | {
      kind: 'func';
      name: string;
      args: Expr[];
      aggregate: boolean;
      filter: Expr | null;
      window: WindowSpec | null;
    }
  | { kind: 'case'; operand: Expr | null; whens: { cond: Expr; result: Expr }[]; otherwise: Expr | null }
  | { kind: 'cast'; expr: Expr; shorthand: boolean }
  | { kind: 'op'; args: Expr[] }
  | { kind: 'subquery'; query: Query }
  /** `GROUP BY 1` / `ORDER BY 2`: a 1-based position in the SELECT list. */
  | { kind: 'position'; index: number };

export interface WindowSpec {
  partitionBy: Expr[];
  orderBy: Expr[];
}

export interface SelectItem {
  expr: Expr;
  alias: Ident | null;
  /** The item's text, used as the output name of an unaliased expression. */
  text: string;
}

export interface JoinInfo {
  type: string;
  on: Expr | null;
  using: Ident[];
  natural: boolean;
}

export type FromItem =
  | { kind: 'table'; name: Ident[]; alias: Ident | null; join: JoinInfo | null }
  | {
      kind: 'derived';
      query: Query;
      alias: Ident | null;
      columnAliases: Ident[];
      join: JoinInfo | null;
      lateral: boolean;
    }
  | {
      kind: 'function';
      /** The table function's name (UNNEST, FLATTEN, EXPLODE, GENERATE_SERIES…), upper case. */
      name: string;
      args: Expr[];
      alias: Ident | null;
      columnAliases: Ident[];
      join: JoinInfo | null;
      /** `WITH ORDINALITY`: one more column after the function's own, with no source. */
      ordinality?: boolean;
    };

export interface Cte {
  name: Ident;
  columns: Ident[];
  query: Query;
}

export interface Select {
  kind: 'select';
  ctes: Cte[];
  items: SelectItem[];
  from: FromItem[];
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  qualify: Expr | null;
  orderBy: Expr[];
}

export interface SetOp {
  kind: 'setop';
  ctes: Cte[];
  op: string;
  branches: Query[];
  orderBy: Expr[];
}

export type Query = Select | SetOp;

export interface Assignment {
  column: Ident;
  value: Expr;
}

export type Statement =
  | { kind: 'select'; query: Query }
  | {
      kind: 'insert';
      target: Ident[];
      columns: Ident[];
      partition: Ident[];
      query: Query | null;
      values: Expr[][];
    }
  | { kind: 'create_table'; target: Ident[]; columns: Ident[]; query: Query | null }
  | { kind: 'create_view'; target: Ident[]; columns: Ident[]; query: Query | null }
  | {
      kind: 'update';
      target: Ident[];
      alias: Ident | null;
      set: Assignment[];
      from: FromItem[];
      where: Expr | null;
      ctes: Cte[];
    }
  | { kind: 'delete'; target: Ident[]; alias: Ident | null; from: FromItem[]; where: Expr | null }
  | {
      kind: 'merge';
      target: Ident[];
      alias: Ident | null;
      source: FromItem;
      on: Expr | null;
      updates: { condition: Expr | null; set: Assignment[] }[];
      inserts: { condition: Expr | null; columns: Ident[]; values: Expr[] }[];
    }
  | { kind: 'ddl'; target: Ident[] | null }
  | { kind: 'other' };

export const LITERAL: Expr = { kind: 'literal' };
