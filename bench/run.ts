// `npm run bench [-- --quick] [--sizes 1k,10k,50k,150k] [--stores embedded,neo4j] [--seed 42]
//  [--samples 1000] [--duration 10] [--stage-timeout 3600] [--heap 12288] [--only ingest,latency]`
// For each size and store, runs every stage in its own child process (peak RSS per stage), prints a table
// and writes bench/results/bench-<time>-<sizes>.json. Stages whose product piece is missing say
// "not available"; a stage that fails or times out is reported and the run goes on.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from './generator/index.ts';
import type { StageParams, StageResult } from './stages.ts';

const ROOT = resolve(import.meta.dirname, '..');
const STAGE_ORDER = [
  'generate',
  'ingest',
  'reingest',
  'load',
  'latency',
  'warehouse',
  'graphql',
  // Last, so a failure here cannot hide the figures above; then the store is loaded once more with usage.
  'queryLog',
  'reload',
] as const;
type StageName = (typeof STAGE_ORDER)[number];
/** --direct replaces the dbt ingest stages with store-only ones (see stages.ts directIngest). */
const DIRECT_STAGE: Partial<Record<StageName, string>> = {
  ingest: 'directIngest',
  reingest: 'directReingest',
};
/** Stages that run another stage's code. */
const ALIAS: Partial<Record<StageName, string>> = { reload: 'load' };
type Result = StageResult & { peakRssMB?: number; wallMs?: number };

function runChild(stage: string, params: StageParams, timeoutS: number, heapMb: number): Promise<Result> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${heapMb}`,
        '--import',
        'tsx',
        join(ROOT, 'bench/stages.ts'),
        stage,
        JSON.stringify(params),
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Math.round(performance.now() - t0);
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (line) return done({ ...(JSON.parse(line.slice(9)) as Result), wallMs });
      const reason =
        signal === 'SIGKILL' ? `timed out after ${timeoutS}s` : `exit ${code ?? signal}: ${failureLine(err)}`;
      done({ status: 'failed', reason, wallMs });
    });
  });
}

/** The line naming the error in a child's stderr (Node ends an uncaught error with its stack and version). */
function failureLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.find((l) => /^\w*Error\b|^\[[A-Z_]+\]/.test(l.trim())) ?? lines.slice(-3).join(' | ');
}

const fmt = (v: unknown, unit = ''): string =>
  v === null || v === undefined ? '–' : `${typeof v === 'number' ? Math.round(v * 10) / 10 : v}${unit}`;

function row(size: string, store: string, r: Record<StageName, Result | undefined>): string[] {
  const g = (s: StageName) => (r[s]?.status === 'ok' ? (r[s] as Record<string, unknown>) : undefined);
  const na = (s: StageName) => (r[s] && r[s]!.status !== 'ok' ? r[s]!.status : '–');
  const ingest = g('ingest');
  const re = g('reingest');
  type P = { p50: number; p99: number };
  const lat = g('latency') as { impact?: P; rootCause?: P; impactAgain?: P; rootCauseAgain?: P } | undefined;
  // first pass, then the same samples again in parentheses (warm plan caches)
  const twice = (first?: P, again?: P) =>
    first
      ? `${fmt(first.p50)}/${fmt(first.p99)}${again ? ` (${fmt(again.p50)}/${fmt(again.p99)})` : ''}`
      : na('latency');
  const wh = g('warehouse');
  const ld = g('load');
  const gq = g('graphql');
  const gen = g('generate');
  return [
    size,
    store,
    gen
      ? `${fmt(gen.tables)}/${fmt(gen.columns)}`
      : ingest?.counts
        ? `${fmt((ingest.counts as { relations: number }).relations)}/${fmt((ingest.counts as { columns: number }).columns)}`
        : na('generate'),
    ingest
      ? `${fmt((ingest.ingestMs as number) / 1000, 's')} ${fmt(r.ingest!.peakRssMB, 'MB')}`
      : na('ingest'),
    re
      ? `${fmt((re.reingestMs as number) / 1000, 's')}${ingest ? ` (${fmt((ingest.ingestMs as number) / (re.reingestMs as number), 'x')})` : ''}`
      : na('reingest'),
    twice(lat?.impact, lat?.impactAgain),
    twice(lat?.rootCause, lat?.rootCauseAgain),
    wh ? `${fmt(wh.unusedMs)}/${fmt(wh.complexityModelMs)}` : na('warehouse'),
    ld
      ? `${fmt((ld.fileBytes as number) / 1e6, 'MB')} ${fmt((ld.loadMs as number) / 1000, 's')} ${fmt(r.load!.peakRssMB, 'MB')}`
      : na('load'),
    gq
      ? gq.total === 0
        ? 'none completed'
        : `${fmt(gq.requestsPerSec)} rps p99 ${fmt(gq.latencyP99Ms)}ms`
      : na('graphql'),
    g('queryLog')
      ? `${fmt((g('queryLog')!.ingestMs as number) / 1000, 's')}${r.reload?.status === 'failed' ? ' (reload failed)' : ''}`
      : na('queryLog'),
  ];
}

export function table(rows: string[][]): string {
  const head = [
    'size',
    'store',
    'tables/columns',
    'ingest (peak RSS)',
    're-ingest (speedup)',
    'impact p50/p99 ms (again)',
    'root cause p50/p99 ms (again)',
    'unused/complexity ms',
    'file, load, RSS',
    'GraphQL impact',
    'query log',
  ];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      direct: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      stores: { type: 'string', default: 'embedded' },
      seed: { type: 'string', default: '42' },
      samples: { type: 'string' },
      duration: { type: 'string' },
      only: { type: 'string' },
      'stage-timeout': { type: 'string', default: '3600' },
      heap: { type: 'string', default: '12288' },
      out: { type: 'string', default: join(ROOT, 'bench/results') },
    },
  });
  const sizes = (values.sizes ?? (values.quick ? '1k' : '1k,10k,50k,150k')).split(',');
  const stores = values.stores.split(',') as StageParams['store'][];
  const only = values.only ? new Set(['generate', ...values.only.split(',')]) : null;
  const samples = Number(values.samples ?? (values.quick ? 200 : 1000));
  const duration = Number(values.duration ?? (values.quick ? 3 : 10));
  const timeout = Number(values['stage-timeout']);
  const startedAt = new Date().toISOString();
  const report: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  for (const sizeText of sizes) {
    const size = parseSize(sizeText);
    const dir = join(ROOT, '.lineage/bench', `warehouse-${sizeText}-seed${values.seed}`);
    for (const store of stores) {
      const params: StageParams = {
        seed: values.seed,
        size,
        dir,
        store,
        dataDir: join(ROOT, '.lineage/bench', `store-${sizeText}-${store}${values.direct ? '-direct' : ''}`),
        samples,
        duration,
        now: '2026-11-01T12:00:00Z',
      };
      const results = {} as Record<StageName, Result | undefined>;
      // Neo4j: a fresh throwaway server per size (scripts/neo4j/launch.ts), unless NEO4J_URI names one.
      let neo4j: { uri: string; stop(): Promise<void> } | null = null;
      if (store === 'neo4j' && !process.env.NEO4J_URI) {
        try {
          const { startNeo4j } = await import('../scripts/neo4j/launch.ts');
          // Page cache and heap grow with the warehouse (the launcher's 64 MB page cache is for tests): 512 MB /
          // 1 GB up to 10k tables, 2 GB / 2 GB up to 50k, 6 GB / 3 GB above (a 150k store is several GB);
          // NEO4J_URI points at a server sized by its operator.
          const [pageCacheMb, heap] =
            size > 50_000 ? [6144, '3g'] : size > 10_000 ? [2048, '2g'] : [512, '1g'];
          neo4j = await startNeo4j({ pageCacheMb: Number(pageCacheMb), heap: String(heap) });
          params.neo4jUri = neo4j.uri;
        } catch (err) {
          process.stderr.write(`[bench] Neo4j could not start: ${(err as Error).message.split('\n')[0]}\n`);
        }
      }
      for (const stage of STAGE_ORDER) {
        if (only && !only.has(stage)) continue;
        if (stage === 'generate' && store !== stores[0]) continue;
        if (values.direct && (stage === 'generate' || stage === 'queryLog' || stage === 'reload')) continue;
        const needsStore = [
          'reingest',
          'queryLog',
          'load',
          'latency',
          'warehouse',
          'graphql',
          'reload',
        ].includes(stage);
        if (needsStore && results.ingest && results.ingest.status !== 'ok') {
          results[stage] = { status: 'not available', reason: 'ingest did not complete' };
          continue;
        }
        process.stderr.write(`[bench] ${sizeText} ${store} ${stage} ...`);
        results[stage] = await runChild(
          (values.direct && DIRECT_STAGE[stage]) || ALIAS[stage] || stage,
          params,
          timeout,
          Number(values.heap),
        );
        const r = results[stage]!;
        // Partial figures survive an interrupted run (git-ignored: *.tmp).
        mkdirSync(values.out, { recursive: true });
        writeFileSync(
          join(values.out, 'partial.json.tmp'),
          JSON.stringify({ size: sizeText, store, direct: values.direct, stages: results }, null, 2) + '\n',
        );
        process.stderr.write(
          ` ${r.status}${r.status !== 'ok' ? ` (${r.reason as string})` : ''} in ${((r.wallMs ?? 0) / 1000).toFixed(1)}s, peak RSS ${r.peakRssMB ?? '?'} MB\n`,
        );
      }
      await neo4j?.stop();
      const mode = values.direct ? 'direct' : 'dbt';
      report.push({ size: sizeText, tables: size, store, mode, stages: results });
      rows.push(row(sizeText, values.direct ? `${store} (direct)` : store, results));
    }
  }
  const output = table(rows);
  process.stdout.write(`${output}\n`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemGB: Math.round(totalmem() / 1e9),
    node: process.version,
  };
  const json = {
    startedAt,
    finishedAt: new Date().toISOString(),
    seed: values.seed,
    machine,
    sizes,
    stores,
    samples,
    results: report,
    table: output,
  };
  mkdirSync(values.out, { recursive: true });
  const name = `bench-${startedAt.replace(/[:.]/g, '-')}-${sizes.join('_')}${values.direct ? '-direct' : ''}${values.quick ? '-quick' : ''}.json`;
  writeFileSync(join(values.out, name), JSON.stringify(json, null, 2) + '\n');
  process.stderr.write(`[bench] wrote ${join(values.out, name)}\n`);
}

await main();
