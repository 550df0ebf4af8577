// STRICT downstream sets of random source/staging columns compared with an independent count: sqlglot's column
// lineage over the same compiled SQL (bench/impact-strict-sqlglot.py), closed transitively. Prints one table per
// project. usage: node --import tsx bench/impact-strict.ts <target-dir> <sqlglot dialect> [label]
import { spawnSync } from 'node:child_process';
import { createMemoryStore } from '../graph/create-store.ts';
import { diffContext } from '../src/analysis/impact-diff.ts';
import { impact } from '../src/analysis/impact.ts';
import { ingestDbt } from '../src/pipeline/ingest-dbt.ts';
import { mulberry32 } from './embedded-synthetic.ts';

const SAMPLE = 20;
const [target, dialect, label = target] = process.argv.slice(2);
if (!target || !dialect)
  throw new Error('usage: bench/impact-strict.ts <target-dir> <sqlglot dialect> [label]');

const py = spawnSync('python3', ['bench/impact-strict-sqlglot.py', target, dialect], {
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
if (py.status !== 0) throw new Error(`sqlglot side failed: ${py.stderr}`);
const sg = JSON.parse(py.stdout) as { edges: [string, string][]; models: number; failed: number };
const down = new Map<string, Set<string>>();
for (const [f, t] of sg.edges) {
  if (f === t) continue;
  const s = down.get(f);
  if (s) s.add(t);
  else down.set(f, new Set([t]));
}
const closure = (start: string): Set<string> => {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0)
    for (const v of down.get(stack.pop()!) ?? [])
      if (!seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
  return seen;
};

const store = await createMemoryStore();
await ingestDbt(store, target);
const short = (k: string) => k.split('.').slice(-2).join('.');
const columns: string[] = [];
for (const r of await store.listRelations())
  if (r.kind === 'seed' || r.kind === 'source' || /(^|_)stg_/.test(r.name))
    for (const c of await store.columnsOf(r.key)) columns.push(c.key);
columns.sort();
const rnd = mulberry32(13);
const picked = new Set<number>();
while (picked.size < Math.min(SAMPLE, columns.length)) picked.add(Math.floor(rnd() * columns.length));
const totals = { ours: 0, theirs: 0, both: 0, identical: 0 };
const rows: string[] = [];
for (const i of picked) {
  const key = columns[i];
  const r = await impact(store, { ref: key, change: 'VALUES', mode: 'STRICT', depth: 20 }, diffContext());
  const ours = new Set(r.values.filter((v) => v.strict).map((v) => v.key));
  const theirs = closure(key);
  const onlyOurs = [...ours].filter((k) => !theirs.has(k)).map(short);
  const onlyTheirs = [...theirs].filter((k) => !ours.has(k)).map(short);
  const both = ours.size - onlyOurs.length;
  totals.ours += ours.size;
  totals.theirs += theirs.size;
  totals.both += both;
  if (onlyOurs.length === 0 && onlyTheirs.length === 0) totals.identical++;
  rows.push(
    `| ${short(key)} | ${ours.size} | ${theirs.size} | ${both} | ${onlyOurs.join(', ')} | ${onlyTheirs.join(', ')} |`,
  );
}
await store.close();
console.log(
  `### ${label}: ${picked.size} columns, ${totals.identical} identical sets; downstream columns: ours ${totals.ours}, sqlglot ${totals.theirs}, both ${totals.both} (sqlglot: ${sg.models} models, ${sg.failed} failures)\n`,
);
console.log('| column | ours (STRICT) | sqlglot | both | only ours | only sqlglot |');
console.log('|---|---:|---:|---:|---|---|');
console.log(rows.join('\n'));
