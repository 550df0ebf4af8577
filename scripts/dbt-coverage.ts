// Prints, per dbt manifest directory, the share of models with column-level lineage (and what kept the
// rest table-level). Usage: npx tsx scripts/dbt-coverage.ts [<manifests-dir>]   (default: the shared corpus)
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDbt } from '../src/pipeline/ingest-dbt.ts';

const root = process.argv[2] ?? '/work/shared/corpus/manifests';
const dirs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'manifest.json')))
  .map((d) => d.name)
  .sort();

const rows: string[] = [];
let failures = 0;
for (const name of dirs) {
  const t0 = performance.now();
  try {
    const { summary: s } = await parseDbt(join(root, name));
    const ms = Math.round(performance.now() - t0);
    const unparsed = s.diagnosticsByCode.DBT_SQL_UNPARSED ?? 0;
    const notCompiled = s.models - s.compiledModels;
    rows.push(
      `| ${name} | v${s.schemaVersion} | ${s.platform} | ${s.models} | ${s.compiledModels} | ${s.modelsWithColumnLineage} | ${pct(s.columnLineageCoverage)} | ${s.modelsWithColumnEdges} | ${s.counts.columnEdges} | ${unparsed} | ${notCompiled} | ${ms} |`,
    );
  } catch (err) {
    failures++;
    const code = (err as { code?: string }).code ?? 'UNHANDLED';
    rows.push(
      `| ${name} | – | – | – | – | – | – | – | – | – | – | ERROR ${code}: ${(err as Error).message.split('\n')[0]} |`,
    );
  }
}
process.stdout.write(
  [
    '| manifest | schema | platform | models | compiled | column lineage | coverage | with upstream edges | column edges | unparsed SQL | not compiled | ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
process.exitCode = failures > 0 ? 1 : 0;

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
