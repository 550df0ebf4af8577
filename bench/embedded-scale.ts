// Scale check of the embedded store: `npm run bench:embedded -- --tables 20000 [--columns 20] [--samples 1000]`.
// Phase 1 (this process): generate a synthetic batch, apply it (validate + index + atomic save), report peak
// RSS. Phase 2 (a fresh child process, like a server starting): load the file, then time column-level
// traversals from random columns. Prints one table; `--json` prints the figures as JSON instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../graph/embedded/index.ts';
import { mulberry32, syntheticBatch } from './embedded-synthetic.ts';

interface Args {
  tables: number;
  columns: number;
  samples: number;
  json: boolean;
  load: string | null;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tables: 20_000, columns: 20, samples: 1000, json: false, load: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tables') args.tables = Number(argv[++i]);
    else if (a === '--columns') args.columns = Number(argv[++i]);
    else if (a === '--samples') args.samples = Number(argv[++i]);
    else if (a === '--json') args.json = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--load-phase') args.load = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** CPU time (user + system) since `start`: on a loaded shared machine it is steadier than wall time. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function loadPhase(dir: string, samples: number): Promise<Record<string, number>> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const store = await openEmbeddedStore({ dataDir: dir, reloadCheckMs: 60_000 });
  const loadMs = performance.now() - t0;
  const loadCpuMs = cpuMs(c0);
  const loadRss = peakRssMb();
  const relations = await store.listRelations();
  const rnd = mulberry32(1);
  const columnKeys: string[] = [];
  while (columnKeys.length < samples) {
    const r = relations[Math.floor(rnd() * relations.length)];
    const cols = await store.columnsOf(r.key);
    if (cols.length > 0) columnKeys.push(cols[Math.floor(rnd() * cols.length)].key);
  }
  const figures: Record<string, number> = { loadMs: Math.round(loadMs), loadCpuMs, loadPeakRssMb: loadRss };
  for (const direction of ['downstream', 'upstream'] as const) {
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let reached = 0;
    let maxReached = 0;
    for (const key of columnKeys) {
      const t = performance.now();
      const c = process.cpuUsage();
      const r = await store.traverse([key], { direction, level: 'column', maxDepth: 20, limit: 10_000 });
      times.push(performance.now() - t);
      const dc = process.cpuUsage(c);
      cpuTimes.push((dc.user + dc.system) / 1000);
      reached += r.reached.length;
      maxReached = Math.max(maxReached, r.reached.length);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    figures[`${direction}P50Ms`] = Number(percentile(times, 50).toFixed(2));
    figures[`${direction}P99Ms`] = Number(percentile(times, 99).toFixed(2));
    figures[`${direction}CpuP50Ms`] = Number(percentile(cpuTimes, 50).toFixed(2));
    figures[`${direction}CpuP99Ms`] = Number(percentile(cpuTimes, 99).toFixed(2));
    figures[`${direction}MeanReached`] = Math.round(reached / columnKeys.length);
    figures[`${direction}MaxReached`] = maxReached;
  }
  const t = performance.now();
  const sc = process.cpuUsage();
  await store.search('t123', { limit: 20 });
  figures.searchMs = Math.round(performance.now() - t);
  figures.searchCpuMs = cpuMs(sc);
  figures.peakRssMb = peakRssMb();
  return figures;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.load !== null) {
    process.stdout.write(JSON.stringify(await loadPhase(args.load, args.samples)) + '\n');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-bench-'));
  try {
    let t = performance.now();
    const batch = syntheticBatch(args.tables, args.columns);
    const generateMs = performance.now() - t;
    const store = await openEmbeddedStore({ dataDir: dir });
    t = performance.now();
    const c0 = process.cpuUsage();
    await store.applyBatch(batch);
    const applyMs = performance.now() - t;
    const applyCpuMs = cpuMs(c0);
    const timings = store.lastWriteTimings();
    t = performance.now();
    const again = await store.applyBatch(batch);
    const reapplyMs = performance.now() - t;
    const ingest = {
      tables: batch.relations.length,
      columns: batch.columns.length,
      columnEdges: batch.columnEdges.length,
      generateMs: Math.round(generateMs),
      applyMs: Math.round(applyMs),
      applyCpuMs,
      indexMs: Math.round(timings.changeMs),
      saveMs: Math.round(timings.saveMs),
      reapplyUnchangedMs: Math.round(reapplyMs),
      reapplyUnchanged: again.unchanged ? 1 : 0,
      fileMb: mb(store.fileBytes()),
      ingestPeakRssMb: peakRssMb(),
    };
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1], '--load-phase', dir, '--samples', String(args.samples)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`load phase failed: ${child.stderr}`);
    const load = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const figures = {
      ...ingest,
      ...load,
      host: `${os.cpus().length} cpu, load ${os.loadavg()[0].toFixed(1)}`,
    };
    if (args.json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    else {
      const rows = Object.entries(figures).map(([k, v]) => `${k.padEnd(22)} ${String(v)}`);
      process.stdout.write(['embedded store scale check', ...rows].join('\n') + '\n');
    }
  } finally {
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`store kept in ${dir}\n`);
  }
}

await main();
