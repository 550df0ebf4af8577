// Calibrates the GraphQL cost model (api/cost.ts) against time: each probe field runs alone through a
// listening server on synthetic warehouses of BENCH_CALIBRATE_TABLES tables (default "2000,10000"), warm,
// best of BENCH_CALIBRATE_RUNS (3); prints its wall and process CPU time, its cost, and ms per cost unit.
// The model aims at 1 unit ≈ COST_UNIT_MS of work, so that LINEAGE_MAX_QUERY_COST (20,000) is about
// 10 s of work alone, two thirds of the default 15 s deadline (docs/api.md, "Limits").
// `node --import tsx bench/api-calibrate.ts`; heavy: run it under flock /tmp/lineage-heavy.lock.
import { buildSchema, parse } from 'graphql';
import { loadavg } from 'node:os';
import { COST_UNIT_MS, operationCost, storeSize } from '../api/cost.ts';
import { GRAPHQL_MODULES } from '../api/app.ts';
import { startServer } from '../api/server.ts';
import { openMemoryStore } from '../graph/embedded/index.ts';
import { loadConfig } from '../src/config.ts';
import { syntheticBatch, tableKey } from './embedded-synthetic.ts';

const SIZES = (process.env.BENCH_CALIBRATE_TABLES ?? '2000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_CALIBRATE_RUNS ?? 3);

/** The probes: one field each, the heaviest arguments the limits allow. */
function probes(tables: number): [string, string][] {
  const source = tableKey(Math.floor(tables * 0.2) - 1); // the last source: the widest downstream
  const model = tableKey(Math.floor(tables * 0.2) + 8);
  const leaf = tableKey(tables - 1);
  return [
    ['unusedColumns', `unusedColumns(first: 1) { totalCount }`],
    ['unusedTables', `unusedTables(first: 1) { totalCount }`],
    ['complexity', `complexity(first: 1) { totalCount }`],
    ['complexity SCHEMA', `complexity(scope: SCHEMA, first: 1) { totalCount }`],
    ['impact source 50', `impact(ref: "${source}", depth: 50) { summary { breaks stale values } }`],
    ['impact column 50', `impact(ref: "${source}.c1", depth: 50) { summary { breaks stale values } }`],
    ['impact model 50', `impact(ref: "${model}", depth: 50) { summary { breaks stale values } }`],
    ['impact source 10', `impact(ref: "${source}", depth: 10) { summary { breaks stale values } }`],
    ['rootCause leaf 50', `rootCause(ref: "${leaf}", depth: 50) { candidates(first: 10) { distance } }`],
    ['alertRoutes source 50', `alertRoutes(ref: "${source}", depth: 50) { assetCount }`],
    ['lineageGraph model 50', `lineageGraph(ref: "${model}", depth: 50, limit: 10000) { nodes { key } }`],
    ['canDrop source', `canDrop(ref: "${source}") { verdict }`],
    ['search', `search(text: "c1", first: 100) { key }`],
    ['ownerSearch', `ownerSearch(text: "team1", first: 10) { assetCount }`],
  ];
}

async function main(): Promise<void> {
  const schema = buildSchema(GRAPHQL_MODULES.map((m) => m.schema).join('\n'));
  const rows: string[][] = [
    ['tables', 'probe', 'wall ms', 'cpu ms', 'cost', 'ms/unit', 'units/ms target', 'status'],
  ];
  for (const tables of SIZES) {
    const store = await openMemoryStore();
    await store.applyBatch(syntheticBatch(tables));
    const config = loadConfig({
      LINEAGE_PORT: '0',
      LINEAGE_HOST: '127.0.0.1',
      LINEAGE_REQUEST_TIMEOUT_MS: '600000',
      LINEAGE_MAX_QUERY_COST: '100000000',
    });
    const { app, url } = await startServer({ store, config });
    const size = await storeSize(store);
    for (const [name, field] of probes(tables)) {
      const query = `{ ${field} }`;
      const cost = operationCost(schema, parse(query), {}, config.limits, undefined, size);
      let wall = Infinity;
      let cpu = Infinity;
      let status = 0;
      for (let i = 0; i < RUNS + 1; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        const body = (await r.json()) as { errors?: { message: string }[] };
        status = body.errors ? 0 : r.status;
        if (body.errors) console.error(name, body.errors[0].message);
        const c = process.cpuUsage(c0);
        if (i === 0) continue; // warm-up: caches built once per index
        wall = Math.min(wall, performance.now() - t0);
        cpu = Math.min(cpu, (c.user + c.system) / 1000);
      }
      rows.push([
        String(tables),
        name,
        wall.toFixed(0),
        cpu.toFixed(0),
        String(cost),
        (wall / cost).toFixed(3),
        (wall / COST_UNIT_MS).toFixed(0),
        String(status),
      ]);
      console.error(rows.at(-1)!.join('  '));
    }
    await app.close();
    await store.close();
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(
    `cost calibration, load average ${loadavg()[0].toFixed(1)}, 1 unit aimed at ${COST_UNIT_MS} ms`,
  );
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

await main();
