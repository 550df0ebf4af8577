// Accuracy of SQL column lineage on the sqllineage gold cases
// (../shared/corpus/sql-lineage/sqllineage-cases.jsonl; semantics in its README), scored on what the
// user-facing command prints: every case is one request line to `lineage sql` (one process for all
// cases), and its `end_to_end` (intermediate tables collapsed) and `star_edges` (`src.* -> tgt.*`)
// are compared with the gold pairs. When python3 has sqlglot (pip install sqlglot), its lineage() on the
// same cases (bench/sql-accuracy-sqlglot.py) is scored the same way and printed in the same table.
// Prints precision / recall / F1 of column edges and the exact-match share, per dialect, and our failing
// cases grouped by category (--verbose prints each).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlResponse } from '../parsers/sql/jsonl.ts';
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

const ROOT = join(import.meta.dirname, '..');
const edgeKey = (from: { table: string; column: string }, to: { table: string; column: string }): string =>
  `${norm(from.table)}.${col(from.column)} -> ${norm(to.table)}.${col(to.column)}`;

/** Every case through `lineage sql`, one request line each. */
function cliEdges(cases: Case[]): Map<string, { edges: Set<string>; parsed: boolean }> {
  const input = cases
    .map((c) =>
      JSON.stringify({
        id: c.id,
        sql: c.sql,
        dialect: c.dialect,
        schema: c.schema,
        lateral_column_aliases: c.meta.lateral_column_alias_reference ?? false,
      }),
    )
    .join('\n');
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/lineage.mjs'), 'sql'], {
    input: `${input}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`lineage sql exited ${run.status}: ${run.stderr}`);
  const out = new Map<string, { edges: Set<string>; parsed: boolean }>();
  for (const line of run.stdout.split('\n').filter((l) => l.trim())) {
    const r = JSON.parse(line) as SqlResponse;
    const edges = new Set<string>();
    for (const e of r.end_to_end) edges.add(edgeKey(e.source, e.target));
    for (const s of r.star_edges) edges.add(`${norm(s.source)}.* -> ${norm(s.target)}.*`);
    const parsed = !r.diagnostics.some((d) => d.code === 'SQL_PARSE_FAILED' || d.code === 'SQL_TIMEOUT');
    out.set(String(r.id), { edges, parsed });
  }
  return out;
}

/** sqlglot's lineage on the same cases, or null when python3 has no sqlglot. */
function sqlglotEdges(): Map<string, Set<string>> | null {
  const run = spawnSync('python3', [join(ROOT, 'bench/sql-accuracy-sqlglot.py')], {
    input: readFileSync(CASES, 'utf8'),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) return null;
  const out = new Map<string, Set<string>>();
  for (const line of run.stdout.split('\n').filter((l) => l.trim())) {
    const r = JSON.parse(line) as { id: string; edges: string[]; stars: string[] };
    const edges = new Set<string>();
    for (const e of r.edges) {
      const [from, to] = e.split(' -> ');
      const split = (x: string) => ({
        table: x.slice(0, x.lastIndexOf('.')),
        column: x.slice(x.lastIndexOf('.') + 1),
      });
      edges.add(edgeKey(split(from), split(to)));
    }
    for (const s of r.stars) {
      const [from, to] = s.split(' -> ');
      edges.add(`${norm(from)}.* -> ${norm(to)}.*`);
    }
    out.set(r.id, edges);
  }
  return out;
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
const cats = new Map<string, string[]>();

/** Adds one case's comparison to the per-dialect tallies; returns (missing, extra). */
function score(by: Map<string, Tally>, c: Case, got: Set<string>): { missing: string[]; extra: string[] } {
  const exp = expectedEdges(c);
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
  return { missing, extra };
}

const t0 = performance.now();
const ours = cliEdges(cases);
const ms = performance.now() - t0;
const glot = sqlglotEdges();
const oursBy = new Map<string, Tally>();
const glotBy = new Map<string, Tally>();
for (const c of cases) {
  const got = ours.get(c.id) ?? { edges: new Set<string>(), parsed: false };
  const { missing, extra } = score(oursBy, c, got.edges);
  if (glot) score(glotBy, c, glot.get(c.id) ?? new Set());
  if (missing.length || extra.length) {
    const cat = category(c, got.parsed, missing, extra);
    cats.set(cat, [...(cats.get(cat) ?? []), c.id]);
    if (verbose) {
      console.log(`\n### ${c.id} [${c.dialect}] (${cat})\n${c.sql.trim()}`);
      for (const m of missing) console.log(`  missing ${m}`);
      for (const e of extra) console.log(`  extra   ${e}`);
    }
  }
}
const f = (x: number): string => x.toFixed(3);
const cells = (t: Tally | undefined): string => {
  if (!t) return '– | – | – | –';
  const p = t.tp / Math.max(1, t.tp + t.fp);
  const r = t.tp / Math.max(1, t.tp + t.fn);
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return `${f(p)} | ${f(r)} | ${f(f1)} | ${((100 * t.exact) / t.n).toFixed(1)}%`;
};
console.log(`\nsqllineage gold cases: ${cases.length} (lineage sql: ${ms.toFixed(0)} ms, one process)`);
if (!glot) console.log('sqlglot: not installed for python3 (pip install sqlglot) — its columns are empty');
console.log(
  '\n| dialect | cases | ours P | ours R | ours F1 | ours exact | sqlglot P | sqlglot R | sqlglot F1 | sqlglot exact |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const order = [...oursBy.keys()].filter((k) => k !== 'ALL').sort();
for (const k of [...order, 'ALL']) {
  console.log(`| ${k} | ${oursBy.get(k)!.n} | ${cells(oursBy.get(k))} | ${cells(glotBy.get(k))} |`);
}
console.log('\nour failures by category:');
for (const [cat, ids] of [...cats.entries()].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`- ${cat}: ${ids.length}${verbose ? '' : `  (e.g. ${ids[0]})`}`);
}
