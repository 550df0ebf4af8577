// Accuracy of the SQL column-lineage engine on the sqllineage gold cases
// (../shared/corpus/sql-lineage/sqllineage-cases.jsonl; semantics in its README).
// Compares like with like: per-column expression sources only, intermediate tables collapsed end to end,
// `src.* -> tgt.*` when a star cannot be expanded. Prints precision / recall / F1 of column edges and the
// exact-match share, per dialect, and the failing cases grouped by category (--verbose prints each).
import { readFileSync } from 'node:fs';
import { relationKey } from '../src/model/identity.ts';
import type { Platform } from '../src/model/lineage.ts';
import { multiStatementLineage } from '../parsers/sql/index.ts';

const CASES = process.env.SQL_CASES ?? '/work/shared/corpus/sql-lineage/sqllineage-cases.jsonl';
const verbose = process.argv.includes('--verbose');

interface Case {
  id: string;
  dialect: string;
  sql: string;
  schema: Record<string, Record<string, unknown>>;
  expected: {
    column_lineage: {
      target_ref: { table: string | null; column: string };
      source_refs: { table: string | null; column: string }[];
    }[];
  };
  meta: { unresolved_source_columns?: boolean; lateral_column_alias_reference?: boolean };
}

/** sqlfluff dialect -> our platform. */
export function platformOf(dialect: string): Platform {
  switch (dialect) {
    case 'bigquery':
      return 'bigquery';
    case 'databricks':
    case 'sparksql':
    case 'hive':
      return 'databricks';
    case 'snowflake':
      return 'snowflake';
    case 'postgres':
      return 'postgres';
    case 'redshift':
      return 'redshift';
    case 'mysql':
      return 'mysql';
    default:
      return 'generic';
  }
}

const norm = (s: string): string => s.toLowerCase().replaceAll('"', '').replaceAll('`', '');
/** An expression target (unaliased expression) is compared by position-free placeholder. */
const col = (c: string): string => (/^[\w$*]+$/.test(c) ? norm(c) : '<expr>');

function expectedEdges(c: Case): Set<string> {
  const out = new Set<string>();
  for (const l of c.expected.column_lineage) {
    for (const s of l.source_refs) {
      out.add(
        `${norm(s.table ?? '?')}.${col(s.column)} -> ${norm(l.target_ref.table ?? '?')}.${col(l.target_ref.column)}`,
      );
    }
  }
  return out;
}

function actualEdges(c: Case, platform: Platform): { edges: Set<string>; parsed: boolean } {
  const known = new Map<string, string[]>();
  for (const [t, cols] of Object.entries(c.schema ?? {}))
    known.set(
      relationKey(platform, t),
      Object.keys(cols).map((x) => x.toLowerCase()),
    );
  const r = multiStatementLineage({
    sql: c.sql,
    platform,
    schema: { columns: (k) => known.get(k) },
    lateralAliases: c.meta.lateral_column_alias_reference ?? false,
    frontEnd: process.argv.includes('--polyglot-first') ? 'polyglot-first' : undefined,
  });
  const edges = new Set<string>();
  for (const e of r.edges)
    edges.add(
      `${norm(e.from.table.key)}.${col(e.from.column)} -> ${norm(e.to.table.key)}.${col(e.to.column)}`,
    );
  for (const s of r.starEdges) edges.add(`${norm(s.from.key)}.* -> ${norm(s.to.key)}.*`);
  return { edges, parsed: r.statements.every((s) => s.confidence !== 'TABLE_LEVEL') };
}

function category(c: Case, parsed: boolean, missing: string[], extra: string[]): string {
  if (!parsed) {
    const head = c.sql.trim().split(/\s+/).slice(0, 2).join(' ').toUpperCase();
    return `unparsed: ${head}`;
  }
  if (c.meta.unresolved_source_columns) return 'unresolved source expected';
  if (missing.some((m) => m.includes('*')) || extra.some((m) => m.includes('*'))) return 'wildcard';
  if (missing.length && !extra.length) return 'missing edges';
  if (extra.length && !missing.length) return 'extra edges';
  return 'wrong edges';
}

const cases: Case[] = readFileSync(CASES, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Case);
type Tally = { tp: number; fp: number; fn: number; exact: number; n: number };
const by = new Map<string, Tally>();
const cats = new Map<string, string[]>();
const t0 = performance.now();
for (const c of cases) {
  const platform = platformOf(c.dialect);
  const exp = expectedEdges(c);
  const { edges: got, parsed } = actualEdges(c, platform);
  const missing = [...exp].filter((e) => !got.has(e));
  const extra = [...got].filter((e) => !exp.has(e));
  for (const key of [c.dialect, 'ALL']) {
    const t = by.get(key) ?? { tp: 0, fp: 0, fn: 0, exact: 0, n: 0 };
    t.tp += exp.size - missing.length;
    t.fn += missing.length;
    t.fp += extra.length;
    t.n++;
    if (missing.length === 0 && extra.length === 0) t.exact++;
    by.set(key, t);
  }
  if (missing.length || extra.length) {
    const cat = category(c, parsed, missing, extra);
    cats.set(cat, [...(cats.get(cat) ?? []), c.id]);
    if (verbose) {
      console.log(`\n### ${c.id} [${c.dialect}] (${cat})\n${c.sql.trim()}`);
      for (const m of missing) console.log(`  missing ${m}`);
      for (const e of extra) console.log(`  extra   ${e}`);
    }
  }
}
const ms = performance.now() - t0;
const f = (x: number): string => x.toFixed(3);
console.log(`\nsqllineage gold cases: ${cases.length} (${ms.toFixed(0)} ms)\n`);
console.log('| dialect | cases | precision | recall | F1 | exact |');
console.log('|---|---:|---:|---:|---:|---:|');
const order = [...by.keys()].filter((k) => k !== 'ALL').sort();
for (const k of [...order, 'ALL']) {
  const t = by.get(k)!;
  const p = t.tp / Math.max(1, t.tp + t.fp);
  const r = t.tp / Math.max(1, t.tp + t.fn);
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  console.log(`| ${k} | ${t.n} | ${f(p)} | ${f(r)} | ${f(f1)} | ${((100 * t.exact) / t.n).toFixed(1)}% |`);
}
console.log('\nfailures by category:');
for (const [cat, ids] of [...cats.entries()].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`- ${cat}: ${ids.length}${verbose ? '' : `  (e.g. ${ids[0]})`}`);
}
