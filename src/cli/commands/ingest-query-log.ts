// `lineage ingest query-log <file> --format <fmt>`: stream a warehouse query log into the graph.
import { QUERY_LOG_FORMATS, queryLogFormat } from '../../../parsers/query-log/formats.ts';
import { lineageError } from '../../errors.ts';
import type { Platform } from '../../model/lineage.ts';
import { PLATFORMS } from '../../model/lineage.ts';
import { ingestQueryLog } from '../../pipeline/ingest-query-log.ts';
import type { QueryLogSummary } from '../../pipeline/ingest-query-log.ts';
import { configFromFlags, parseCommand, requireFile, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { createProgress } from '../progress.ts';

const SPEC = {
  name: 'ingest query-log',
  usage:
    'ingest query-log <file> --format <fmt> [--platform <p>] [--database <db>] [--schema <s>] [--timezone <zone>] [--origin <id>]',
  help: [
    `  --format <fmt>     ${QUERY_LOG_FORMATS.map((f) => f.name).join(' | ')}`,
    ...QUERY_LOG_FORMATS.map((f) => `                       ${f.name}: ${f.summary}`),
    '  --platform <p>     SQL dialect when the format does not fix it (generic without `dialect`)',
    '  --database <db>    default database for records that name none',
    '  --schema <s>       default schema for records that name none',
    '  --timezone <zone>  IANA zone of times written without a zone or with an abbreviation (csvlog: log_timezone)',
    '  --origin <id>      origin id (default query-log:<absolute path>); the same origin is replaced',
    '  Service users/roles (LINEAGE_SERVICE_USERS / LINEAGE_SERVICE_ROLES) stay in the stored usage and',
    '  are excluded when usage is queried (unused tables, read counts).',
  ],
  options: {
    format: { type: 'string' },
    platform: { type: 'string' },
    database: { type: 'string' },
    schema: { type: 'string' },
    timezone: { type: 'string' },
    origin: { type: 'string' },
  } as const,
  positionals: 1,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const [file] = cmd.positionals;
  const format = cmd.values.format;
  if (!format)
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage ingest query-log: --format is required (${QUERY_LOG_FORMATS.map((f) => f.name).join(', ')})`,
    );
  queryLogFormat(format); // QUERY_LOG_UNKNOWN_FORMAT before anything is opened
  const platform = cmd.values.platform;
  if (platform !== undefined && !(PLATFORMS as readonly string[]).includes(platform))
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage ingest query-log: unknown platform '${platform}' (${PLATFORMS.join(', ')})`,
    );
  requireFile(file, 'query log');
  const config = configFromFlags(io, cmd.values);
  const progress = createProgress(io, `ingest query-log (${format}): bytes`);
  const summary = await withStore(config, (store) =>
    ingestQueryLog(store, file, {
      format,
      platform: platform as Platform | undefined,
      defaultDatabase: cmd.values.database,
      defaultSchema: cmd.values.schema,
      timeZone: cmd.values.timezone,
      origin: cmd.values.origin,
      serviceUsers: config.usage.serviceUsers,
      serviceRoles: config.usage.serviceRoles,
      progress,
      ledgerDir: config.dataDir,
    }),
  );
  io.out(cmd.values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return 0;
}

export function formatSummary(s: QueryLogSummary & { notable?: { message: string }[] }): string {
  const lines = [
    `ingested ${s.format} query log ${s.file} as origin ${s.origin}${s.apply.unchanged ? ' — unchanged' : ''}`,
    `  records ${s.records}: executions ${s.executions}, failed ${s.failed}, cancelled ${s.cancelled}, skipped ${s.skipped}, malformed ${s.malformed}, duplicates ${s.duplicates}${s.countedElsewhere > 0 ? ` (${s.countedElsewhere} already counted by another origin)` : ''}`,
    `  distinct statements ${s.distinctStatements} (unparsed ${s.unparsedStatements}); service-account executions ${s.serviceExecutions}`,
    `  lineage: ${s.columnEdges} column edges, ${s.relationEdges} relation edges; ${s.temporaryRelations} temp relations collapsed`,
    `  usage records ${s.usageRecords}; new relations ${s.relationsCreated}, new columns ${s.columnsCreated}`,
  ];
  for (const m of s.malformedSamples)
    lines.push(
      `  warning QUERY_LOG_MALFORMED_ROW line ${m.endLine === undefined ? m.line : `${m.line}-${m.endLine}`}: ${m.reason}`,
    );
  if (s.malformed > s.malformedSamples.length)
    lines.push(`  … ${s.malformed - s.malformedSamples.length} more malformed row(s)`);
  for (const n of s.notable ?? []) lines.push(`  warning STORE_WRITE_FAILED: ${n.message}`);
  return `${lines.join('\n')}\n`;
}
