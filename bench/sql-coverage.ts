// Parse coverage of the SQL engine on TPC-DS, TPC-H and the compiled SQL of every real dbt manifest:
// the share of statements read by node-sql-parser alone, and with the second front end (polyglot),
// i.e. a column-level result rather than the tokenizer fallback. Also counts what the resolver made of
// them (output columns with sources, ambiguous/unresolved column diagnostics).
// `--failures` lists every unread statement with the parser's message.
import { analyzeSqlSync } from '../parsers/sql/index.ts';
import { allStatements } from './sql-corpus.ts';

const showFailures = process.argv.includes('--failures');
interface Row {
  platform: string;
  n: number;
  nsp: number;
  ok: number;
  cols: number;
  withSources: number;
  ambiguous: number;
  unresolved: number;
}
const rows = new Map<string, Row>();
const failures: string[] = [];
for (const st of allStatements()) {
  const res = analyzeSqlSync({
    sql: st.sql,
    platform: st.platform,
    defaultDatabase: st.defaultDatabase,
    defaultSchema: st.defaultSchema,
    schema: st.schema,
  });
  const ok = res.length > 0 && res.every((r) => r.confidence !== 'TABLE_LEVEL');
  const diags = res.flatMap((r) => r.diagnostics);
  const row = rows.get(st.corpus) ?? {
    platform: st.platform,
    n: 0,
    nsp: 0,
    ok: 0,
    cols: 0,
    withSources: 0,
    ambiguous: 0,
    unresolved: 0,
  };
  row.n++;
  if (ok) row.ok++;
  if (ok && !diags.some((d) => d.code === 'SQL_SECOND_FRONT_END')) row.nsp++;
  for (const r of res) {
    row.cols += r.columns.length;
    row.withSources += r.columns.filter((c) => c.sources.length > 0).length;
  }
  row.ambiguous += diags.filter((d) => d.code === 'SQL_AMBIGUOUS_COLUMN').length;
  row.unresolved += diags.filter((d) => d.code === 'SQL_UNRESOLVED_COLUMN').length;
  rows.set(st.corpus, row);
  if (!ok) {
    const d = diags.find(
      (x) => x.code === 'SQL_PARSE_FAILED' || x.code === 'SQL_TIMEOUT' || x.code === 'SQL_TOO_LARGE',
    );
    failures.push(`${st.corpus} ${st.id}: ${(d?.message ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
  }
}
const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
const total: Row = {
  platform: '',
  n: 0,
  nsp: 0,
  ok: 0,
  cols: 0,
  withSources: 0,
  ambiguous: 0,
  unresolved: 0,
};
console.log(
  '| corpus | platform | statements | node-sql-parser | + polyglot | output columns | with sources | ambiguous | unresolved |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
const line = (k: string, r: Row): void =>
  console.log(
    `| ${k} | ${r.platform} | ${r.n} | ${pct(r.nsp, r.n)} | ${pct(r.ok, r.n)} | ${r.cols} | ${pct(r.withSources, r.cols)} | ${r.ambiguous} | ${r.unresolved} |`,
  );
for (const [k, r] of rows) {
  line(k, r);
  for (const f of ['n', 'nsp', 'ok', 'cols', 'withSources', 'ambiguous', 'unresolved'] as const)
    total[f] += r[f];
}
line('ALL', total);
if (showFailures) for (const f of failures) console.log(f);
else console.log(`\n${failures.length} unread (run with --failures to list them)`);

// `--compare-front-ends`: how often the two front-end orders give the same column edges per statement.
if (process.argv.includes('--compare-front-ends')) {
  let same = 0;
  let both = 0;
  const differ: string[] = [];
  const edges = (res: ReturnType<typeof analyzeSqlSync>): string =>
    res
      .flatMap((r) =>
        r.columns.flatMap((c) => c.sources.map((s) => `${c.name}<-${s.table.key}.${s.column}:${s.kind}`)),
      )
      .sort()
      .join('|');
  for (const st of allStatements()) {
    const base = {
      sql: st.sql,
      platform: st.platform,
      defaultDatabase: st.defaultDatabase,
      defaultSchema: st.defaultSchema,
      schema: st.schema,
    };
    const a = analyzeSqlSync(base);
    const b = analyzeSqlSync({ ...base, frontEnd: 'polyglot-first' });
    if (a.some((r) => r.confidence === 'TABLE_LEVEL') || b.some((r) => r.confidence === 'TABLE_LEVEL'))
      continue;
    both++;
    if (edges(a) === edges(b)) same++;
    else differ.push(`${st.corpus} ${st.id}`);
  }
  console.log(`\nfront ends agree on ${same}/${both} statements (${((100 * same) / both).toFixed(1)}%)`);
  for (const d of differ.slice(0, 15)) console.log(`  differs: ${d}`);
}
