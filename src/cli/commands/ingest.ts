// `lineage ingest dbt <target-dir>` and `lineage ingest query-log …` (the latter lives in ingest-query-log.ts).
import { lineageError } from '../../errors.ts';
import { ingestDbt, type IngestDbtSummary } from '../../pipeline/ingest-dbt.ts';
import { configFromFlags, parseCommand, requireDirectory, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { createProgress } from '../progress.ts';
import { openSqlTextStoreLazily } from '../../../graph/sql-text/index.ts';

type CommandModule = { run(args: string[], io: CliIO): Promise<number> };

const DBT_SPEC = {
  name: 'ingest dbt',
  usage: 'ingest dbt <target-dir> [--catalog <file>] [--run-results <file>] [--sources <file>]',
  help: [
    '  Reads manifest.json (v1–v12) and, when present, catalog.json, run_results.json and sources.json',
    '  from <target-dir>; re-ingesting the same dbt project replaces its previous ingest.',
    '  --catalog <file>      catalog.json elsewhere than <target-dir>',
    '  --run-results <file>  run_results.json elsewhere than <target-dir>',
    '  --sources <file>      sources.json (source freshness) elsewhere than <target-dir>',
  ],
  options: {
    catalog: { type: 'string' },
    'run-results': { type: 'string' },
    sources: { type: 'string' },
  } as const,
  positionals: 1,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'query-log') {
    const mod: CommandModule = await import('./ingest-query-log.ts');
    return mod.run(rest, io);
  }
  if (what === 'openlineage') {
    const mod: CommandModule = await import('./ingest-openlineage.ts');
    return mod.run(rest, io);
  }
  if (what === 'dbt') return runDbt(rest, io);
  if (what === undefined || what === '--help' || what === '-h') {
    io.out(
      'usage: lineage ingest dbt <target-dir> … | lineage ingest query-log <file> --format <fmt> … | lineage ingest openlineage <file.ndjson>\n',
    );
    return what === undefined ? 2 : 0;
  }
  throw lineageError(
    'LINEAGE_BAD_ARGUMENT',
    `lineage ingest: unknown source '${what}' (expected dbt, query-log or openlineage)`,
  );
}

async function runDbt(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, DBT_SPEC, io);
  if (cmd.help) return 0;
  const [targetDir] = cmd.positionals;
  requireDirectory(targetDir, 'dbt target directory');
  const config = configFromFlags(io, cmd.values);
  const progress = createProgress(io, 'ingest dbt: models');
  const sqlText = openSqlTextStoreLazily(config);
  const summary = await withStore(config, (store) =>
    ingestDbt(store, targetDir, {
      catalog: cmd.values.catalog,
      runResults: cmd.values['run-results'],
      sources: cmd.values.sources,
      cacheDir: config.dataDir,
      progress,
      sqlText,
    }),
  ).finally(() => sqlText.close());
  io.out(cmd.values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return 0;
}

export function formatSummary(s: IngestDbtSummary): string {
  const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
  const codes = Object.entries(s.diagnosticsByCode)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  return [
    `ingested dbt project ${s.project} (manifest v${s.schemaVersion}${s.dbtVersion ? `, dbt ${s.dbtVersion}` : ''}, ${s.platform}) as origin ${s.originId}${s.reusedPreviousIngest ? ' — artifacts unchanged since the last ingest, nothing re-read' : s.unchanged ? ' — unchanged' : ''}`,
    `  files: ${[s.files.manifest, s.files.catalog, s.files.runResults, s.files.sources].filter(Boolean).join(', ')}`,
    `  models: ${s.models}, compiled ${s.compiledModels}, with column lineage ${s.modelsWithColumnLineage} (${pct(s.columnLineageCoverage)})`,
    `  nodes: ${s.counts.relations} relations, ${s.counts.columns} columns, ${s.counts.consumers} consumers; edges: ${s.counts.columnEdges} column, ${s.counts.relationEdges} relation, ${s.counts.consumerEdges} consumer`,
    `  checks ${s.counts.checks}, evidence ${s.counts.evidence}, fingerprints ${s.counts.fingerprints}`,
    `  SQL parsed ${s.sqlParsed}, reused from cache ${s.sqlCacheHits}`,
    `  diagnostics: ${s.diagnostics.error} error, ${s.diagnostics.warning} warning, ${s.diagnostics.info} info${codes ? ` (${codes})` : ''}`,
    ...s.notable.map((d) => `  ${d.severity} ${d.code}${d.uniqueId ? ` ${d.uniqueId}` : ''}: ${d.message}`),
    `  time: parse ${s.timingsMs.parse} ms, store ${s.timingsMs.apply} ms`,
    '',
  ].join('\n');
}
