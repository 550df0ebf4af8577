// Speed of the SQL engine: statements per second on one core (full column lineage of every output
// column) over TPC-DS, TPC-H and every manifest's compiled SQL; then the same pass through the cache
// keyed by (dialect, SQL text, schema version), where an unchanged statement is never parsed twice.
// `--rounds N` repeats the corpus N times (default 3); `--polyglot-first` reads with polyglot first.
// Numbers depend on the machine's load.
import { analyzeSqlSync, createSqlCache } from '../parsers/sql/index.ts';
import { allStatements } from './sql-corpus.ts';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const corpus = allStatements();

function pass(fn: (i: number) => void): { ms: number; n: number } {
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < corpus.length; i++) {
      fn(i);
      n++;
    }
  }
  return { ms: performance.now() - t0, n };
}

const req = (i: number) => ({
  sql: corpus[i].sql,
  platform: corpus[i].platform,
  defaultDatabase: corpus[i].defaultDatabase,
  defaultSchema: corpus[i].defaultSchema,
  schema: corpus[i].schema,
  frontEnd: process.argv.includes('--polyglot-first') ? ('polyglot-first' as const) : undefined,
});

// Warm up the grammars (first use of each node-sql-parser grammar and of the WASM module).
for (let i = 0; i < corpus.length; i += 10) analyzeSqlSync(req(i));

let columns = 0;
const cold = pass((i) => {
  for (const s of analyzeSqlSync(req(i))) columns += s.columns.length;
});
// The cache: filled once (every statement a miss), then timed on repeated, unchanged statements.
const cache = createSqlCache(100_000);
for (let i = 0; i < corpus.length; i++) void cache.analyze(req(i), 'v1');
const warm = pass((i) => {
  void cache.analyze(req(i), 'v1');
});
const stats = cache.stats();
const rate = (p: { ms: number; n: number }): string => ((p.n * 1000) / p.ms).toFixed(1);
console.log(`statements: ${corpus.length} × ${rounds} rounds, output columns per round: ${columns / rounds}`);
console.log('| mode | statements | time (ms) | statements/s | ms/statement |');
console.log('|---|---:|---:|---:|---:|');
console.log(
  `| no cache | ${cold.n} | ${cold.ms.toFixed(0)} | ${rate(cold)} | ${(cold.ms / cold.n).toFixed(2)} |`,
);
console.log(
  `| cache, unchanged statements (hits ${stats.hits}, misses ${stats.misses}) | ${warm.n} | ${warm.ms.toFixed(0)} | ${rate(warm)} | ${(warm.ms / warm.n).toFixed(3)} |`,
);
