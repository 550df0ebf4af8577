// Query-log ingestion: stream a log through its format's reader, fold it into per-statement facts and usage,
// then replace the origin's previous contribution with one batch. Nothing is written before the whole file
// was read, so a wrong-format file (or any failure) leaves the store untouched.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LineageStore } from '../../graph/store.ts';
import type { ApplyResult } from '../../graph/store.ts';
import { analyzeSql } from '../../parsers/sql/index.ts';
import { QueryLogAggregator } from '../../parsers/query-log/aggregate.ts';
import type { AggregateCounts } from '../../parsers/query-log/aggregate.ts';
import { buildBatch, lineageOf, neededColumns, neededRelations } from '../../parsers/query-log/batch.ts';
import { queryLogFormat } from '../../parsers/query-log/formats.ts';
import type { QueryLogFormat } from '../../parsers/query-log/formats.ts';
import { isZone } from '../../parsers/query-log/time.ts';
import type { Analyzer } from '../../parsers/query-log/statement.ts';
import type { LedgerDay } from '../../parsers/query-log/aggregate.ts';
import { lineageError } from '../errors.ts';
import type { Diagnostic, LineageBatch, Origin, Platform } from '../model/lineage.ts';
import { QueryLogLedgers } from './query-log-ledger.ts';
import type { LedgerWarning } from './query-log-ledger.ts';

export interface IngestProgress {
  tick(n?: number): void;
  setTotal(total: number): void;
  done(): void;
}

export interface IngestQueryLogOptions {
  format: string;
  /** Dialect of the SQL when the format does not fix it (generic records without `dialect`). */
  platform?: Platform;
  /** Session defaults for records that name no database/schema. */
  defaultDatabase?: string;
  defaultSchema?: string;
  /** IANA zone of times the log writes without a zone or with an abbreviation (csvlog log_timezone). */
  timeZone?: string;
  /** Origin id; default `query-log:<absolute path>`. Re-ingesting the same origin replaces it. */
  origin?: string;
  /** Ticks once per byte read; total = file size. */
  progress?: IngestProgress;
  /** Only reported (serviceExecutions); usage keeps raw users and is filtered at query time. */
  serviceUsers?: readonly string[];
  serviceRoles?: readonly string[];
  /** Malformed rows / unparsed statements reported individually (default 20). */
  maxSamples?: number;
  /**
   * The data dir holding every origin's execution ledger (query-log-ledger/): executions another origin
   * already counted are not counted again. Without it, executions are only de-duplicated within the log.
   */
  ledgerDir?: string;
  /** The SQL engine (default parsers/sql analyzeSql). */
  analyzer?: Analyzer;
  now?: () => Date;
}

export interface QueryLogSummary extends AggregateCounts {
  origin: string;
  format: string;
  file: string;
  malformedSamples: { line: number; endLine?: number; reason: string }[];
  columnEdges: number;
  relationEdges: number;
  usageRecords: number;
  temporaryRelations: number;
  /** Relations/columns the graph did not hold before this ingest (this origin also re-states known ones). */
  relationsCreated: number;
  columnsCreated: number;
  /** Executions skipped because another origin's ledger had them (included in `duplicates`). */
  countedElsewhere: number;
  apply: ApplyResult;
}

/** After this many records without one valid query, the file is declared not to be the format. */
const WRONG_FORMAT_PROBE = 20;

/** Where the pipeline looks up what the graph already knows. A LineageStore satisfies it. */
export type KnownGraph = Pick<LineageStore, 'columnsOf' | 'getNodes' | 'origins'>;

export interface QueryLogBuild {
  batch: LineageBatch;
  summary: Omit<QueryLogSummary, 'apply'>;
  /** The executions this log counted, for its ledger (when `ledgerDir` was given). */
  ledger?: { ledgers: QueryLogLedgers; days: LedgerDay[] };
}

/**
 * Reads the whole log and builds the batch without writing anything: `known` supplies the columns of
 * relations the graph already holds (so names join dbt's relations) and which nodes already exist.
 * Phases: check the inputs, fold every record into the aggregator, turn the aggregate into a batch.
 */
export async function buildQueryLogBatch(
  known: KnownGraph,
  file: string,
  options: IngestQueryLogOptions,
): Promise<QueryLogBuild> {
  const format = queryLogFormat(options.format);
  const { path, size } = checkInputs(file, options);
  const originId = options.origin ?? `query-log:${path}`;
  const ledgers =
    options.ledgerDir === undefined
      ? undefined
      : QueryLogLedgers.open(options.ledgerDir, originId, await known.origins());
  const aggregator = newAggregator(known, format, options, ledgers);
  await readLog(path, size, format, aggregator, options);
  const origin: Origin = {
    id: originId,
    provenance: 'query_log',
    label: `${format.name} query log ${path}`,
    ingestedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  const { batch, summary } = await assemble(known, aggregator, origin, path, format.name, ledgers);
  return { batch, summary, ...(ledgers ? { ledger: { ledgers, days: aggregator.executionLedger() } } : {}) };
}

/** The absolute path and size of the log; a bad time zone or a missing file fails before anything is read. */
function checkInputs(file: string, options: IngestQueryLogOptions): { path: string; size: number } {
  if (options.timeZone !== undefined && !isZone(options.timeZone))
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `unknown time zone '${options.timeZone}' (an IANA name, e.g. Europe/Paris)`,
    );
  const path = resolve(file);
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    return { path, size: st.size };
  } catch {
    throw lineageError('LINEAGE_NOT_FOUND', `query log '${file}' does not exist or is not a file`);
  }
}

function newAggregator(
  known: KnownGraph,
  format: QueryLogFormat,
  options: IngestQueryLogOptions,
  ledgers: QueryLogLedgers | undefined,
): QueryLogAggregator {
  const schemaCache = new Map<string, readonly string[] | undefined>();
  return new QueryLogAggregator({
    format,
    platform: options.platform,
    defaultDatabase: options.defaultDatabase,
    defaultSchema: options.defaultSchema,
    analyzer: options.analyzer ?? analyzeSql,
    schema: {
      async columns(key) {
        if (!schemaCache.has(key)) schemaCache.set(key, await schemaOf(known, key));
        return schemaCache.get(key);
      },
    },
    serviceUsers: options.serviceUsers,
    serviceRoles: options.serviceRoles,
    maxSamples: options.maxSamples,
    countedElsewhere: ledgers?.countedElsewhere,
  });
}

/** Streams every record into the aggregator; a file with no valid row among the first ones is the wrong format. */
async function readLog(
  path: string,
  size: number,
  format: QueryLogFormat,
  aggregator: QueryLogAggregator,
  options: IngestQueryLogOptions,
): Promise<void> {
  const progress = options.progress;
  progress?.setTotal(size);
  try {
    let valid = 0;
    const read = { onBytes: (n: number) => progress?.tick(n), timeZone: options.timeZone };
    for await (const rec of format.reader.read(path, read)) {
      await aggregator.add(rec);
      if (rec.kind === 'query') valid++;
      else if (valid === 0 && aggregator.counts.malformed >= WRONG_FORMAT_PROBE)
        throw wrongFormat(format.name, aggregator);
    }
    if (valid === 0 && aggregator.counts.malformed > 0) throw wrongFormat(format.name, aggregator);
  } finally {
    progress?.done();
  }
}

/** The batch of what the log gave (lineage, usage, diagnostics) and the summary of the ingest. */
async function assemble(
  known: KnownGraph,
  aggregator: QueryLogAggregator,
  origin: Origin,
  path: string,
  format: string,
  ledgers: QueryLogLedgers | undefined,
): Promise<{ batch: LineageBatch; summary: Omit<QueryLogSummary, 'apply'> }> {
  const lineage = lineageOf(aggregator.statementStats());
  const wanted = [...neededRelations(lineage), ...neededColumns(lineage)];
  const existing = new Set((await known.getNodes(wanted)).keys());
  const diagnostics = [...rowDiagnostics(aggregator, path), ...(ledgers?.diagnostics ?? [])];
  const usage = aggregator.usageRecords(lineage.temporary);
  const batch = buildBatch({ origin, lineage, usage, diagnostics });
  const isNew = (k: string) => !existing.has(k);
  const summary = {
    origin: origin.id,
    format,
    file: path,
    ...aggregator.counts,
    malformedSamples: aggregator.malformedSamples,
    columnEdges: batch.columnEdges.length,
    relationEdges: batch.relationEdges.length,
    usageRecords: batch.usage.length,
    temporaryRelations: lineage.temporary.size,
    relationsCreated: batch.relations.filter((r) => isNew(r.key)).length,
    columnsCreated: batch.columns.filter((c) => isNew(c.key)).length,
    countedElsewhere: aggregator.countedElsewhere,
  };
  return { batch, summary };
}

/** The first malformed rows (one diagnostic each, at its line), a count of the rest, unparsed statements. */
function rowDiagnostics(aggregator: QueryLogAggregator, path: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = aggregator.malformedSamples.map((m) => ({
    code: 'QUERY_LOG_MALFORMED_ROW',
    severity: 'warning',
    message: m.endLine === undefined ? m.reason : `lines ${m.line}-${m.endLine}: ${m.reason}`,
    where: { file: path, line: m.line },
  }));
  const hidden = aggregator.counts.malformed - aggregator.malformedSamples.length;
  if (hidden > 0)
    diagnostics.push({
      code: 'QUERY_LOG_MALFORMED_ROW',
      severity: 'warning',
      message: `${hidden} more malformed row(s) not listed`,
      where: { file: path },
    });
  diagnostics.push(...aggregator.diagnostics.map((d) => ({ ...d, where: { file: path, ...d.where } })));
  return diagnostics;
}

/**
 * Reads the log, then replaces the origin's previous contribution with one batch (atomic in the store). With
 * `ledgerDir`, the origin's execution ledger is staged before the apply (a full disk fails before the store
 * is touched) and committed after it; a ledger that cannot be committed is a warning in `notable`.
 */
export async function ingestQueryLog(
  store: LineageStore,
  file: string,
  options: IngestQueryLogOptions,
): Promise<QueryLogSummary & { notable: LedgerWarning[] }> {
  const { batch, summary, ledger } = await buildQueryLogBatch(store, file, options);
  const staged = ledger?.ledgers.stage(ledger.days);
  let apply: ApplyResult;
  try {
    apply = await store.applyBatch(batch);
  } catch (err) {
    staged?.discard();
    throw err;
  }
  const notable: LedgerWarning[] = [];
  if (staged) {
    const origin = (await store.origins()).find((o) => o.id === batch.origin.id);
    const failed = origin ? staged.commit(origin.ingestedAt) : (staged.discard(), null);
    if (failed) notable.push(failed);
  }
  return { ...summary, apply, notable };
}

/**
 * A relation's columns as a schema: only when they come from a catalog (typed or ordered columns) or a
 * dbt node. Columns that query logs alone contributed are just the ones some statement touched — using them
 * as the full column list would misattribute unqualified names, and would make a re-ingest of the same log
 * depend on its own previous contribution.
 */
async function schemaOf(known: KnownGraph, key: string): Promise<readonly string[] | undefined> {
  const cols = await known.columnsOf(key);
  if (cols.length === 0) return undefined;
  if (!cols.some((c) => c.dataType !== undefined || c.ordinal !== undefined)) {
    const node = (await known.getNodes([key])).get(key);
    if (!(node?.type === 'relation' && node.node.uniqueId !== undefined)) return undefined;
  }
  return cols.map((c) => c.name);
}

function wrongFormat(format: string, aggregator: QueryLogAggregator) {
  const first = aggregator.malformedSamples[0];
  return lineageError(
    'QUERY_LOG_WRONG_FORMAT',
    `not a ${format} query log: no valid row among the first ${aggregator.counts.malformed}` +
      (first ? ` (line ${first.line}: ${first.reason})` : ''),
    { format },
  );
}
