// Speed of the SQL engine, one core: statements per second with full column lineage of every output
// column (`analyzeSqlSync`: split, parse in the bounded front-end worker, convert, resolve) beside a
// parse-only baseline (the same front-end worker call, `readBounded`, and nothing else), per corpus —
// TPC-DS, TPC-H, every manifest's compiled SQL — and for all of them; then the cache on unchanged
// statements; then hostile statements through `lineage sql` (one process, one line at a time: the time
// from writing a line to reading its answer). `--rounds N` repeats the corpus (default 3);
// `--node-sql-parser-first` reads with node-sql-parser first. Numbers depend on the machine's load.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { analyzeSqlSync, createSqlCache, statementsOf } from '../parsers/sql/index.ts';
import { readBounded } from '../parsers/sql/front-host.ts';
import type { FrontEndOrder } from '../parsers/sql/front.ts';
import { PLATFORMS } from '../src/model/lineage.ts';
import type { CorpusStatement } from './sql-corpus.ts';
import { allStatements } from './sql-corpus.ts';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const order: FrontEndOrder = process.argv.includes('--node-sql-parser-first')
  ? 'node-sql-parser-first'
  : 'polyglot-first';
const corpus = allStatements();

const req = (s: CorpusStatement) => ({
  sql: s.sql,
  platform: s.platform,
  defaultDatabase: s.defaultDatabase,
  defaultSchema: s.defaultSchema,
  schema: s.schema,
  frontEnd: order,
});

/** Wall time and CPU time (the whole process: this thread and the front-end worker) of a pass, ms. */
function timed(items: CorpusStatement[], fn: (s: CorpusStatement) => void): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const s of items) fn(s);
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const engine = (s: CorpusStatement): void => void analyzeSqlSync(req(s));
const parseOnly = (s: CorpusStatement): void => {
  for (const st of statementsOf(s.sql)) readBounded({ text: st.text, platform: s.platform, order });
};

// Warm-up: start the worker, load both front ends and each grammar once.
for (const s of corpus) engine(s);

const groups = new Map<string, CorpusStatement[]>();
for (const s of corpus) {
  const g = s.corpus.startsWith('dbt:') ? 'dbt manifests' : s.corpus;
  groups.set(g, [...(groups.get(g) ?? []), s]);
}
groups.set('ALL', corpus);
const rate = (n: number, ms: number): string => ((n * 1000) / ms).toFixed(1);
console.log(`front-end order: ${order}; ${rounds} rounds after a warm-up; one core\n`);
console.log('statements/s by wall time, and by CPU time (process total: caller + worker; robust to load)\n');
console.log(
  '| corpus | statements | engine /s (wall) | engine /s (CPU) | CPU ms/statement | parse-only /s (wall) | parse-only /s (CPU) | parse share of CPU |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, items] of groups) {
  const e = timed(items, engine);
  const p = timed(items, parseOnly);
  const n = items.length * rounds;
  console.log(
    `| ${name} | ${items.length} | ${rate(n, e.wall)} | ${rate(n, e.cpu)} | ${(e.cpu / n).toFixed(2)} | ${rate(n, p.wall)} | ${rate(n, p.cpu)} | ${(p.cpu / e.cpu).toFixed(2)} |`,
  );
}

const cache = createSqlCache(100_000);
for (const s of corpus) void cache.analyze(req(s), 'v1');
const warm = timed(corpus, (s) => void cache.analyze(req(s), 'v1'));
const st = cache.stats();
console.log(
  `\ncache, unchanged statements: ${rate(corpus.length * rounds, warm.wall)} statements/s (hits ${st.hits}, misses ${st.misses})`,
);

// Hostile statements through the CLI.
const HOSTILE: { name: string; sql: string; dialect: string }[] = [
  ...PLATFORMS.map((p) => ({
    name: `80-byte unclosed ( [${p}]`,
    sql: `SELECT ${'('.repeat(36)}a FROM t WHERE b IN (${'('.repeat(15)}1`,
    dialect: p,
  })),
  {
    name: 'balanced broken nesting ×14 [postgres]',
    sql: `SELECT ${'('.repeat(14)}a +${')'.repeat(14)} FROM t`,
    dialect: 'postgres',
  },
  {
    name: 'IN list of 20,000 [mysql]',
    sql: `SELECT a FROM t WHERE b IN (${Array.from({ length: 20_000 }, (_, i) => i).join(', ')})`,
    dialect: 'mysql',
  },
  {
    name: 'CASE nested 300 deep [duckdb]',
    sql: `SELECT ${'CASE WHEN a THEN '.repeat(300)}1${' END'.repeat(300)} AS c FROM t`,
    dialect: 'duckdb',
  },
  {
    name: 'ordinary statement after them [redshift]',
    sql: 'INSERT INTO o SELECT a + b AS c FROM t',
    dialect: 'redshift',
  },
];

async function hostile(): Promise<void> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../bin/lineage.mjs'), 'sql'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // The first line starts the process' worker and front ends: not counted.
  child.stdin.write(`${JSON.stringify({ sql: 'SELECT 1' })}\n`);
  await answers.next();
  console.log(
    '\nhostile statements through `lineage sql` (one process, ms from line written to answer read):\n',
  );
  console.log('| statement | bytes | ms | answer |');
  console.log('|---|---:|---:|---|');
  for (const h of HOSTILE) {
    const t0 = performance.now();
    child.stdin.write(`${JSON.stringify({ sql: h.sql, dialect: h.dialect })}\n`);
    const { value } = await answers.next();
    const ms = performance.now() - t0;
    const r = JSON.parse(String(value)) as { column_lineage: unknown[]; diagnostics: { code: string }[] };
    const codes = [...new Set(r.diagnostics.map((d) => d.code))].join(', ');
    const answer = codes || `${r.column_lineage.length} column(s)`;
    console.log(`| ${h.name} | ${h.sql.length} | ${ms.toFixed(0)} | ${answer} |`);
  }
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  console.log(`\nlineage sql exit code: ${code}`);
}
await hostile();
