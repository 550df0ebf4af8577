// Neo4j vs embedded store on one synthetic warehouse:
//   npm run bench:stores -- [--tables 2000] [--columns 20] [--samples 200] [--chunk 1000] [--heap 1g] [--passes 2]
// Generates bench/embedded-synthetic.ts's layered DAG (diamond-heavy: 1-4 parents per table, 1-2 parent
// columns per column), applies it to both stores as origins of `chunk` tables each (in table order, so every
// edge endpoint already exists; `--chunk` >= `--tables` gives ONE origin, i.e. one artifact; Neo4j stages each
// origin in bounded transactions, see docs/neo4j.md), then times downstream impact traversals
// from random relations (relation level, with consumers) and random columns (column level), checking that
// both stores return the same answer for every query. Starts a throwaway Neo4j unless NEO4J_URI is set
// (the database is wiped!). Prints one table. Timings are wall-clock: compare them on the same machine only.
// Each ingest row also gives the CPU seconds the server (a throwaway one only) and this process spent: on a
// small machine both sides are CPU-bound, so the ratio follows the total work more than the round trips; the
// server's share spent by the JVM's JIT compilers is shown apart (a fresh server compiles for most of a first
// ingest; a long-running one has done so). `--passes 2` (the default) ingests the warehouse into Neo4j a second
// time under other keys, after the first pass warmed the JIT (into twice the data), and gives that ratio too.
// Every Neo4j pass runs between two baseline runs, and its ratio is to their mean.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import { openEmbeddedStore } from '../graph/embedded/index.ts';
import { openNeo4jStore, wipeNeo4jDatabase } from '../graph/neo4j/index.ts';
import type { LineageStore, TraverseOptions } from '../graph/store.ts';
import { startNeo4j, type RunningNeo4j } from '../scripts/neo4j/launch.ts';
import { emptyBatch, type LineageBatch } from '../src/model/lineage.ts';
import { mulberry32, syntheticBatch, tableKey } from './embedded-synthetic.ts';

const { values } = parseArgs({
  options: {
    tables: { type: 'string', default: '2000' },
    columns: { type: 'string', default: '20' },
    samples: { type: 'string', default: '200' },
    chunk: { type: 'string', default: '1000' },
    /** Heap of the throwaway server; default: the launcher's (scripts/neo4j/launch.ts, 1 GB). */
    heap: { type: 'string' },
    /** Rows per transaction, for the store and the baseline alike. */
    batch: { type: 'string', default: '5000' },
    /** Neo4j store ingests of the warehouse (the second under other keys, see the head comment). */
    passes: { type: 'string', default: '2' },
  },
});
const tables = Number(values.tables);
const columnsPerTable = Number(values.columns);
const samples = Number(values.samples);
const chunk = Number(values.chunk);
const batchSize = Number(values.batch);
const passes = Number(values.passes);

/** Splits the one synthetic batch into origins of `size` tables; each edge goes with its target table. */
function splitByTables(batch: LineageBatch, size: number): LineageBatch[] {
  const index = new Map(batch.relations.map((r, i) => [r.key, i]));
  const part = (relationKey: string) => Math.floor(index.get(relationKey)! / size);
  const relOfColumn = (key: string) => key.slice(0, key.lastIndexOf('.'));
  const out: LineageBatch[] = [];
  const get = (i: number) =>
    (out[i] ??= emptyBatch({ ...batch.origin, id: `synthetic:${String(i).padStart(4, '0')}` }));
  for (const r of batch.relations) get(part(r.key)).relations.push(r);
  for (const c of batch.columns) get(part(c.relationKey)).columns.push(c);
  for (const e of batch.relationEdges) get(part(e.to)).relationEdges.push(e);
  for (const e of batch.columnEdges) get(part(relOfColumn(e.to))).columnEdges.push(e);
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/**
 * The plain batched UNWIND baseline (issue #16): the same relations, columns and edges written as bare
 * nodes and relationships (own labels, one uniqueness constraint per label, MERGE nodes by key, CREATE
 * edges), `size` rows per transaction, nothing else. Returns the cost of the writes (not of the constraints).
 */
async function plainUnwindIngest(
  target: Neo4jTarget,
  batch: LineageBatch,
  size: number,
  prefix: string,
  serverPid: number | undefined,
): Promise<Cost> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.user, target.password));
  const run = (q: string, params: Record<string, unknown> = {}) =>
    driver.executeQuery(q, params, { database: target.database });
  try {
    await run(
      `CREATE CONSTRAINT ${prefix}_table IF NOT EXISTS FOR (n:${prefix}Table) REQUIRE n.key IS UNIQUE`,
    );
    await run(
      `CREATE CONSTRAINT ${prefix}_column IF NOT EXISTS FOR (n:${prefix}Column) REQUIRE n.key IS UNIQUE`,
    );
    await run('CALL db.awaitIndexes(300)');
    const write = async (q: string, rows: Record<string, unknown>[]) => {
      for (let i = 0; i < rows.length; i += size) await run(q, { rows: rows.slice(i, i + size) });
    };
    return await measured(serverPid, async () => {
      await write(
        `UNWIND $rows AS row MERGE (n:${prefix}Table {key: row.key}) SET n.json = row.json`,
        batch.relations.map((r) => ({ key: r.key, json: JSON.stringify(r) })),
      );
      await write(
        `UNWIND $rows AS row MERGE (n:${prefix}Column {key: row.key}) SET n.rel = row.rel, n.json = row.json`,
        batch.columns.map((c) => ({ key: c.key, rel: c.relationKey, json: JSON.stringify(c) })),
      );
      await write(
        `UNWIND $rows AS row MATCH (a:${prefix}Column {key: row.from}) MATCH (b:${prefix}Column {key: row.to})
       CREATE (a)-[:${prefix.toUpperCase()}_FLOW {kind: row.kind, confidence: row.confidence, firstSeen: row.firstSeen}]->(b)`,
        batch.columnEdges.map((e) => ({
          from: e.from,
          to: e.to,
          kind: e.kind,
          confidence: e.confidence,
          firstSeen: e.firstSeen,
        })),
      );
      await write(
        `UNWIND $rows AS row MATCH (a:${prefix}Table {key: row.from}) MATCH (b:${prefix}Table {key: row.to})
       CREATE (a)-[:${prefix.toUpperCase()}_REL_FLOW {confidence: row.confidence, firstSeen: row.firstSeen}]->(b)`,
        batch.relationEdges.map((e) => ({
          from: e.from,
          to: e.to,
          confidence: e.confidence,
          firstSeen: e.firstSeen,
        })),
      );
    });
  } finally {
    await driver.close();
  }
}

/** The hand-written single statement for column impact over the baseline graph (no generations). */
async function plainColumnImpact(target: Neo4jTarget, starts: string[], depth: number): Promise<number[]> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.user, target.password));
  const q = `MATCH (s:BaseColumn {key: $key})
MATCH p = (s)-[:BASE_FLOW*1..${depth}]->(d:BaseColumn)
RETURN d.key AS key, min(length(p)) AS distance`;
  try {
    await driver.executeQuery(q, { key: starts[0] }, { database: target.database });
    const times: number[] = [];
    for (const key of starts) {
      const t0 = performance.now();
      await driver.executeQuery(q, { key }, { database: target.database, routing: neo4j.routing.READ });
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b);
  } finally {
    await driver.close();
  }
}

/** CPU seconds the server process has used so far (utime + stime, /proc), or NaN when it is not ours. */
/** User + system CPU seconds of a /proc `stat` line. */
function statCpuSeconds(stat: string): number {
  // Fields after the parenthesized command name: state is field 3, utime 14, stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function serverCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU seconds the server's JIT compiler threads (HotSpot's "C1/C2 CompilerThread") have used, or NaN. */
function serverJitSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  let seconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (/^C[12] CompilerThre/.test(name)) seconds += statCpuSeconds(stat);
  }
  return seconds;
}

/**
 * Runs `work` and returns its wall time with the CPU seconds the server and this process spent meanwhile:
 * where a slower ingest's time goes (more work on the server, or waits).
 */
async function measured(pid: number | undefined, work: () => Promise<unknown>): Promise<Cost> {
  const server0 = serverCpuSeconds(pid);
  const jit0 = serverJitSeconds(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const client = process.cpuUsage(client0);
  return {
    ms,
    serverCpu: serverCpuSeconds(pid) - server0,
    serverJit: serverJitSeconds(pid) - jit0,
    clientCpu: (client.user + client.system) / 1e6,
  };
}

type Cost = { ms: number; serverCpu: number; serverJit: number; clientCpu: number };

const cpu = (c: Cost) =>
  Number.isNaN(c.serverCpu)
    ? `server ? s, client ${c.clientCpu.toFixed(1)} s CPU`
    : `server ${c.serverCpu.toFixed(1)} s (JIT ${c.serverJit.toFixed(1)} s), client ${c.clientCpu.toFixed(1)} s CPU`;

type Neo4jTarget = { uri: string; user: string; password: string; database: string };

async function main(): Promise<void> {
  const batch = syntheticBatch(tables, columnsPerTable);
  const batches = splitByTables(batch, chunk);
  const rnd = mulberry32(7);
  const relStarts = Array.from({ length: samples }, () => tableKey(Math.floor(rnd() * tables * 0.5)));
  const colStarts = relStarts.map((k) => `${k}.c${Math.floor(rnd() * 2)}`);
  const upStarts = relStarts.map(
    (_, i) => `${tableKey(tables - 1 - ((i * 7919) % Math.ceil(tables / 2)))}.c0`,
  );
  process.stderr.write(
    `synthetic: ${batch.relations.length} tables, ${batch.columns.length} columns, ` +
      `${batch.columnEdges.length} column edges, ${batch.relationEdges.length} relation edges, ${batches.length} origins\n`,
  );

  let server: RunningNeo4j | undefined;
  let uri = process.env.NEO4J_URI;
  if (!uri) {
    server = await startNeo4j({ heap: values.heap, pageCacheMb: 512 });
    uri = server.uri;
  }
  const target = {
    uri,
    user: process.env.NEO4J_USER ?? 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? 'unused',
    database: process.env.NEO4J_DATABASE ?? 'neo4j',
  };
  await wipeNeo4jDatabase(target);
  const dir = mkdtempSync(join(tmpdir(), 'lineage-bench-'));
  const stores: [string, LineageStore][] = [
    ['embedded', await openEmbeddedStore({ dataDir: dir })],
    ['neo4j', await openNeo4jStore({ ...target, maxRetryTimeMs: 60_000, batchSize })],
  ];
  const rows: string[][] = [];
  const answers = new Map<string, unknown[]>();
  try {
    // Warm-up (JIT, Cypher plan cache, page cache) for both write paths on a batch of other keys (a tenth of
    // the warehouse, at least 200 tables: a 40-table warm-up left the server's JIT cold for whichever path ran
    // first), then removed. The baseline then runs before AND after the store's ingest and the ratio uses
    // their mean, so neither side gets the warmer server.
    const warm = syntheticBatch(Math.max(200, Math.round(tables / 10)), columnsPerTable);
    const rekey = (b: LineageBatch, prefix = 'warmup'): LineageBatch =>
      JSON.parse(JSON.stringify(b).replaceAll('"wh.', `"${prefix}.`)) as LineageBatch;
    const neo = stores.find(([n]) => n === 'neo4j')![1];
    await neo.applyBatch({ ...rekey(warm), origin: { ...warm.origin, id: 'warmup' } });
    await neo.removeOrigin('warmup');
    await plainUnwindIngest(target, rekey(warm), batchSize, 'Warm', server?.pid);
    const before = await plainUnwindIngest(target, batch, batchSize, 'Base', server?.pid);
    process.stderr.write(`plain UNWIND baseline (before): ${fmt(before.ms)} ms, ${cpu(before)}\n`);
    const costs = new Map<string, Cost>();
    for (const [name, store] of stores) {
      // Each store gets its own copy (a store may sort a batch in place), made before the clock starts.
      const copies = structuredClone(batches);
      const cost = await measured(server?.pid, async () => {
        for (const b of copies) await store.applyBatch(b);
      });
      costs.set(name, cost);
      process.stderr.write(`${name}: ingested in ${fmt(cost.ms)} ms, ${cpu(cost)}\n`);
    }
    const ingest = new Map([...costs].map(([name, c]) => [name, c.ms]));
    const after = await plainUnwindIngest(target, batch, batchSize, 'Again', server?.pid);
    process.stderr.write(`plain UNWIND baseline (after): ${fmt(after.ms)} ms, ${cpu(after)}\n`);
    // Later passes: the same warehouse under other keys and origin ids (its own subgraph: the answers below,
    // from `wh.` keys, are unchanged), into a database that already holds the earlier passes. Each runs between
    // two baseline runs of its own (the baseline of the previous pass, or "after", and one run after it), so
    // its ratio compares the two on the same JIT and the same database size: the database grows by a
    // warehouse each run, and a baseline run after all passes is slowed by that growth alone.
    const later: { cost: Cost; baselineMs: number }[] = [];
    let previous = after;
    for (let pass = 2; pass <= passes; pass++) {
      const copies = batches.map((b) => {
        const x = rekey(b, `wh${pass}`);
        return { ...x, origin: { ...x.origin, id: `${x.origin.id}:pass${pass}` } };
      });
      const cost = await measured(server?.pid, async () => {
        for (const b of copies) await neo.applyBatch(b);
      });
      process.stderr.write(`neo4j, pass ${pass}: ingested in ${fmt(cost.ms)} ms, ${cpu(cost)}\n`);
      const next = await plainUnwindIngest(target, batch, batchSize, `Pass${pass}`, server?.pid);
      process.stderr.write(`plain UNWIND baseline (after pass ${pass}): ${fmt(next.ms)} ms, ${cpu(next)}\n`);
      later.push({ cost, baselineMs: (previous.ms + next.ms) / 2 });
      previous = next;
    }
    const baselineMs = (before.ms + after.ms) / 2;
    const edges = batch.columnEdges.length;
    const ingestRow = (label: string, c: Cost) =>
      rows.push([
        'ingest',
        label,
        `${fmt(c.ms)} ms`,
        `${Math.round(edges / (c.ms / 1000))} col edges/s; ${cpu(c)}`,
        '',
        '',
      ]);
    for (const [name, c] of costs) ingestRow(name, c);
    later.forEach(({ cost }, i) => ingestRow(`neo4j, pass ${i + 2} (other keys)`, cost));
    ingestRow('plain UNWIND baseline, before', before);
    ingestRow('plain UNWIND baseline, after', after);
    rows.push([
      'ingest',
      'neo4j / baseline (mean)',
      `${((100 * baselineMs) / ingest.get('neo4j')!).toFixed(0)}% of baseline speed`,
      '',
      '',
      '',
    ]);
    // A pass after the first runs on a server whose JIT has compiled both write paths: against the baseline
    // runs around it (as warm, as large a database).
    later.forEach(({ cost, baselineMs: around }, i) =>
      rows.push([
        'ingest',
        `neo4j pass ${i + 2} / baseline around it`,
        `${((100 * around) / cost.ms).toFixed(0)}% of baseline speed`,
        '',
        '',
        '',
      ]),
    );
    const queries: [string, string[], TraverseOptions][] = [
      [
        'relation impact (depth 10, limit 1000, consumers)',
        relStarts,
        { direction: 'downstream', level: 'relation', maxDepth: 10, limit: 1000, includeConsumers: true },
      ],
      [
        'column impact (depth 10, limit 1000)',
        colStarts,
        { direction: 'downstream', level: 'column', maxDepth: 10, limit: 1000 },
      ],
      [
        'column root cause (upstream, depth 10, limit 1000)',
        upStarts,
        { direction: 'upstream', level: 'column', maxDepth: 10, limit: 1000 },
      ],
    ];
    for (const [label, starts, options] of queries) {
      for (const [name, store] of stores) {
        await store.traverse([starts[0]], options); // warm-up
        const times: number[] = [];
        const got: unknown[] = [];
        let reached = 0;
        for (const s of starts) {
          const t0 = performance.now();
          const r = await store.traverse([s], options);
          times.push(performance.now() - t0);
          reached += r.reached.length;
          got.push(r);
        }
        answers.set(`${label}/${name}`, got);
        times.sort((a, b) => a - b);
        rows.push([
          label,
          name,
          `${fmt(ingest.get(name)!)} ms`,
          String(Math.round(reached / starts.length)),
          fmt(percentile(times, 50)),
          fmt(percentile(times, 99)),
        ]);
      }
      if (options.level === 'column' && options.direction === 'downstream') {
        const times = await plainColumnImpact(target, starts, options.maxDepth);
        rows.push([
          label,
          'hand-written statement',
          '',
          '',
          fmt(percentile(times, 50)),
          fmt(percentile(times, 99)),
        ]);
      }
      const a = answers.get(`${label}/embedded`)!;
      const b = answers.get(`${label}/neo4j`)!;
      const diff = a.filter((x, i) => !isDeepStrictEqual(x, b[i])).length;
      rows.push([label, 'same answers', diff === 0 ? `all ${a.length}` : `${diff} DIFFER`, '', '', '']);
    }
  } finally {
    for (const [, store] of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  }
  const head = ['query', 'store', 'ingest', 'avg reached / rate', 'p50 ms', 'p99 ms'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `\n${tables} tables, ${batch.columns.length} columns, ${batch.columnEdges.length} column edges; ` +
      `${samples} queries per row; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n` +
      `${rows.map(line).join('\n')}\n`,
  );
}

await main();
