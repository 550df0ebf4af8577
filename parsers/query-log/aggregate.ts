// Folds a stream of log records into per-statement facts and usage counts. Each distinct statement
// (fingerprint, dialect, session database/schema) is analysed once; every later row only bumps counters.
// Memory is bounded by distinct statements and distinct usage keys (target, access, user, role, day).
import { splitColumnKey } from '../../src/model/identity.ts';
import type { Diagnostic, Platform, UsageRecord } from '../../src/model/lineage.ts';
import { executionHash, HashSet64 } from './executions.ts';
import type { ExecutionSet } from './executions.ts';
import { UsageCounter } from './usage.ts';
import { Fingerprinter } from './fingerprint.ts';
import type { QueryLogFormat } from './formats.ts';
import type { Analyzer, StatementFacts } from './statement.ts';
import { factsFromAccess, factsFromEngine } from './statement.ts';
import type { LogRecord, QueryRecord } from './types.ts';

/** Where already-known columns come from (the graph: dbt's catalog). Empty/undefined = unknown relation. */
export interface SchemaSource {
  columns(relationKey: string): Promise<readonly string[] | undefined>;
}

/**
 * Executions other origins already counted (their query-log ledgers), one UTC day at a time; undefined when
 * none did on that day.
 */
export type CountedElsewhere = (day: string) => Promise<ExecutionSet | undefined>;

/** One UTC day of a ledger: execution hashes as sorted (hi, lo) uint32 pairs. */
export interface LedgerDay {
  day: string;
  pairs: Uint32Array;
}

export interface AggregateOptions {
  format: QueryLogFormat;
  /** Overrides the format's dialect (required knowledge for the generic format without `dialect`). */
  platform?: Platform;
  defaultDatabase?: string;
  defaultSchema?: string;
  analyzer: Analyzer;
  schema: SchemaSource;
  /** Only counted in the summary: usage keeps raw users; exclusion happens at query time. */
  serviceUsers?: readonly string[];
  serviceRoles?: readonly string[];
  /** How many malformed rows / unparsed statements are reported individually. */
  maxSamples?: number;
  /** Default: nothing counted elsewhere. */
  countedElsewhere?: CountedElsewhere;
}

export interface StatementStats {
  facts: StatementFacts;
  /** Interned usage targets of the facts: reads (relations, then columns) and writes. */
  readTargets: number[];
  writeTargets: number[];
  executions: number;
  firstSeen: string;
  lastSeen: string;
}

export interface AggregateCounts {
  /** Records read (queries + malformed); a pg_stat_statements row is one record. */
  records: number;
  /** Successful executions counted for lineage and usage. */
  executions: number;
  failed: number;
  cancelled: number;
  malformed: number;
  /** Session/metadata statements (SET, SHOW, COMMIT…, BigQuery SCRIPT parents) that carry no lineage. */
  skipped: number;
  /** Executions by a configured service user or role (still in usage; excluded at query time). */
  serviceExecutions: number;
  distinctStatements: number;
  unparsedStatements: number;
  /**
   * Executions not counted again: their query id and start time appeared earlier in this log, or another
   * origin's log already counted them (the same export under another path, overlapping exports).
   */
  duplicates: number;
}

/** Statements that never carry lineage or usage, by the warehouse's own statement type. */
const SKIP_TYPES = new Set([
  'SHOW',
  'DESCRIBE',
  'USE',
  'ALTER_SESSION',
  'BEGIN_TRANSACTION',
  'COMMIT',
  'ROLLBACK',
  'SET',
  'UNSET',
  'GET_FILES',
  'PUT_FILES',
  'REMOVE_FILES',
  'LIST_FILES',
  'SCRIPT',
  'UTILITY',
]);
const SKIP_TEXT =
  /^\s*(?:begin|commit|rollback|end|abort|start\s+transaction|savepoint|release|set|reset|show|use|discard|deallocate|listen|notify|unlisten|vacuum|analyze|checkpoint|prepare\s+transaction)\b/i;

export class QueryLogAggregator {
  readonly counts: AggregateCounts = {
    records: 0,
    executions: 0,
    failed: 0,
    cancelled: 0,
    malformed: 0,
    skipped: 0,
    serviceExecutions: 0,
    distinctStatements: 0,
    unparsedStatements: 0,
    duplicates: 0,
  };
  readonly malformedSamples: { line: number; endLine?: number; reason: string }[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly statements = new Map<string, StatementStats>();
  private readonly usage = new UsageCounter();
  private readonly fingerprinter = new Fingerprinter();
  /** Executions (query id + start time) this log accounts for, per UTC day: its ledger. */
  private readonly executionsByDay = new Map<string, HashSet64>();
  private readonly elsewhere = new Map<string, ExecutionSet | undefined>();
  /** Executions skipped because another origin's ledger had them (part of counts.duplicates). */
  countedElsewhere = 0;
  /** Columns from the schema source, cached (undefined = unknown there). */
  private readonly known = new Map<string, readonly string[] | undefined>();
  /** Columns of relations created by statements in this log (CTAS, CREATE VIEW, temp tables). */
  private readonly learned = new Map<string, readonly string[]>();
  private readonly serviceUsers: Set<string>;
  private readonly serviceRoles: Set<string>;
  private readonly maxSamples: number;

  constructor(private readonly options: AggregateOptions) {
    this.serviceUsers = new Set((options.serviceUsers ?? []).map((u) => u.toLowerCase()));
    this.serviceRoles = new Set((options.serviceRoles ?? []).map((r) => r.toLowerCase()));
    this.maxSamples = options.maxSamples ?? 20;
  }

  async add(rec: LogRecord): Promise<void> {
    this.counts.records++;
    switch (rec.kind) {
      case 'malformed':
        this.counts.malformed++;
        if (this.malformedSamples.length < this.maxSamples)
          this.malformedSamples.push(
            rec.endLine === undefined
              ? { line: rec.line, reason: rec.reason }
              : { line: rec.line, endLine: rec.endLine, reason: rec.reason },
          );
        return;
      case 'query':
        switch (await this.duplicateOf(rec)) {
          case 'here':
            this.counts.duplicates += rec.executions;
            return;
          case 'elsewhere':
            // Another origin counted it: its lineage is still this log's, its counts and usage are not.
            this.counts.duplicates += rec.executions;
            this.countedElsewhere += rec.executions;
            return this.addQuery(rec, false);
          case 'new':
            return this.addQuery(rec, true);
        }
        return;
      default:
        return assertNever(rec);
    }
  }

  /**
   * Whether this execution was counted already, earlier in this log or by another origin; a new one is
   * recorded in this log's ledger. Records without a query id cannot be matched and are always new.
   */
  private async duplicateOf(rec: QueryRecord): Promise<'new' | 'here' | 'elsewhere'> {
    if (rec.queryId === undefined) return 'new';
    const day = rec.at.slice(0, 10);
    const hash = executionHash(rec.queryId, rec.at);
    if (!this.elsewhere.has(day)) this.elsewhere.set(day, await this.options.countedElsewhere?.(day));
    let mine = this.executionsByDay.get(day);
    if (mine?.has(hash)) return 'here';
    if (this.elsewhere.get(day)?.has(hash)) return 'elsewhere';
    if (!mine) this.executionsByDay.set(day, (mine = new HashSet64()));
    mine.add(hash);
    return 'new';
  }

  /**
   * The executions this log counted (not those another origin had counted already), per UTC day in day
   * order, as sorted (hi, lo) hash pairs: the origin's ledger, which later ingests of other logs consult.
   */
  executionLedger(): LedgerDay[] {
    return [...this.executionsByDay.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([day, set]) => ({ day, pairs: set.sortedPairs() }));
  }

  /** Folds one execution in; `counted` false = lineage only (another origin counted it). */
  private async addQuery(rec: QueryRecord, counted: boolean): Promise<void> {
    const n = counted ? rec.executions : 0;
    if (rec.status === 'failed') {
      this.counts.failed += n;
      return;
    }
    if (rec.status === 'cancelled') {
      this.counts.cancelled += n;
      return;
    }
    if ((rec.queryType && SKIP_TYPES.has(rec.queryType)) || SKIP_TEXT.test(rec.text)) {
      this.counts.skipped += n;
      return;
    }
    const platform = rec.platform ?? this.options.platform ?? this.options.format.platform ?? 'generic';
    const database = rec.database ?? this.options.defaultDatabase ?? null;
    const schema = rec.schema ?? this.options.defaultSchema ?? this.options.format.defaultSchema ?? null;
    const fp = this.fingerprinter.of(rec.text);
    const cacheKey = `${fp}\u0000${platform}\u0000${database ?? ''}\u0000${schema ?? ''}`;
    let stats = this.statements.get(cacheKey);
    if (!stats) {
      const facts = await this.analyze(rec, fp, platform, { database, schema });
      stats = {
        facts,
        readTargets: [...facts.reads.map((r) => r.key), ...facts.readColumns].map((k) =>
          this.usage.targetId(k),
        ),
        writeTargets: facts.writes.map((w) => this.usage.targetId(w.key)),
        executions: 0,
        firstSeen: rec.at,
        lastSeen: rec.at,
      };
      this.statements.set(cacheKey, stats);
      this.counts.distinctStatements++;
      if (facts.unparsed) {
        this.counts.unparsedStatements++;
        if (this.counts.unparsedStatements <= this.maxSamples)
          this.diagnostics.push({
            code: 'QUERY_LOG_UNPARSED',
            severity: 'warning',
            message: `statement could not be analysed (${facts.diagnostics[0]?.message.slice(0, 200) ?? 'no detail'}): ${rec.text.slice(0, 160).replace(/\s+/g, ' ')}`,
            where: { line: rec.line, statementId: fp },
          });
      }
    }
    if (rec.at < stats.firstSeen) stats.firstSeen = rec.at;
    if (rec.at > stats.lastSeen) stats.lastSeen = rec.at;
    if (!counted) return;
    stats.executions += n;
    this.counts.executions += n;
    const isService =
      this.serviceUsers.has(rec.user.toLowerCase()) ||
      (rec.role !== undefined && this.serviceRoles.has(rec.role.toLowerCase()));
    if (isService) this.counts.serviceExecutions += n;
    const actor = this.usage.actor(rec.user, rec.role, rec.at.slice(0, 10));
    const atMs = Date.parse(rec.at);
    for (const t of stats.readTargets) this.usage.add(t, 'read', actor, n, atMs);
    for (const t of stats.writeTargets) this.usage.add(t, 'write', actor, n, atMs);
  }

  private lookup = {
    columns: (key: string): readonly string[] | undefined => {
      const k = this.known.get(key);
      if (k !== undefined && k.length > 0) return k;
      return this.learned.get(key);
    },
  };

  /** Analyses a new statement; re-analyses once when it names relations whose columns were not fetched yet. */
  private async analyze(
    rec: QueryRecord,
    fp: string,
    platform: Platform,
    defaults: { database: string | null; schema: string | null },
  ): Promise<StatementFacts> {
    const run = async (): Promise<StatementFacts> => {
      const statements = await this.options.analyzer({
        sql: rec.text,
        platform,
        defaultDatabase: defaults.database,
        defaultSchema: defaults.schema,
        schema: this.lookup,
        statementId: fp,
      });
      return factsFromEngine(fp, platform, rec.text, defaults, statements);
    };
    let facts = await run();
    const missing = [...facts.reads, ...facts.writes].map((r) => r.key).filter((k) => !this.known.has(k));
    if (missing.length > 0) {
      let found = false;
      for (const key of new Set(missing)) {
        const cols = await this.options.schema.columns(key);
        this.known.set(key, cols && cols.length > 0 ? cols : undefined);
        if (cols && cols.length > 0) found = true;
      }
      if (found) facts = await run();
    }
    for (const c of facts.created) if (!this.learned.has(c.key)) this.learned.set(c.key, c.columns);
    if (rec.access) facts = factsFromAccess(fp, platform, rec.access, facts);
    return facts;
  }

  /** All statement stats, sorted by fingerprint then cache key (deterministic). */
  statementStats(): StatementStats[] {
    return [...this.statements.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }

  /** Usage records without session-scoped (temporary) targets, sorted by (target, access, user, role, day). */
  usageRecords(temporary: ReadonlySet<string>): UsageRecord[] {
    return this.usage.records(
      (target) => temporary.size > 0 && (temporary.has(target) || temporary.has(relationOfTarget(target))),
    );
  }
}

function relationOfTarget(target: string): string {
  // A column key has one part more than a relation key; relation keys here have 1-3 parts.
  try {
    return splitColumnKey(target).relationKey;
  } catch {
    return target;
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected record: ${JSON.stringify(x)}`);
}
