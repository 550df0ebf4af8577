// The run ledger: what this service remembers of each job's runs, folded from events one by one. Pure data
// (JSON-serializable), no store.
//
// Semantics (docs/openlineage.md "Runs and replace semantics"):
//   - Events of one run (same runId) accumulate: datasets are unioned by (namespace, name), facets merge per
//     facet name (the later event's facet wins), job and run facets likewise. The run's state is its latest
//     START/RUNNING/COMPLETE/FAIL/ABORT (OTHER never changes it; a terminal state is not undone by RUNNING).
//   - A job's lineage is its latest run that named outputs: a new run replaces the job's lineage as soon as
//     it names an output, so a START with only inputs does not blank the job.
//   - An event of an older run (its time before the current run's start) updates that run's record (a late
//     FAIL still becomes evidence) and never the lineage.
//   - The last MAX_RUNS runs per job are kept as records: state, times, error message, outputs, parent.
import type { EventType, OlDataset, OlJob, ParentFacet, RunEvent } from './schema.ts';
import { errorMessageFacet, nominalTimeFacet, parentFacet, readFacet } from './schema.ts';

export const MAX_RUNS = 20;
export const TERMINAL: ReadonlySet<string> = new Set(['COMPLETE', 'FAIL', 'ABORT']);

export interface DatasetAccum {
  namespace: string;
  name: string;
  facets: Record<string, unknown>;
}

export interface RunAccum {
  runId: string;
  job: { namespace: string; name: string };
  producer: string;
  jobFacets: Record<string, unknown>;
  runFacets: Record<string, unknown>;
  /** Keyed by `namespace\u0000name`. */
  inputs: Record<string, DatasetAccum>;
  outputs: Record<string, DatasetAccum>;
  /** When the lineage was observed: first and last event times of the run. */
  firstEventAt: string;
  lastEventAt: string;
}

export interface RunRecord {
  runId: string;
  state: EventType | null;
  startedAt?: string;
  endedAt?: string;
  nominalStartAt?: string;
  lastEventAt: string;
  error?: string;
  /** Output datasets (namespace, name) the run named. */
  outputs: { namespace: string; name: string }[];
  parent?: { job: string; runId: string };
  /** Set when the parent run failed or aborted while this run had no terminal state. */
  parentFailed?: { job: string; runId: string; state: string; at: string; error?: string };
}

export interface JobEntry {
  /** `namespace/name`. */
  job: string;
  /** The run that defines the job's lineage (latest run with outputs), if any. */
  lineage: RunAccum | null;
  /** The latest run seen (may have no outputs yet). */
  current: RunAccum | null;
  /** Newest first, at most MAX_RUNS. */
  runs: RunRecord[];
  /**
   * The shape of the job's lineage (hash of its relations, columns, edges, fingerprint columns) and since when
   * it has had it: edge and fingerprint times are `since`, so a run that changes nothing writes nothing.
   */
  shape?: { hash: string; since: string };
  /** Hash of the last batch written for the job (skip the write when the next one is the same). */
  written?: string;
}

export interface LedgerData {
  version: 1;
  jobs: Record<string, JobEntry>;
  /** parent runId -> child job ids, for parent-failure propagation. */
  children: Record<string, string[]>;
}

export function emptyLedger(): LedgerData {
  return { version: 1, jobs: {}, children: {} };
}

export function jobId(job: Pick<OlJob, 'namespace' | 'name'>): string {
  return `${job.namespace}/${job.name}`;
}

function datasetKey(d: { namespace: string; name: string }): string {
  return `${d.namespace}\u0000${d.name}`;
}

function mergeFacets(into: Record<string, unknown>, from: Record<string, unknown> | null | undefined): void {
  if (!from) return;
  for (const [k, v] of Object.entries(from)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && (v as { _deleted?: unknown })._deleted === true) delete into[k];
    else into[k] = v;
  }
}

function mergeDatasets(
  into: Record<string, DatasetAccum>,
  list: readonly OlDataset[] | null | undefined,
): void {
  for (const d of list ?? []) {
    const k = datasetKey(d);
    const acc = (into[k] ??= { namespace: d.namespace, name: d.name, facets: {} });
    mergeFacets(acc.facets, d.facets);
    mergeFacets(acc.facets, d.inputFacets);
    mergeFacets(acc.facets, d.outputFacets);
  }
}

/** An empty accumulation for one run (or a job event's pseudo-run) of the event's job. */
function newAccum(runId: string, e: Pick<RunEvent, 'job' | 'producer' | 'eventTime'>): RunAccum {
  return {
    runId,
    job: { namespace: e.job.namespace, name: e.job.name },
    producer: e.producer,
    jobFacets: {},
    runFacets: {},
    inputs: {},
    outputs: {},
    firstEventAt: e.eventTime,
    lastEventAt: e.eventTime,
  };
}

function time(s: string): number {
  return Date.parse(s);
}

function foldInto(acc: RunAccum, e: RunEvent): void {
  acc.producer = e.producer;
  mergeFacets(acc.jobFacets, e.job.facets);
  mergeFacets(acc.runFacets, e.run.facets);
  mergeDatasets(acc.inputs, e.inputs);
  mergeDatasets(acc.outputs, e.outputs);
  if (time(e.eventTime) < time(acc.firstEventAt)) acc.firstEventAt = e.eventTime;
  if (time(e.eventTime) > time(acc.lastEventAt)) acc.lastEventAt = e.eventTime;
}

function foldRecord(rec: RunRecord, e: RunEvent): void {
  const type = e.eventType ?? 'OTHER';
  const t = e.eventTime;
  if (time(t) > time(rec.lastEventAt)) rec.lastEventAt = t;
  if (type === 'START' && (rec.startedAt === undefined || time(t) < time(rec.startedAt))) rec.startedAt = t;
  if (TERMINAL.has(type)) {
    rec.state = type;
    rec.endedAt = t;
  } else if (type !== 'OTHER' && !(rec.state && TERMINAL.has(rec.state))) rec.state = type;
  const err = readFacet(e.run.facets, 'errorMessage', errorMessageFacet);
  if (err && 'ok' in err) rec.error = err.ok.message;
  const nominal = readFacet(e.run.facets, 'nominalTime', nominalTimeFacet);
  if (nominal && 'ok' in nominal && !Number.isNaN(Date.parse(nominal.ok.nominalStartTime)))
    rec.nominalStartAt = nominal.ok.nominalStartTime;
  for (const o of e.outputs ?? [])
    if (!rec.outputs.some((x) => x.namespace === o.namespace && x.name === o.name))
      rec.outputs.push({ namespace: o.namespace, name: o.name });
  const parent = parentOf(e);
  if (parent) rec.parent = parent;
}

/** The parent run (`parent` facet; Airflow 1.x clients sent it as `parentRun`). */
export function parentOf(e: RunEvent): { job: string; runId: string } | undefined {
  for (const name of ['parent', 'parentRun']) {
    const p = readFacet(e.run.facets, name, parentFacet);
    if (p && 'ok' in p) return { job: jobId((p.ok as ParentFacet).job), runId: p.ok.run.runId.toLowerCase() };
  }
  return undefined;
}

export interface FoldResult {
  /** Jobs whose contribution changed (their batch must be rebuilt). */
  dirty: string[];
  /** The event belonged to an older run: recorded as run evidence, not lineage. */
  late: boolean;
}

/** Folds one RunEvent into the ledger (mutates it). */
export function foldRunEvent(ledger: LedgerData, e: RunEvent): FoldResult {
  const id = jobId(e.job);
  const entry = (ledger.jobs[id] ??= { job: id, lineage: null, current: null, runs: [] });
  const runId = e.run.runId.toLowerCase();
  const dirty = new Set<string>([id]);
  let late = false;
  let rec = entry.runs.find((r) => r.runId === runId);
  if (entry.current && entry.current.runId === runId) {
    foldInto(entry.current, e);
  } else if (rec) {
    late = true; // an event of an earlier run of this job: evidence only
  } else if (entry.current && time(e.eventTime) < time(entry.current.firstEventAt)) {
    late = true; // an older run we had not seen: record it, keep the lineage
  } else {
    entry.current = newAccum(e.run.runId.toLowerCase(), e);
    foldInto(entry.current, e);
  }
  if (!rec) {
    rec = { runId, state: null, lastEventAt: e.eventTime, outputs: [] };
    entry.runs.push(rec);
  }
  foldRecord(rec, e);
  entry.runs.sort((a, b) => time(b.startedAt ?? b.lastEventAt) - time(a.startedAt ?? a.lastEventAt));
  for (const dropped of entry.runs.splice(MAX_RUNS)) forgetChild(ledger, dropped, id);
  if (!late && entry.current && Object.keys(entry.current.outputs).length > 0) entry.lineage = entry.current;

  if (rec.parent) {
    const list = (ledger.children[rec.parent.runId] ??= []);
    if (!list.includes(id)) list.push(id);
  }
  // A failed or aborted run fails the runs of its children that never finished.
  const type = e.eventType ?? 'OTHER';
  if (type === 'FAIL' || type === 'ABORT') {
    for (const childJob of ledger.children[runId] ?? []) {
      const child = ledger.jobs[childJob];
      if (!child) continue;
      for (const r of child.runs)
        if (r.parent?.runId === runId && !(r.state && TERMINAL.has(r.state))) {
          r.parentFailed = { job: id, runId, state: type, at: e.eventTime, error: rec.error };
          dirty.add(childJob);
        }
    }
  }
  return { dirty: [...dirty], late };
}

function forgetChild(ledger: LedgerData, rec: RunRecord, id: string): void {
  if (!rec.parent) return;
  const list = ledger.children[rec.parent.runId];
  if (!list) return;
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) delete ledger.children[rec.parent.runId];
}

/** A JobEvent (static lineage, no run) replaces the job's lineage. */
export function foldJobEvent(
  ledger: LedgerData,
  e: {
    eventTime: string;
    producer: string;
    job: OlJob;
    inputs?: OlDataset[] | null;
    outputs?: OlDataset[] | null;
  },
): FoldResult {
  const id = jobId(e.job);
  const entry = (ledger.jobs[id] ??= { job: id, lineage: null, current: null, runs: [] });
  const acc = newAccum('job-event', e);
  mergeFacets(acc.jobFacets, e.job.facets);
  mergeDatasets(acc.inputs, e.inputs);
  mergeDatasets(acc.outputs, e.outputs);
  entry.lineage = acc;
  return { dirty: [id], late: false };
}

// ------------------------------------------------------------------------------------------------ lateness

/** A run is late when it took more than LATE_FACTOR × the median of the job's earlier completed runs. */
export const LATE_FACTOR = 2;
/** …and at least this much longer (so a 3 s job taking 7 s is not "late"). */
export const LATE_MIN_EXTRA_MS = 60_000;
/** Earlier completed runs needed before lateness is judged. */
export const LATE_MIN_HISTORY = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Lateness {
  kind: 'duration' | 'start';
  actualMs: number;
  usualMs: number;
}

/**
 * Whether `rec` (a finished run) was late against the runs after it in `runs` (older, newest first):
 * by duration (START to COMPLETE/FAIL), or by start delay after its nominal start time (nominalTime facet).
 */
export function lateness(rec: RunRecord, runs: readonly RunRecord[]): Lateness | null {
  const older = runs.filter(
    (r) =>
      r !== rec &&
      r.state === 'COMPLETE' &&
      time(r.startedAt ?? r.lastEventAt) < time(rec.startedAt ?? rec.lastEventAt),
  );
  const dur = (r: RunRecord) => (r.startedAt && r.endedAt ? time(r.endedAt) - time(r.startedAt) : null);
  const delay = (r: RunRecord) =>
    r.startedAt && r.nominalStartAt ? time(r.startedAt) - time(r.nominalStartAt) : null;
  const d = dur(rec);
  if (d !== null) {
    const prev = older
      .map(dur)
      .filter((x): x is number => x !== null)
      .slice(0, 10);
    if (prev.length >= LATE_MIN_HISTORY) {
      const usual = median(prev);
      if (d > LATE_FACTOR * usual && d - usual >= LATE_MIN_EXTRA_MS)
        return { kind: 'duration', actualMs: d, usualMs: usual };
    }
  }
  const s = delay(rec);
  if (s !== null) {
    const prev = older
      .map(delay)
      .filter((x): x is number => x !== null)
      .slice(0, 10);
    if (prev.length >= LATE_MIN_HISTORY) {
      const usual = median(prev);
      if (s > LATE_FACTOR * Math.max(usual, 0) && s - usual >= LATE_MIN_EXTRA_MS)
        return { kind: 'start', actualMs: s, usualMs: usual };
    }
  }
  return null;
}
