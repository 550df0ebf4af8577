// `lineage` CLI entry: dispatches to one module per subcommand and turns errors into one line + exit code.
import { isLineageError, lineageError } from '../errors.ts';
import type { CliIO } from './io.ts';
import { processIO } from './io.ts';
import { readFileSync } from 'node:fs';

type CommandModule = { run(args: string[], io: CliIO): Promise<number> };

/** Subcommand -> module. Each module parses its own flags (node:util parseArgs). */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  ingest: {
    summary:
      'ingest dbt <target-dir> | ingest query-log <file> --format <fmt> | ingest openlineage <file.ndjson>',
    load: () => import('./commands/ingest.ts'),
  },
  impact: {
    summary: 'impact <ref> [--change DROP|RENAME|RETYPE|VALUES]: downstream blast radius',
    load: () => import('./commands/impact.ts'),
  },
  upstream: {
    summary: 'upstream <ref> [--since <date>]: ranked root-cause candidates',
    load: () => import('./commands/upstream.ts'),
  },
  unused: {
    summary: 'unused [--since 90d]: tables nobody read and nothing depends on',
    load: () => import('./commands/unused.ts'),
  },
  complexity: {
    summary: 'complexity [--scope model|schema]: lineage complexity scores',
    load: () => import('./commands/complexity.ts'),
  },
  diff: {
    summary: 'diff <base-target-dir> <new-target-dir>: what changed between two manifests',
    load: () => import('./commands/diff.ts'),
  },
  export: {
    summary: 'export openlineage [--out <file>]: the graph as OpenLineage events (NDJSON)',
    load: () => import('./commands/export-openlineage.ts'),
  },
  sql: {
    summary: 'sql: JSON lines of SQL on stdin -> column lineage on stdout',
    load: () => import('./commands/sql.ts'),
  },
  alert: {
    summary: 'alert <kind> <file> | route <ref> | incidents | ack|resolve <id> | digest: alert routing',
    load: () => import('./commands/alert.ts'),
  },
  stats: {
    summary: 'stats: node, edge and origin counts of the store (read-only)',
    load: () => import('./commands/stats.ts'),
  },
  serve: { summary: 'serve: GraphQL API + GraphiQL playground', load: () => import('./commands/serve.ts') },
  demo: {
    summary: 'demo: ingest the bundled example and serve the API',
    load: () => import('./commands/demo.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`);
  return ['usage: lineage <command> [options]   (--json for machine-readable output)', '', ...lines].join(
    '\n',
  );
}

/** Errors print as exactly one line, whatever the message holds. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(usage() + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  try {
    if (!entry)
      throw lineageError('LINEAGE_BAD_ARGUMENT', `unknown command '${command}' (see 'lineage --help')`);
    const mod = await entry.load();
    return await mod.run(rest, io);
  } catch (err) {
    if (isLineageError(err)) {
      reportError(io, rest, err.code, oneLine(err.message));
      return err.exitCode;
    }
    reportError(io, rest, 'INTERNAL', oneLine(err instanceof Error ? err.message : String(err)));
    if (io.env.LINEAGE_DEBUG) io.err(`${err instanceof Error ? err.stack : ''}\n`);
    return 1;
  }
}

/**
 * An error is one line on stderr; under `--json` (a flag before any `--`) it is also one JSON object on stdout,
 * `{"error":{"code","message"}}`, so a script reading stdout sees why there is no result. The exit code is kept.
 */
function reportError(io: CliIO, args: readonly string[], code: string, message: string): void {
  io.err(`error [${code}]: ${message}\n`);
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).includes('--json'))
    io.out(`${JSON.stringify({ error: { code, message } })}\n`);
}
