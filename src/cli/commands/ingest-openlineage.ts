// `lineage ingest openlineage <file.ndjson>`: exported OpenLineage events (one JSON event per line) into the graph.
import { fileLedger } from '../../pipeline/openlineage.ts';
import { ingestOpenLineageFile, type FileSummary } from '../../pipeline/openlineage-file.ts';
import { configFromFlags, parseCommand, requireFile, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { createProgress } from '../progress.ts';

const SPEC = {
  name: 'ingest openlineage',
  usage: 'ingest openlineage <file.ndjson>',
  help: [
    '  One OpenLineage event (RunEvent, JobEvent or DatasetEvent, spec 2-0-2) per line, e.g. what the file',
    '  transport of an openlineage client writes. Every line is validated before anything is written; each job',
    '  becomes origin openlineage:<namespace>/<name>, replaced by its latest run (docs/openlineage.md). Run',
    '  history is kept in <data dir>/openlineage-runs.json, so successive ingests continue runs.',
  ],
  options: {} as const,
  positionals: 1,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const [file] = cmd.positionals;
  requireFile(file, 'OpenLineage events file');
  const config = configFromFlags(io, cmd.values);
  const progress = createProgress(io, 'ingest openlineage: bytes');
  const summary = await withStore(config, (store) =>
    ingestOpenLineageFile(store, fileLedger(config.dataDir), file, { progress }),
  );
  io.out(cmd.values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return 0;
}

export function formatSummary(s: FileSummary): string {
  const codes = Object.entries(s.diagnosticsByCode)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  return [
    `ingested OpenLineage events ${s.file}: ${s.events} events (${s.runEvents} run, ${s.jobEvents} job, ${s.datasetEvents} dataset; ${s.lateEvents} of earlier runs)`,
    `  jobs ${s.jobs.length}, origin writes ${s.writes}`,
    `  written: ${s.relations} relations, ${s.columns} columns, ${s.columnEdges} column edges, ${s.relationEdges} relation edges, ${s.evidence} run evidence`,
    `  diagnostics: ${s.diagnostics}${codes ? ` (${codes})` : ''}`,
    '',
  ].join('\n');
}
