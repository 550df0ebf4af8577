// `lineage demo` (npm start): ingests the bundled jaffle_shop dbt artifacts into the configured store,
// then serves the API with the playground and prints the URL and an example query.
import { fileURLToPath } from 'node:url';
import { createStore } from '../../../graph/create-store.ts';
import { DEMO_COLUMN } from '../../../api/examples.ts';
import { ingestDbt } from '../../pipeline/ingest-dbt.ts';
import { parseCommand } from '../args.ts';
import type { CliIO } from '../io.ts';
import { SERVE_OPTIONS, serveUntilStopped, serverConfig } from './serve.ts';
import { openSqlTextStoreLazily } from '../../../graph/sql-text/index.ts';

export const DEMO_TARGET = fileURLToPath(new URL('../../../fixtures/demo/target', import.meta.url));

const SPEC = {
  name: 'demo',
  usage: 'demo [--port n] [--host h] [--data-dir d]',
  help: [
    '  Ingests fixtures/demo (jaffle_shop dbt artifacts with two exposures) into the store, then serves',
    '  the API and the playground. Options as for `lineage serve`.',
  ],
  options: SERVE_OPTIONS,
  positionals: 0,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = serverConfig(io, cmd.values);
  const store = await createStore(config);
  let summary;
  const sqlText = openSqlTextStoreLazily(config);
  try {
    summary = await ingestDbt(store, DEMO_TARGET, { cacheDir: config.dataDir, sqlText });
  } catch (err) {
    await store.close();
    throw err;
  } finally {
    await sqlText.close();
  }
  io.out(
    `ingested demo dbt project '${summary.project}': ${summary.counts.relations} relations, ` +
      `${summary.counts.columns} columns, ${summary.counts.columnEdges} column edges, ` +
      `${summary.counts.consumers} consumers (store: ${store.kind}, ${config.store === 'embedded' ? config.dataDir : 'neo4j'})\n`,
  );
  return serveUntilStopped(io, store, config, Boolean(cmd.values.log), (url) => {
    const query = `{ impact(ref: "${DEMO_COLUMN}", change: DROP) { summary { breaks stale values exposures maxSeverity } } }`;
    io.out(
      [
        '',
        `explorer:   ${url}/explorer   (search, asset pages, lineage graph, impact, root cause, warehouse)`,
        `playground: ${url}/graphiql   (example queries are preloaded in its tabs)`,
        `GraphQL:    ${url}/graphql`,
        '',
        'try:',
        `  curl -s ${url}/graphql -H 'content-type: application/json' \\`,
        `    -d '${JSON.stringify({ query })}'`,
        '',
        'Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  });
}
