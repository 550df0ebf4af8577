// API benchmark: requests/second and p50/p99 latency of an impact query over loopback (autocannon),
// on the demo graph and on a synthetic large graph; then /healthz p50/p99 while BENCH_API_HEAVY_CONNECTIONS
// (default 50) connections send the heaviest query the limits allow, and that query's cost (bench/api-heavy.ts).
// `npm run bench:api`. Env: BENCH_API_SECONDS (default 10), BENCH_API_CONNECTIONS (default 10),
// BENCH_API_TABLES (synthetic size, default 10000; 0 skips it), BENCH_API_HEAVY_SECONDS (default 20).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { startServer } from '../api/server.ts';
import { measureHeavy, type HeavyRow } from './api-heavy.ts';
import { openEmbeddedStore } from '../graph/embedded/index.ts';
import type { LineageStore } from '../graph/store.ts';
import { loadConfig } from '../src/config.ts';
import { ingestDbt } from '../src/pipeline/ingest-dbt.ts';
import { syntheticBatch, tableKey } from './embedded-synthetic.ts';

const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 10);
const TABLES = Number(process.env.BENCH_API_TABLES ?? 10_000);
const HEAVY_SECONDS = Number(process.env.BENCH_API_HEAVY_SECONDS ?? 20);
const HEAVY_CONNECTIONS = Number(process.env.BENCH_API_HEAVY_CONNECTIONS ?? 50);
const DEMO_TARGET = fileURLToPath(new URL('../fixtures/demo/target', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

interface Row {
  graph: string;
  query: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function measure(store: LineageStore, graph: string, ref: string, dataDir: string): Promise<Row> {
  const config = loadConfig({ LINEAGE_DATA_DIR: dataDir, LINEAGE_PORT: '0', LINEAGE_HOST: '127.0.0.1' });
  const { app, url } = await startServer({ store, config });
  const query = `{ impact(ref: "${ref}", change: DROP, mode: CONSERVATIVE, depth: 10) { summary { breaks stale values exposures maxSeverity } breaks(first: 20) { edges { node { asset { key } } } } } }`;
  const body = JSON.stringify({ query });
  // one warm-up request, checked
  const warm = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const warmBody = (await warm.json()) as { errors?: unknown };
  if (warm.status !== 200 || warmBody.errors) throw new Error(`warm-up failed: ${JSON.stringify(warmBody)}`);
  const r = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  await app.close();
  return {
    graph,
    query: `impact(${ref})`,
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const heavy: HeavyRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'lineage-bench-api-'));
  try {
    const demoDir = join(dir, 'demo');
    const demo = await openEmbeddedStore({ dataDir: demoDir });
    await ingestDbt(demo, DEMO_TARGET, {});
    rows.push(await measure(demo, 'demo (19 relations)', 'jaffle_shop.main.stg_orders.order_total', demoDir));
    await demo.close();

    if (TABLES > 0) {
      const bigDir = join(dir, 'synthetic');
      const big = await openEmbeddedStore({ dataDir: bigDir });
      const t0 = performance.now();
      await big.applyBatch(syntheticBatch(TABLES));
      console.error(`synthetic ${TABLES} tables applied in ${Math.round(performance.now() - t0)} ms`);
      const ref = `${tableKey(Math.floor(TABLES * 0.2) + 5)}.c1`;
      rows.push(await measure(big, `synthetic (${TABLES} tables)`, ref, bigDir));
      const config = loadConfig({ LINEAGE_DATA_DIR: bigDir, LINEAGE_PORT: '0', LINEAGE_HOST: '127.0.0.1' });
      const refs = [0, 1, 2, 3].map((i) => tableKey(Math.floor(TABLES * 0.2) + 5 + i));
      heavy.push(
        await measureHeavy(
          big,
          `synthetic (${TABLES} tables)`,
          config,
          refs,
          HEAVY_SECONDS,
          HEAVY_CONNECTIONS,
        ),
      );
      await big.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['graph', 'query', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'];
  const lines = [
    header,
    ...rows.map((r) => [r.graph, r.query, r.requests, r.rps, r.p50, r.p99, r.errors, r.non2xx].map(String)),
  ];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per graph, loopback`);
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
  for (const h of heavy)
    console.log(
      `\n/healthz under ${h.heavyConnections} connections of the heaviest allowed query (cost ${h.heavyQueryCost} of ${h.maxQueryCost}), ${h.graph}, load average ${h.loadAverage}:\n` +
        `  heavy: ${h.heavyRequests} answered (${Object.entries(h.heavyStatuses)
          .map(([k, v]) => `${v} × ${k}`)
          .join(
            ', ',
          )}), p50 ${h.heavyP50} ms, p99 ${h.heavyP99} ms, max ${h.heavyMax} ms (deadline ${h.deadlineMs} ms; slowest arrival-to-answer at the server ${h.heavyServedMax} ms)\n` +
        `  /healthz: ${h.healthzRequests} requests, p50 ${h.healthzP50} ms, p99 ${h.healthzP99} ms, max ${h.healthzMax} ms`,
    );
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, 'api-impact.json'),
    JSON.stringify(
      { at: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, rows, heavy },
      null,
      2,
    ) + '\n',
  );
}

await main();
