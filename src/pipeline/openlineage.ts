// OpenLineage ingestion: validated events -> the run ledger -> one batch per touched job -> the store.
//
// Every event is validated before anything is folded or written (a malformed one rejects the whole request or
// file: OPENLINEAGE_INVALID_EVENT, nothing written). Then the events are folded into the run ledger
// (parsers/openlineage/runs.ts), and each job they touched gets its batch rebuilt and applied: the job's origin
// `openlineage:<namespace>/<name>` is replaced (atomic per origin). If the store fails, the ledger entries
// touched are restored, so ledger and store do not drift apart.
//
// The ledger lives with the process that ingests: the API server keeps one per store in memory; the CLI keeps
// it in `<data dir>/openlineage-runs.json`, so successive `lineage ingest openlineage` runs continue runs.
// Ingests into one store are serialized (one at a time per store), so concurrent POSTs cannot interleave.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplyResult, LineageStore } from '../../graph/store.ts';
import {
  buildDatasetBatch,
  buildJobBatch,
  hasColumnLineage,
  identityOf,
  sqlOf,
} from '../../parsers/openlineage/batch.ts';
import { platformOfDialect } from '../../parsers/openlineage/naming.ts';
import {
  emptyLedger,
  foldJobEvent,
  foldRunEvent,
  jobId,
  type JobEntry,
  type LedgerData,
} from '../../parsers/openlineage/runs.ts';
import { SPEC_VERSION, validateEvent, type OpenLineageEvent } from '../../parsers/openlineage/schema.ts';

/** The OpenLineage spec version the event model follows. */
export const OPENLINEAGE_SPEC_VERSION = SPEC_VERSION;
import { analyzeSql, mapSchema, type StatementLineage } from '../../parsers/sql/index.ts';
import { lineageError } from '../errors.ts';
import { columnName } from '../model/identity.ts';
import type { Diagnostic, LineageBatch, Platform } from '../model/lineage.ts';
import { writeFileAtomically } from './atomic-file.ts';

export interface OpenLineageIngestOptions {
  now?: () => Date;
  /** The SQL engine (default parsers/sql analyzeSql). */
  analyzer?: typeof analyzeSql;
}

/** The counts every OpenLineage ingest reports; a file ingest adds them up over its chunks. */
export interface OpenLineageCounts {
  events: number;
  runEvents: number;
  jobEvents: number;
  datasetEvents: number;
  /** Events of runs older than their job's current run (evidence only). */
  lateEvents: number;
  jobs: string[];
  origins: number;
  relations: number;
  columns: number;
  columnEdges: number;
  relationEdges: number;
  evidence: number;
}

/** The numeric fields of OpenLineageCounts, in their order. */
export const COUNTED = [
  'events',
  'runEvents',
  'jobEvents',
  'datasetEvents',
  'lateEvents',
  'origins',
  'relations',
  'columns',
  'columnEdges',
  'relationEdges',
  'evidence',
] as const satisfies readonly Exclude<keyof OpenLineageCounts, 'jobs'>[];

/** Zero counts, keys in report order. */
export function noCounts(): OpenLineageCounts {
  return {
    events: 0,
    runEvents: 0,
    jobEvents: 0,
    datasetEvents: 0,
    lateEvents: 0,
    jobs: [],
    origins: 0,
    relations: 0,
    columns: 0,
    columnEdges: 0,
    relationEdges: 0,
    evidence: 0,
  };
}

export interface OpenLineageSummary extends OpenLineageCounts {
  diagnostics: Diagnostic[];
  apply: ApplyResult[];
  /** Jobs whose batch was the same as the one last written: no store write. */
  unchanged: number;
  /** Time spent building batches (incl. the SQL engine) and in store.applyBatch. */
  timingsMs: { build: number; apply: number };
}

// ------------------------------------------------------------------------------------------------ validation

/** Validates decoded events; the first bad one throws OPENLINEAGE_INVALID_EVENT (`index` = its position). */
export function validateAll(
  values: readonly unknown[],
  where: (i: number) => string = (i) => `event ${i}`,
): OpenLineageEvent[] {
  const out: OpenLineageEvent[] = [];
  values.forEach((v, i) => {
    const r = validateEvent(v);
    if ('invalid' in r)
      throw lineageError('OPENLINEAGE_INVALID_EVENT', `${where(i)}: ${r.invalid.message}`, {
        index: i,
        path: r.invalid.path,
      });
    out.push(r.ok);
  });
  return out;
}

// ------------------------------------------------------------------------------------------------ ledger

export interface Ledger {
  data: LedgerData;
  save(): void;
}

export function memoryLedger(): Ledger {
  return { data: emptyLedger(), save() {} };
}

export const LEDGER_FILE = 'openlineage-runs.json';

/** The CLI's ledger, kept in the data directory. */
export function fileLedger(dataDir: string): Ledger {
  const file = join(dataDir, LEDGER_FILE);
  let data = emptyLedger();
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as LedgerData;
      if (parsed && parsed.version === 1 && parsed.jobs && parsed.children) data = parsed;
    } catch {
      throw lineageError('STORE_CORRUPT', `the OpenLineage run ledger ${file} cannot be read`);
    }
  }
  return {
    data,
    save() {
      mkdirSync(dataDir, { recursive: true });
      writeFileAtomically(file, 'OpenLineage run ledger', () => [JSON.stringify(data)]);
    },
  };
}

// ------------------------------------------------------------------------------------------------ ingest

const queues = new WeakMap<LineageStore, Promise<unknown>>();

/** Runs `fn` after every earlier ingest into `store` finished. */
function serialized<T>(store: LineageStore, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(store) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  queues.set(
    store,
    next.catch(() => undefined),
  );
  return next;
}

/** Folds validated events into `ledger` and replaces the contribution of every job they touched. */
export function ingestOpenLineage(
  store: LineageStore,
  ledger: Ledger,
  events: readonly OpenLineageEvent[],
  options: OpenLineageIngestOptions = {},
): Promise<OpenLineageSummary> {
  return serialized(store, () => ingestNow(store, ledger, events, options));
}

/** One ingest's working state, shared by its phases. */
interface IngestRun {
  store: LineageStore;
  data: LedgerData;
  options: OpenLineageIngestOptions;
  ingestedAt: string;
  summary: OpenLineageSummary;
  /** Jobs whose batch must be rebuilt (sorted when used). */
  dirty: Set<string>;
  /** Dataset events' batches by origin (the last event of a dataset wins). */
  datasetBatches: Map<string, LineageBatch>;
  /** Job batches with their ledger entry and the content hash they write. */
  written: Map<LineageBatch, { entry: JobEntry; hash: string }>;
}

async function ingestNow(
  store: LineageStore,
  ledger: Ledger,
  events: readonly OpenLineageEvent[],
  options: OpenLineageIngestOptions,
): Promise<OpenLineageSummary> {
  const run: IngestRun = {
    store,
    data: ledger.data,
    options,
    ingestedAt: (options.now?.() ?? new Date()).toISOString(),
    summary: {
      ...noCounts(),
      events: events.length,
      diagnostics: [],
      apply: [],
      unchanged: 0,
      timingsMs: { build: 0, apply: 0 },
    },
    dirty: new Set(),
    datasetBatches: new Map(),
    written: new Map(),
  };
  const undo = ledgerUndo(run.data);
  try {
    foldEvents(run, events, undo.touch);
    const t0 = performance.now();
    const batches = await buildBatches(run);
    const t1 = performance.now();
    run.summary.timingsMs.build = Math.round(t1 - t0);
    await applyBatches(run, batches);
    run.summary.timingsMs.apply = Math.round(performance.now() - t1);
    run.summary.origins = batches.length;
    run.summary.jobs = [...run.dirty].sort();
    ledger.save();
    return run.summary;
  } catch (err) {
    undo.restore();
    throw err;
  }
}

/** Remembers each job entry before its first change (`touch`), so a failed ingest can put the ledger back. */
function ledgerUndo(data: LedgerData): { touch(id: string): void; restore(): void } {
  const backup = new Map<string, JobEntry | undefined>();
  const childrenBackup = structuredClone(data.children);
  return {
    touch(id) {
      if (!backup.has(id)) backup.set(id, data.jobs[id] ? structuredClone(data.jobs[id]) : undefined);
    },
    restore() {
      for (const [id, entry] of backup) {
        if (entry) data.jobs[id] = entry;
        else delete data.jobs[id];
      }
      data.children = childrenBackup;
    },
  };
}

/** Folds run and job events into the ledger (marking the jobs to rebuild); dataset events become batches. */
function foldEvents(run: IngestRun, events: readonly OpenLineageEvent[], touch: (id: string) => void): void {
  const { data, summary } = run;
  for (const ev of events) {
    if (ev.type === 'run') {
      summary.runEvents++;
      touch(jobId(ev.event.job));
      for (const child of data.children[ev.event.run.runId.toLowerCase()] ?? []) touch(child);
      const r = foldRunEvent(data, ev.event);
      if (r.late) summary.lateEvents++;
      for (const j of r.dirty) run.dirty.add(j);
    } else if (ev.type === 'job') {
      summary.jobEvents++;
      touch(jobId(ev.event.job));
      for (const j of foldJobEvent(data, ev.event).dirty) run.dirty.add(j);
    } else {
      summary.datasetEvents++;
      const d = ev.event.dataset;
      const facets: Record<string, unknown> = { ...(d.facets ?? {}) };
      const batch = buildDatasetBatch(
        { namespace: d.namespace, name: d.name, facets },
        ev.event.eventTime,
        run.ingestedAt,
        new Set(),
      );
      run.datasetBatches.set(batch.origin.id, batch);
    }
  }
}

/** Rebuilds the batch of every dirty job (then the dataset batches); dbt's fingerprints are left to dbt. */
async function buildBatches(run: IngestRun): Promise<LineageBatch[]> {
  const batches: LineageBatch[] = [];
  for (const id of [...run.dirty].sort()) {
    const entry = run.data.jobs[id];
    if (!entry) continue;
    const input = {
      entry,
      ingestedAt: run.ingestedAt,
      dbtKnown: new Set<string>(),
      sqlLineage: await sqlLineageOf(run.store, entry, run.options),
    };
    // Edge times are when the lineage took its current shape, so a run that changes nothing writes nothing.
    const shape = shapeHash(buildJobBatch({ ...input, seenAt: EPOCH }));
    if (entry.shape?.hash !== shape)
      entry.shape = { hash: shape, since: entry.lineage?.firstEventAt ?? run.ingestedAt };
    const batch = buildJobBatch({ ...input, seenAt: entry.shape.since });
    batches.push(batch);
    run.written.set(batch, { entry, hash: contentHash(batch) });
  }
  batches.push(...run.datasetBatches.values());
  await dropDbtFingerprints(run.store, batches);
  return batches;
}

/** Writes every batch but a job's that is the same as the one it wrote last, and counts what was written. */
async function applyBatches(run: IngestRun, batches: readonly LineageBatch[]): Promise<void> {
  const summary = run.summary;
  for (const batch of batches) {
    const w = run.written.get(batch);
    if (w && w.entry.written === w.hash) {
      summary.unchanged++;
      continue;
    }
    const apply = await run.store.applyBatch(batch);
    if (w) w.entry.written = w.hash;
    summary.apply.push(apply);
    summary.relations += batch.relations.length;
    summary.columns += batch.columns.length;
    summary.columnEdges += batch.columnEdges.length;
    summary.relationEdges += batch.relationEdges.length;
    summary.evidence += batch.evidence.length;
    summary.diagnostics.push(...batch.diagnostics);
  }
}

/** Fingerprints of relations a dbt manifest describes are dbt's (its catalog), not OpenLineage's. */
async function dropDbtFingerprints(store: LineageStore, batches: LineageBatch[]): Promise<void> {
  const keys = [...new Set(batches.flatMap((b) => b.fingerprints.map((f) => f.nodeKey)))];
  if (keys.length === 0) return;
  const nodes = await store.getNodes(keys);
  const dbt = new Set(
    [...nodes].filter(([, n]) => n.type === 'relation' && n.node.uniqueId !== undefined).map(([k]) => k),
  );
  if (dbt.size === 0) return;
  for (const b of batches) b.fingerprints = b.fingerprints.filter((f) => !dbt.has(f.nodeKey));
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** Hash of the lineage sections of a batch (not evidence, diagnostics, origin). */
function shapeHash(b: LineageBatch): string {
  const parts = [
    b.relations,
    b.columns,
    b.columnEdges,
    b.relationEdges,
    b.fingerprints.map((f) => f.columns),
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Hash of everything a batch writes but its origin's label and time. */
function contentHash(b: LineageBatch): string {
  const { origin, ...rest } = b;
  return createHash('sha256')
    .update(JSON.stringify([origin.id, rest]))
    .digest('hex');
}

// ------------------------------------------------------------------------------------------------ SQL

const sqlCache = new Map<string, StatementLineage[]>();
const SQL_CACHE_MAX = 2000;

/** The SQL engine's lineage of a job's `sql` facet, when the job has SQL and no columnLineage. */
async function sqlLineageOf(
  store: LineageStore,
  entry: JobEntry,
  options: OpenLineageIngestOptions,
): Promise<StatementLineage[] | undefined> {
  const run = entry.lineage;
  if (!run || hasColumnLineage(run)) return undefined;
  const sql = sqlOf(run);
  if (!sql) return undefined;
  const outputs = Object.values(run.outputs).map(identityOf);
  const first = outputs[0];
  const platform: Platform = platformOfDialect(sql.dialect) ?? first?.platform ?? 'generic';
  const analyzer = options.analyzer ?? analyzeSql;
  const req = {
    sql: sql.query,
    platform,
    defaultDatabase: first?.database ?? null,
    defaultSchema: first?.schema ?? null,
    statementId: entry.job,
  };
  // Pass 1 finds what the SQL reads; pass 2 resolves it against the columns the event and the graph know.
  const reads = new Set<string>();
  for (const st of await analyzer(req)) for (const r of st.reads) reads.add(r.key);
  const schema = new Map<string, string[]>();
  for (const d of Object.values(run.inputs)) {
    const id = identityOf(d);
    const f = (d.facets.schema as { fields?: { name?: unknown }[] } | undefined)?.fields;
    if (Array.isArray(f) && f.length > 0)
      schema.set(
        id.key,
        f.filter((x) => typeof x?.name === 'string').map((x) => columnName(id.platform, x.name as string)),
      );
  }
  for (const key of reads) {
    if (schema.has(key)) continue;
    const cols = await store.columnsOf(key);
    if (cols.length > 0)
      schema.set(
        key,
        cols.map((c) => c.name),
      );
  }
  const cacheKey = createHash('sha256')
    .update(JSON.stringify([req, [...schema].sort()]))
    .digest('hex');
  const hit = sqlCache.get(cacheKey);
  if (hit) return hit;
  const result = await analyzer({ ...req, schema: mapSchema(schema) });
  if (sqlCache.size >= SQL_CACHE_MAX) sqlCache.delete(sqlCache.keys().next().value as string);
  sqlCache.set(cacheKey, result);
  return result;
}
