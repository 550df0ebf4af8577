// Explorer benchmark: time to the first drawn neighbourhood, in a real browser, for a leaf and for the
// biggest hub of a synthetic warehouse (bench/generator, applied to the embedded store directly).
// `npm run bench:explorer -- [--size 150k] [--runs 5]`; run the 150k size under the shared lock:
// `flock /tmp/lineage-heavy.lock npm run bench:explorer -- --size 150k`.
// Per asset: server time of the `neighbourhood` query (fetch), time from navigation to the drawn canvas
// (data-state=ready with its boxes), boxes drawn, groups and grouped nodes. Medians of --runs page loads,
// after one warm-up load. The store is the embedded one held in memory (no file: what is timed is the API
// and the browser). Writes bench/results/explorer-<size>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildApp } from '../api/app.ts';
import { openMemoryStore } from '../graph/embedded/index.ts';
import type { LineageStore } from '../graph/store.ts';
import { loadConfig } from '../src/config.ts';
import { CHROMIUM_ARGS } from '../test/web/browser.ts';
import { warehouseBatch } from './generator/batch.ts';
import { parseSize } from './generator/index.ts';
import { planWarehouse } from './generator/warehouse.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const NEIGHBOURHOOD = `query N($ref: String!) { neighbourhood(ref: $ref) {
  nodes { key columns { key } } groups { count } edges { from } columnEdges { from } } }`;

interface Measured {
  asset: string;
  key: string;
  upstream: number;
  downstream: number;
  queryMs: number;
  drawnMs: number;
  boxes: number;
  groups: number;
  grouped: number;
  columnEdges: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The biggest hub (most relation neighbours) and a leaf (nothing downstream, one parent). */
async function pickAssets(store: LineageStore) {
  const g = await store.relationGraph();
  const up = new Array<number>(g.keys.length).fill(0);
  const down = new Array<number>(g.keys.length).fill(0);
  for (const [f, t] of g.edges) {
    down[f]++;
    up[t]++;
  }
  let hub = 0;
  for (let i = 0; i < g.keys.length; i++)
    if (up[i] + down[i] + g.consumerCount[i] > up[hub] + down[hub] + g.consumerCount[hub]) hub = i;
  const leaf = g.keys.findIndex((_, i) => down[i] === 0 && g.consumerCount[i] === 0 && up[i] === 1);
  return [
    { asset: 'leaf', key: g.keys[leaf], upstream: up[leaf], downstream: down[leaf] },
    {
      asset: 'biggest hub',
      key: g.keys[hub],
      upstream: up[hub],
      downstream: down[hub] + g.consumerCount[hub],
    },
  ];
}

async function main() {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: '10k' }, runs: { type: 'string', default: '5' } },
  });
  const size = parseSize(values.size as string);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(os.tmpdir(), 'lineage-bench-explorer-'));
  const t0 = performance.now();
  // the embedded store in memory: the same index and queries, without writing a 1.2 GB file first
  const store = await openMemoryStore();
  await store.applyBatch(warehouseBatch(planWarehouse('42', size)));
  const stats = await store.stats();
  const loadS = Math.round((performance.now() - t0) / 100) / 10;
  const config = loadConfig({ LINEAGE_DATA_DIR: join(dir, 'data') });
  const app = await buildApp({ store, config });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const profile = mkdtempSync(join(os.tmpdir(), 'lineage-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1600, height: 1000 },
  });
  const rows: Measured[] = [];
  try {
    await fetch(`${url}/explorer/assets/app.js`); // build the bundle before timing
    for (const a of await pickAssets(store)) rows.push(await measure(url, browser, a, runs));
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  report(values.size as string, stats, loadS, rows);
}

async function measure(
  url: string,
  browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>>,
  a: { asset: string; key: string; upstream: number; downstream: number },
  runs: number,
): Promise<Measured> {
  const query = async () => {
    const t = performance.now();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: NEIGHBOURHOOD, variables: { ref: a.key } }),
    });
    const body = (await res.json()) as {
      data: { neighbourhood: { nodes: unknown[]; groups: { count: number }[]; columnEdges: unknown[] } };
    };
    return { ms: performance.now() - t, n: body.data.neighbourhood };
  };
  const queryMs: number[] = [];
  const drawnMs: number[] = [];
  let boxes = 0;
  for (let i = 0; i <= runs; i++) {
    queryMs.push((await query()).ms);
    const page = await browser.newPage();
    const t = performance.now();
    await page.goto(`${url}/explorer#/graph/${encodeURIComponent(a.key)}`);
    await page
      .locator('[data-testid="canvas"][data-state="ready"] .react-flow__node')
      .first()
      .waitFor({ timeout: 60_000 });
    drawnMs.push(performance.now() - t);
    boxes = await page.locator('.react-flow__node').count();
    await page.close();
  }
  const { n } = await query();
  return {
    ...a,
    queryMs: Math.round(median(queryMs.slice(1))),
    drawnMs: Math.round(median(drawnMs.slice(1))),
    boxes,
    groups: n.groups.length,
    grouped: n.groups.reduce((s, g) => s + g.count, 0),
    columnEdges: n.columnEdges.length,
  };
}

function report(
  size: string,
  stats: { relations: number; columns: number; columnEdges: number },
  loadS: number,
  rows: Measured[],
) {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `explorer bench: ${stats.relations} relations, ${stats.columns} columns, ${stats.columnEdges} column edges (built in ${loadS} s); load ${load}`,
  );
  console.log(
    'asset        up  down  neighbourhood query ms  first drawn ms  boxes  groups (nodes)  column edges  key',
  );
  for (const r of rows)
    console.log(
      `${r.asset.padEnd(11)} ${String(r.upstream).padStart(3)} ${String(r.downstream).padStart(5)} ${String(r.queryMs).padStart(22)} ${String(r.drawnMs).padStart(15)} ${String(r.boxes).padStart(6)} ${`${r.groups} (${r.grouped})`.padStart(15)} ${String(r.columnEdges).padStart(13)}  ${r.key}`,
    );
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, `explorer-${size}.json`),
    `${JSON.stringify({ size, stats, loadS, load, rows }, null, 2)}\n`,
  );
}

await main();
