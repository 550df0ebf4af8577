// `lineage stats`: what the configured store holds (LineageStore.stats), per origin too. Opens read-only.
import { configFromFlags, parseCommand, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { renderFields, renderTable } from '../table.ts';

const SPEC = {
  name: 'stats',
  usage: 'stats [--store embedded|neo4j] [--data-dir d]',
  help: [
    '  Node and edge counts of the store, diagnostics by severity, and one line per origin',
    '  (an ingested dbt project or query log). Reads only: no migrations, no cleanup.',
  ],
  options: {} as const,
  positionals: 0,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const stats = await withStore(config, (store) => store.stats(), { readOnly: true });
  if (cmd.values.json) {
    io.out(JSON.stringify({ store: config.store, ...stats }, null, 2) + '\n');
    return 0;
  }
  const d = stats.diagnosticsBySeverity;
  io.out(
    renderFields([
      ['store', config.store],
      ['relations', stats.relations],
      ['columns', stats.columns],
      ['consumers', stats.consumers],
      ['column edges', stats.columnEdges],
      ['relation edges', stats.relationEdges],
      ['consumer edges', stats.consumerEdges],
      ['diagnostics', `${d.error} error, ${d.warning} warning, ${d.info} info`],
    ]),
  );
  io.out(
    '\n' +
      renderTable(stats.origins, [
        { header: 'origin', value: (o) => o.id },
        { header: 'provenance', value: (o) => o.provenance },
        { header: 'ingested', value: (o) => o.ingestedAt },
        { header: 'relations', value: (o) => o.relations, align: 'right' },
        { header: 'columns', value: (o) => o.columns, align: 'right' },
        { header: 'col edges', value: (o) => o.columnEdges, align: 'right' },
        { header: 'rel edges', value: (o) => o.relationEdges, align: 'right' },
        { header: 'diagnostics', value: (o) => o.diagnostics, align: 'right' },
      ]),
  );
  return 0;
}
