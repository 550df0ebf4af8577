// Longer fuzz run of the SQL engine (the suite's fixed-seed run is test/sql/robustness.test.ts):
// `--n N` mutated statements (default 3000) from the golden files and the TPC corpus — tokens deleted
// or duplicated, noise inserted, deep nesting, unbalanced brackets, huge IN lists — on every platform in
// turn, through `analyzeSqlSync`. Prints the count, exceptions (must be 0), the slowest statement, the
// share over 1 s / 2 s, the diagnostics seen and the peak RSS. Deterministic (seeded PRNG).
import { analyzeSqlSync } from '../parsers/sql/index.ts';
import { PLATFORMS } from '../src/model/lineage.ts';
import { goldenStatements, SQL_NOISE } from '../test/sql/mutation-seeds.ts';
import { allStatements } from './sql-corpus.ts';

const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 3000;
const verbose = process.argv.includes('--verbose');
const seeds = [
  ...goldenStatements(),
  ...allStatements()
    .filter((s) => !s.corpus.startsWith('dbt:'))
    .map((s) => s.sql),
];

let state = 42;
const rnd = (n: number): number => {
  state = (state * 1103515245 + 12345) & 0x7fffffff;
  return state % Math.max(1, n);
};
const tokens = (s: string): string[] => s.split(/(\s+|[(),;])/).filter((t) => t !== '');

function mutate(sql: string): string {
  let t = tokens(sql);
  const k = rnd(8);
  for (let m = 0; m <= rnd(4); m++) {
    const at = rnd(t.length);
    if (k < 2) t.splice(at, 1 + rnd(5));
    else if (k < 4) t.splice(at, 0, ...t.slice(at, at + 1 + rnd(10)));
    else if (k < 5) t.splice(at, 0, SQL_NOISE[rnd(SQL_NOISE.length)]);
    else if (k < 6) t.splice(at, 0, '('.repeat(1 + rnd(40)));
    else if (k < 7) t.splice(at, 0, `(${'('.repeat(rnd(20))}a + ${')'.repeat(rnd(20))}`);
    else t = [...t, ' WHERE x IN (', Array.from({ length: 1000 + rnd(20000) }, (_, i) => i).join(', '), ')'];
  }
  return t.join('');
}

// Warm-up: load every front end and grammar once (module loading is not parse time).
for (const platform of PLATFORMS) analyzeSqlSync({ sql: 'SELECT * EXCEPT FROM t', platform });

let errors = 0;
let slowest = { ms: 0, sql: '' };
let over1 = 0;
let over2 = 0;
let peak = 0;
const codes = new Map<string, number>();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const sql = mutate(seeds[rnd(seeds.length)]);
  const platform = PLATFORMS[i % PLATFORMS.length];
  const s0 = performance.now();
  let seen: string[] = [];
  try {
    const res = analyzeSqlSync({ sql, platform });
    seen = res.flatMap((r) => r.diagnostics.map((d) => d.code));
    for (const c of seen) codes.set(c, (codes.get(c) ?? 0) + 1);
  } catch {
    errors++;
  }
  const ms = performance.now() - s0;
  if (ms > 2000 && verbose)
    console.log(
      `slow ${ms.toFixed(0)} ms [${platform}] ${sql.length} chars, ${[...new Set(seen)].join(' ')}: ${JSON.stringify(sql.slice(0, 300))}`,
    );
  if (ms > slowest.ms) slowest = { ms, sql: sql.slice(0, 120).replaceAll('\n', ' ') };
  if (ms > 1000) over1++;
  if (ms > 2000) over2++;
  if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
const total = performance.now() - t0;
console.log(`mutated statements: ${N} over ${PLATFORMS.length} platforms in ${(total / 1000).toFixed(1)} s`);
console.log('| exceptions | slowest ms | > 1 s | > 2 s | peak RSS (MB) |');
console.log('|---:|---:|---:|---:|---:|');
console.log(
  `| ${errors} | ${slowest.ms.toFixed(0)} | ${over1} | ${over2} | ${(peak / 2 ** 20).toFixed(0)} |`,
);
console.log(`slowest: ${slowest.sql}…`);
console.log(
  'diagnostics:',
  [...codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', '),
);
