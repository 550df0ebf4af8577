// dbt ingest benchmark: every corpus manifest and a synthetic project (default 5,000 models), first ingest
// into an empty embedded store vs re-ingest of the unchanged target (lineage cache + unchanged batch).
// Usage: npm run bench:dbt [-- --models 5000] [--corpus <dir>] [--skip-corpus]
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbeddedStore } from '../graph/embedded/index.ts';
import { ingestDbt, type IngestDbtSummary } from '../src/pipeline/ingest-dbt.ts';
import { writeSyntheticTarget } from './dbt-synthetic.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: '5000' },
    corpus: { type: 'string', default: '/work/shared/corpus/manifests' },
    'skip-corpus': { type: 'boolean', default: false },
  },
});

interface Row {
  name: string;
  manifestMB: number;
  models: number;
  coverage: number;
  firstMs: number;
  firstParsed: number;
  againMs: number;
  againHits: number;
  unchanged: boolean;
  peakRssMB: number;
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function measure(name: string, targetDir: string): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-dbt-'));
  peakRss = process.memoryUsage().rss;
  try {
    const run = async (): Promise<IngestDbtSummary> => {
      const store = await openEmbeddedStore({ dataDir });
      try {
        return await ingestDbt(store, targetDir, { cacheDir: dataDir });
      } finally {
        await store.close();
      }
    };
    const t0 = performance.now();
    const first = await run();
    const t1 = performance.now();
    const again = await run();
    const t2 = performance.now();
    return {
      name,
      manifestMB: statSync(join(targetDir, 'manifest.json')).size / 1e6,
      models: first.models,
      coverage: first.columnLineageCoverage,
      firstMs: t1 - t0,
      firstParsed: first.sqlParsed,
      againMs: t2 - t1,
      againHits: again.sqlCacheHits,
      unchanged: again.unchanged,
      peakRssMB: peakRss / 1e6,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
if (!values['skip-corpus'] && existsSync(values.corpus)) {
  for (const name of readdirSync(values.corpus).sort()) {
    const dir = join(values.corpus, name);
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    rows.push(await measure(name, dir));
    process.stderr.write(`${name} done\n`);
  }
}
const n = Number(values.models);
if (n > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dbt-synthetic-'));
  writeSyntheticTarget(dir, { models: n });
  rows.push(await measure(`synthetic_${n}`, dir));
  rmSync(dir, { recursive: true, force: true });
}
clearInterval(sampler);

const table = [
  `dbt ingest (embedded store, node ${process.version}, ${new Date().toISOString()}; first = empty store and cache, again = unchanged re-ingest)`,
  '',
  '| target | manifest MB | models | column lineage | first ingest ms | SQL parsed | re-ingest ms | SQL reused | unchanged | peak RSS MB |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.manifestMB.toFixed(2)} | ${r.models} | ${(r.coverage * 100).toFixed(1)}% | ${Math.round(r.firstMs)} | ${r.firstParsed} | ${Math.round(r.againMs)} | ${r.againHits} | ${r.unchanged ? 'yes' : 'no'} | ${Math.round(r.peakRssMB)} |`,
  ),
  '',
].join('\n');
process.stdout.write(table);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/dbt-ingest.md', table);
