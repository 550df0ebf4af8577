// `lineage export openlineage [--out <file>]`: the graph's lineage as OpenLineage events (NDJSON).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { lineageError } from '../../errors.ts';
import { exportOpenLineage } from '../../pipeline/openlineage-export.ts';
import { configFromFlags, parseCommand, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';

const SPEC = {
  name: 'export openlineage',
  usage: 'export openlineage [--out <file.ndjson>]',
  help: [
    '  One COMPLETE RunEvent (OpenLineage 2-0-2) per relation with upstream lineage (a dbt model, a job output),',
    '  with schema and columnLineage facets; job namespace lineage-graph, job name = dbt unique_id or key.',
    '  Writes NDJSON to --out, or to stdout. Re-ingestable with `lineage ingest openlineage`.',
    '  --out <file>  write to this file instead of stdout',
  ],
  options: { out: { type: 'string' } } as const,
  positionals: 0,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'openlineage') {
    if (what === undefined || what === '--help' || what === '-h') {
      io.out('usage: lineage export openlineage [--out <file.ndjson>]\n');
      return what === undefined ? 2 : 0;
    }
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage export: unknown format '${what}' (expected openlineage)`,
    );
  }
  const cmd = parseCommand(rest, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const out = cmd.values.out;
  const file = out ? createWriteStream(out) : null;
  const summary = await withStore(config, (store) =>
    exportOpenLineage(store, async (line) => {
      if (!file) return io.out(line);
      if (!file.write(line)) await once(file, 'drain');
    }),
  );
  if (file) {
    file.end();
    await once(file, 'finish');
    io.err(`exported ${summary.events} OpenLineage events (${summary.columnEdges} column edges) to ${out}\n`);
  }
  return 0;
}
