// A whole script end to end (sqllineage semantics): statements are analysed in order, each later
// statement sees the columns written by earlier ones, and intermediate tables are collapsed so only
// (first source, last target) column pairs remain.
import type { AnalyzeRequest, SchemaLookup, StatementLineage, TableRef } from './index.ts';
import { analyzeSqlSync, statementsOf } from './index.ts';

export interface ScriptEdge {
  from: { table: TableRef; column: string };
  to: { table: TableRef; column: string };
}
export interface ScriptLineage {
  statements: StatementLineage[];
  /** End-to-end column edges (CTEs and intermediate tables collapsed), sorted. */
  edges: ScriptEdge[];
  /** Relations read through * without known columns, as (source, target) pairs. */
  starEdges: { from: TableRef; to: TableRef }[];
}

const MAX_PATH_NODES = 100_000;

export function multiStatementLineage(req: AnalyzeRequest): ScriptLineage {
  const written = new Map<string, string[]>();
  const schema: SchemaLookup = {
    columns: (key) => req.schema?.columns(key) ?? written.get(key),
  };
  const statements: StatementLineage[] = [];
  for (const st of statementsOf(req.sql)) {
    const [r] = analyzeSqlSync({ ...req, sql: st.text, schema });
    if (!r) continue;
    r.index = statements.length;
    statements.push(r);
    // A CREATE … AS defines the relation's full column list; an INSERT names only some of them.
    const defines = r.statementType === 'create_table' || r.statementType === 'create_view';
    if (r.write && defines && r.complete && !req.schema?.columns(r.write.key))
      written.set(
        r.write.key,
        r.columns.map((c) => c.name),
      );
  }
  // Column graph across statements.
  const refs = new Map<string, { table: TableRef; column: string }>();
  const out = new Map<string, Set<string>>();
  const inDeg = new Map<string, number>();
  const node = (table: TableRef, column: string): string => {
    const k = `${table.key}\u0000${column}`;
    if (!refs.has(k)) refs.set(k, { table, column });
    return k;
  };
  const starEdges = new Map<string, { from: TableRef; to: TableRef }>();
  const selfEdges = new Map<string, ScriptEdge>();
  for (const s of statements) {
    if (!s.write) continue;
    for (const c of s.columns) {
      const to = node(s.write, c.name);
      for (const src of c.sources) {
        const from = node(src.table, src.column);
        if (from === to) {
          selfEdges.set(`${from}\u0001${to}`, { from: refs.get(from)!, to: refs.get(to)! });
          continue;
        }
        const set = out.get(from) ?? new Set<string>();
        if (!set.has(to)) {
          set.add(to);
          inDeg.set(to, (inDeg.get(to) ?? 0) + 1);
        }
        out.set(from, set);
      }
    }
    for (const star of s.starSources)
      starEdges.set(`${star.key}\u0000${s.write.key}`, { from: star, to: s.write });
  }
  const edges = new Map<string, ScriptEdge>(selfEdges);
  for (const root of out.keys()) {
    if ((inDeg.get(root) ?? 0) > 0) continue;
    const seen = new Set<string>([root]);
    const stack = [root];
    while (stack.length > 0 && seen.size < MAX_PATH_NODES) {
      const cur = stack.pop()!;
      const next = out.get(cur);
      if (!next || next.size === 0) {
        if (cur !== root) edges.set(`${root}\u0001${cur}`, { from: refs.get(root)!, to: refs.get(cur)! });
        continue;
      }
      for (const n of next) {
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
  }
  const sorted = [...edges.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  return { statements, edges: sorted, starEdges: [...starEdges.values()] };
}
