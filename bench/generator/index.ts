// Synthetic warehouse generator: `tsx bench/generator/index.ts --size 10k [--seed 42] [--out dir]`.
// Deterministic: the same (seed, size) writes byte-identical files. Writes <out>/target/manifest.json,
// <out>/target/catalog.json, <out>/query-log.jsonl and <out>/summary.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDir, generatedPaths, writeCatalog, writeManifest, writeQueryLog } from './emit.ts';
import type { GeneratedPaths } from './emit.ts';
import { planWarehouse } from './warehouse.ts';

export const SIZES: Record<string, number> = { '1k': 1_000, '10k': 10_000, '50k': 50_000, '150k': 150_000 };

/** Bumped whenever the output changes, so cached warehouses are regenerated. */
export const GENERATOR_VERSION = 2;

export interface GeneratedSummary {
  generator: number;
  seed: string;
  size: number;
  tables: number;
  sources: number;
  models: number;
  exposures: number;
  columns: number;
  edgesTableLevel: number;
  queries: number;
  bytes: { manifest: number; catalog: number; queryLog: number };
  generateMs: number;
}

export function parseSize(text: string): number {
  if (SIZES[text] !== undefined) return SIZES[text];
  const m = /^(\d+)(k?)$/.exec(text);
  if (!m) throw new Error(`bad size '${text}' (e.g. 1k, 10k, 50k, 150k or a number of tables)`);
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

export function generateWarehouse(
  seed: string,
  size: number,
  dir: string,
): GeneratedSummary & { paths: GeneratedPaths } {
  const t0 = performance.now();
  const paths = generatedPaths(dir);
  ensureDir(paths.targetDir);
  const w = planWarehouse(seed, size);
  const queries = Math.max(1000, size * 2);
  const bytes = {
    manifest: writeManifest(w, paths.manifest),
    catalog: writeCatalog(w, paths.catalog),
    queryLog: writeQueryLog(w, paths.queryLog, queries),
  };
  const summary: GeneratedSummary = {
    generator: GENERATOR_VERSION,
    seed,
    size,
    tables: w.tables.length,
    sources: w.tables.filter((t) => t.layer === 'source').length,
    models: w.tables.filter((t) => t.layer !== 'source').length,
    exposures: w.exposures.length,
    columns: w.columnCount,
    edgesTableLevel: w.tables.reduce((n, t) => n + t.parents.length, 0),
    queries,
    bytes,
    generateMs: Math.round(performance.now() - t0),
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { ...summary, paths };
}

/** Reuses an earlier generation of the same (seed, size) in `dir` when its summary is present. */
export function ensureWarehouse(
  seed: string,
  size: number,
  dir: string,
): GeneratedSummary & { paths: GeneratedPaths } {
  const summaryPath = join(dir, 'summary.json');
  if (existsSync(summaryPath)) {
    const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as GeneratedSummary;
    if (s.generator === GENERATOR_VERSION && s.seed === seed && s.size === size)
      return { ...s, paths: generatedPaths(dir) };
  }
  return generateWarehouse(seed, size, dir);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1k' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string' },
    },
  });
  const size = parseSize(values.size);
  const dir = values.out ?? join('.lineage', 'bench', `warehouse-${values.size}-seed${values.seed}`);
  const { paths: _paths, ...summary } = generateWarehouse(values.seed, size, dir);
  process.stdout.write(`${JSON.stringify({ dir, ...summary }, null, 2)}\n`);
}
