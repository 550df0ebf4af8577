// One job's ledger entry -> one LineageBatch (origin `openlineage:<job namespace>/<job name>`). Pure: the SQL
// engine's answer (for a job with a `sql` facet and no columnLineage) and what the graph already knows are
// passed in by src/pipeline/openlineage.ts.
//
//   datasets (inputs, outputs)        relations (kind table; storage paths: external) + their columns
//   schema facet                      columns (type, description, ordinal), and a fingerprint per output
//                                     (the history root cause compares: columns added/dropped/retyped) —
//                                     not for relations a dbt manifest describes (dbt's catalog owns those)
//   columnLineage fields              column edges, kind = the transformation subtype (IDENTITY, …, CONDITIONAL)
//   columnLineage dataset             INDIRECT edges from the field to every column of that output
//   every input x every output        relation edges (the job reads the input to write the output)
//   sql facet, no columnLineage       the SQL engine's edges (confidence as the engine says)
//   FAIL / ABORT / late runs          evidence on the run's outputs (run_failed / run_aborted / run_late)
import type {
  ColumnEdge,
  ColumnNode,
  Confidence,
  Diagnostic,
  Evidence,
  Fingerprint,
  LineageBatch,
  Origin,
  RelationEdge,
  RelationKey,
  RelationNode,
  TransformKind,
} from '../../src/model/lineage.ts';
import { DIRECT_KINDS, TRANSFORM_KINDS, emptyBatch } from '../../src/model/lineage.ts';
import { columnKey, splitKey } from '../../src/model/identity.ts';
import { withoutOversizedKeys } from '../../src/model/key-size.ts';
import { namedRelation } from '../relation-node.ts';
import type { StatementLineage } from '../sql/index.ts';
import { datasetIdentity, fieldName, type DatasetIdentity } from './naming.ts';
import type { DatasetAccum, JobEntry, RunAccum, RunRecord } from './runs.ts';
import { lateness } from './runs.ts';
import {
  columnLineageFacet,
  documentationFacet,
  readFacet,
  schemaFacet,
  sqlFacet,
  symlinksFacet,
  type InputField,
} from './schema.ts';

export const ORIGIN_PREFIX = 'openlineage:';
export const MAX_ERROR_CHARS = 500;

export function originIdOf(job: string): string {
  return `${ORIGIN_PREFIX}${job}`;
}

export interface BuildInput {
  entry: JobEntry;
  ingestedAt: string;
  /** Relations a dbt manifest describes (no fingerprints from OpenLineage for them). */
  dbtKnown: ReadonlySet<RelationKey>;
  /** The SQL engine's lineage of the lineage run's `sql` facet, when it has one and no columnLineage. */
  sqlLineage?: StatementLineage[];
  /** Edge firstSeen/lastSeen and fingerprint time (default: the lineage run's first and last event times). */
  seenAt?: string;
}

export function identityOf(d: {
  namespace: string;
  name: string;
  facets?: Record<string, unknown>;
}): DatasetIdentity {
  const sym = readFacet(d.facets, 'symlinks', symlinksFacet);
  return datasetIdentity(d.namespace, d.name, sym && 'ok' in sym ? sym.ok.identifiers : undefined);
}

/** The SQL of a run's `sql` job facet, when it has one. */
export function sqlOf(run: RunAccum): { query: string; dialect?: string } | undefined {
  const f = readFacet(run.jobFacets, 'sql', sqlFacet);
  if (!f || !('ok' in f) || f.ok.query.trim() === '') return undefined;
  return { query: f.ok.query, dialect: f.ok.dialect ?? undefined };
}

/** Whether any output of the run carries a (well-formed) columnLineage facet. */
export function hasColumnLineage(run: RunAccum): boolean {
  return Object.values(run.outputs).some((o) => {
    const f = readFacet(o.facets, 'columnLineage', columnLineageFacet);
    return f !== undefined && 'ok' in f;
  });
}

/** OpenLineage transformation (type, subtype) -> our edge kind. */
export function kindOf(
  type: string,
  subtype: string | null | undefined,
): { kind: TransformKind; known: boolean } {
  const sub = (subtype ?? '').toUpperCase();
  const t = type.toUpperCase();
  if ((TRANSFORM_KINDS as readonly string[]).includes(sub)) {
    const kind = sub as TransformKind;
    const direct = (DIRECT_KINDS as readonly string[]).includes(kind);
    if ((t === 'DIRECT' && direct) || (t === 'INDIRECT' && !direct) || (t !== 'DIRECT' && t !== 'INDIRECT'))
      return { kind, known: true };
  }
  if (t === 'INDIRECT') return { kind: 'FILTER', known: false };
  return { kind: 'TRANSFORMATION', known: sub === '' && t === 'DIRECT' };
}

class Builder {
  readonly relations = new Map<RelationKey, RelationNode>();
  readonly columns = new Map<string, ColumnNode>();
  readonly columnEdges = new Map<string, ColumnEdge>();
  readonly relationEdges = new Map<string, RelationEdge>();
  readonly diagnostics: Diagnostic[] = [];
  readonly evidence: Evidence[] = [];
  readonly fingerprints: Fingerprint[] = [];

  constructor(
    readonly job: string,
    readonly firstSeen: string,
    readonly lastSeen: string,
  ) {}

  relation(id: DatasetIdentity, description?: string): RelationNode {
    let r = this.relations.get(id.key);
    if (!r) {
      r = namedRelation(id, id.kind, id.platform);
      this.relations.set(id.key, r);
    }
    if (description && r.description === undefined) r.description = description;
    return r;
  }

  /** A column of `rel`; `name` as the emitter wrote it, or already folded when `folded` is set. */
  column(rel: DatasetIdentity, name: string, extra: Partial<ColumnNode> = {}, folded = false): string {
    const fold = folded ? name : fieldName(rel.platform, name);
    const key = columnKey(rel.key, fold);
    const c = this.columns.get(key);
    if (!c) {
      this.columns.set(key, {
        key,
        relationKey: rel.key,
        name: fold,
        displayName: name,
        tags: [],
        ...stripNullish(extra),
      });
    } else {
      for (const [k, v] of Object.entries(stripNullish(extra)))
        if ((c as unknown as Record<string, unknown>)[k] === undefined)
          (c as unknown as Record<string, unknown>)[k] = v;
    }
    return key;
  }

  edge(from: string, to: string, kind: TransformKind, confidence: Confidence): void {
    const k = `${from}\u0000${to}\u0000${kind}`;
    if (this.columnEdges.has(k)) return;
    this.columnEdges.set(k, {
      from,
      to,
      kind,
      provenance: 'openlineage',
      confidence,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      queryCount: 1,
      statementId: this.job,
    });
  }

  relationEdge(from: RelationKey, to: RelationKey): void {
    if (from === to) return;
    const k = `${from}\u0000${to}`;
    if (this.relationEdges.has(k)) return;
    this.relationEdges.set(k, {
      from,
      to,
      provenance: 'openlineage',
      confidence: 'EXACT',
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      queryCount: 1,
      statementId: this.job,
    });
  }

  diag(code: Diagnostic['code'], severity: Diagnostic['severity'], message: string, nodeKey?: string): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      where: { statementId: this.job, ...(nodeKey ? { nodeKey } : {}) },
    });
  }
}

function stripNullish<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}

/** Adds a dataset (relation, its schema-facet columns); returns its identity and folded column names. */
function addDataset(b: Builder, d: DatasetAccum): { id: DatasetIdentity; columns: string[] } {
  const id = identityOf(d);
  const doc = readFacet(d.facets, 'documentation', documentationFacet);
  b.relation(id, doc && 'ok' in doc ? doc.ok.description : undefined);
  const columns: string[] = [];
  const schema = readFacet(d.facets, 'schema', schemaFacet);
  if (schema && 'bad' in schema)
    b.diag(
      'OPENLINEAGE_BAD_FACET',
      'warning',
      `schema facet of ${d.namespace}/${d.name} ignored: ${schema.bad}`,
      id.key,
    );
  if (schema && 'ok' in schema) {
    (schema.ok.fields ?? []).forEach((f, i) => {
      const key = b.column(id, f.name, {
        dataType: f.type ?? undefined,
        description: f.description ?? undefined,
        ordinal: f.ordinal_position ?? i + 1,
      });
      columns.push(key);
    });
  }
  return { id, columns };
}

function fingerprintOf(
  b: Builder,
  id: DatasetIdentity,
  d: DatasetAccum,
  at: string,
  originId: string,
): Fingerprint | null {
  const schema = readFacet(d.facets, 'schema', schemaFacet);
  if (!schema || !('ok' in schema) || !schema.ok.fields || schema.ok.fields.length === 0) return null;
  return {
    nodeKey: id.key,
    at,
    originId,
    columns: schema.ok.fields.map((f) => ({
      name: fieldName(id.platform, f.name),
      ...(f.type ? { dataType: f.type } : {}),
    })),
  };
}

function addColumnLineage(
  b: Builder,
  run: RunAccum,
  out: DatasetAccum,
  outId: DatasetIdentity,
  outColumns: string[],
): boolean {
  const facet = readFacet(out.facets, 'columnLineage', columnLineageFacet);
  if (!facet) return false;
  if ('bad' in facet) {
    b.diag(
      'OPENLINEAGE_BAD_FACET',
      'warning',
      `columnLineage facet of ${out.namespace}/${out.name} ignored: ${facet.bad}`,
      outId.key,
    );
    return false;
  }
  const sourceOf = (f: InputField) => {
    const input = run.inputs[`${f.namespace}\u0000${f.name}`];
    const id = identityOf(input ?? { namespace: f.namespace, name: f.name });
    b.relation(id);
    return { id, key: b.column(id, f.field) };
  };
  const unknownKinds = new Set<string>();
  const targets = new Set(outColumns);
  for (const [field, spec] of Object.entries(facet.ok.fields)) {
    const to = b.column(outId, field);
    targets.add(to);
    for (const f of spec.inputFields) {
      const src = sourceOf(f);
      b.relationEdge(src.id.key, outId.key);
      const ts = f.transformations ?? [];
      if (ts.length === 0) {
        // facet 1-0-x: one transformationType for the field, IDENTITY or MASKED, often absent
        const legacy = (spec.transformationType ?? '').toUpperCase();
        b.edge(src.key, to, legacy === 'IDENTITY' ? 'IDENTITY' : 'TRANSFORMATION', 'INFERRED');
        continue;
      }
      for (const t of ts) {
        const { kind, known } = kindOf(t.type, t.subtype);
        if (!known) unknownKinds.add(`${t.type}/${t.subtype ?? ''}`);
        b.edge(src.key, to, kind, 'EXACT');
      }
    }
  }
  for (const f of facet.ok.dataset ?? []) {
    const src = sourceOf(f);
    b.relationEdge(src.id.key, outId.key);
    const ts = f.transformations?.length ? f.transformations : [{ type: 'INDIRECT', subtype: null }];
    for (const t of ts) {
      const { kind, known } = kindOf(t.type, t.subtype);
      if (!known) unknownKinds.add(`${t.type}/${t.subtype ?? ''}`);
      for (const to of targets) b.edge(src.key, to, kind, 'EXACT');
    }
  }
  if (unknownKinds.size > 0)
    b.diag(
      'OPENLINEAGE_UNKNOWN_TRANSFORMATION',
      'info',
      `transformation types not in the taxonomy, read as TRANSFORMATION (DIRECT) or FILTER (INDIRECT): ${[...unknownKinds].sort().join(', ')}`,
      outId.key,
    );
  return true;
}

function addSqlLineage(
  b: Builder,
  statements: readonly StatementLineage[],
  outputs: { id: DatasetIdentity; columns: string[] }[],
): void {
  for (const st of statements) {
    for (const d of st.diagnostics) b.diagnostics.push({ ...d, where: { ...d.where, statementId: b.job } });
    const target =
      (st.write && outputs.find((o) => o.id.key === st.write!.key)) ??
      (outputs.length === 1 ? outputs[0] : undefined);
    if (!target || st.columns.length === 0) continue;
    const platform = target.id.platform;
    const srcRel = (t: { key: string; displayName: string }): DatasetIdentity => {
      const rel = b.relations.get(t.key);
      if (rel) return { ...rel, namespace: '', olName: '' };
      const parts = splitKey(t.key);
      const id: DatasetIdentity = {
        key: t.key,
        name: parts[parts.length - 1] ?? t.key,
        schema: parts.length >= 2 ? parts[parts.length - 2] : null,
        database: parts.length >= 3 ? parts[parts.length - 3] : null,
        displayName: t.displayName,
        platform,
        kind: 'table',
        namespace: '',
        olName: '',
      };
      b.relation(id);
      return id;
    };
    const src = (t: { key: string; displayName: string }, column: string) => {
      const id = srcRel(t);
      b.relationEdge(id.key, target.id.key);
      return b.column(id, column, {}, true);
    };
    const confidence: Confidence = st.confidence === 'EXACT' ? 'EXACT' : 'INFERRED';
    const outCols: string[] = [];
    for (const c of st.columns) {
      const to = b.column(target.id, c.name, { displayName: c.displayName }, true);
      outCols.push(to);
      for (const s of c.sources) b.edge(src(s.table, s.column), to, s.kind, confidence);
    }
    for (const s of st.indirect) {
      const from = src(s.table, s.column);
      for (const to of outCols) b.edge(from, to, s.kind, confidence);
    }
    for (const r of st.reads) b.relationEdge(srcRel(r).key, target.id.key);
  }
}

function runEvidence(b: Builder, entry: JobEntry, outputsOf: (r: RunRecord) => DatasetIdentity[]): void {
  for (const r of entry.runs) {
    const targets = outputsOf(r);
    const subject = `${entry.job}#${r.runId}`;
    const parent = r.parent ? ` (parent ${r.parent.job} run ${r.parent.runId})` : '';
    const add = (kind: Evidence['kind'], at: string, message: string) => {
      if (targets.length === 0) {
        b.diag(
          'OPENLINEAGE_RUN_WITHOUT_DATASETS',
          'info',
          `run ${r.runId} ${kind}: no output dataset known to attach it to`,
        );
        return;
      }
      for (const t of targets) {
        b.relation(t);
        b.evidence.push({ nodeKey: t.key, kind, at, message, subject });
      }
    };
    if (r.state === 'FAIL' || r.state === 'ABORT') {
      const err = r.error ? `: ${truncate(r.error)}` : '';
      add(
        r.state === 'FAIL' ? 'run_failed' : 'run_aborted',
        r.endedAt ?? r.lastEventAt,
        `job ${entry.job} run ${r.runId} ${r.state === 'FAIL' ? 'failed' : 'aborted'}${err}${parent}`,
      );
    } else if (r.parentFailed && !(r.state === 'COMPLETE')) {
      const p = r.parentFailed;
      add(
        p.state === 'FAIL' ? 'run_failed' : 'run_aborted',
        p.at,
        `job ${entry.job} run ${r.runId} did not finish: its parent ${p.job} run ${p.runId} ${p.state === 'FAIL' ? 'failed' : 'aborted'}${p.error ? `: ${truncate(p.error)}` : ''}`,
      );
    }
    if (r.state === 'COMPLETE' || r.state === 'FAIL') {
      const late = lateness(r, entry.runs);
      if (late)
        add(
          'run_late',
          r.endedAt ?? r.lastEventAt,
          late.kind === 'duration'
            ? `job ${entry.job} run ${r.runId} took ${fmtMs(late.actualMs)}, usually ${fmtMs(late.usualMs)} (median of earlier runs)${parent}`
            : `job ${entry.job} run ${r.runId} started ${fmtMs(late.actualMs)} after its nominal time, usually ${fmtMs(late.usualMs)}${parent}`,
        );
    }
  }
}

function truncate(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_ERROR_CHARS ? `${one.slice(0, MAX_ERROR_CHARS)}…` : one;
}

function fmtMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.round((m / 60) * 10) / 10}h`;
}

/** The job's batch: its lineage run's datasets and edges, and its runs' evidence. */
export function buildJobBatch(input: BuildInput): LineageBatch {
  const { entry } = input;
  const originId = originIdOf(entry.job);
  const run = entry.lineage;
  const b = new Builder(
    entry.job,
    input.seenAt ?? run?.firstEventAt ?? input.ingestedAt,
    input.seenAt ?? run?.lastEventAt ?? input.ingestedAt,
  );
  const origin: Origin = {
    id: originId,
    provenance: 'openlineage',
    label: `OpenLineage job ${entry.job}${run ? ` (run ${run.runId}, ${run.producer})` : ''}`,
    ingestedAt: input.ingestedAt,
  };
  if (run) {
    const inputs = Object.values(run.inputs).map((d) => addDataset(b, d));
    const outputs = Object.values(run.outputs).map((d) => ({ d, ...addDataset(b, d) }));
    for (const i of inputs) for (const o of outputs) b.relationEdge(i.id.key, o.id.key);
    let anyColumnLineage = false;
    for (const o of outputs)
      anyColumnLineage = addColumnLineage(b, run, o.d, o.id, o.columns) || anyColumnLineage;
    if (!anyColumnLineage && input.sqlLineage) addSqlLineage(b, input.sqlLineage, outputs);
    for (const o of outputs) {
      if (input.dbtKnown.has(o.id.key)) continue;
      const fp = fingerprintOf(b, o.id, o.d, input.seenAt ?? run.lastEventAt, originId);
      if (fp) b.fingerprints.push(fp);
    }
  }
  const known = new Map<string, DatasetIdentity>();
  const lineageOutputs = run ? Object.values(run.outputs).map(identityOf) : [];
  runEvidence(b, entry, (r) => {
    const list = r.outputs.map((o) => {
      const k = `${o.namespace}\u0000${o.name}`;
      let id = known.get(k);
      if (!id) {
        const acc = run?.outputs[k];
        id = identityOf(acc ?? o);
        known.set(k, id);
      }
      return id;
    });
    return list.length > 0 ? list : lineageOutputs;
  });
  const batch = emptyBatch(origin);
  const byKey = <T extends { key: string }>(m: Map<string, T>) =>
    [...m.values()].sort((x, y) => cmp(x.key, y.key));
  batch.relations = byKey(b.relations);
  batch.columns = byKey(b.columns);
  batch.columnEdges = [...b.columnEdges.values()].sort(
    (x, y) => cmp(x.from, y.from) || cmp(x.to, y.to) || cmp(x.kind, y.kind),
  );
  batch.relationEdges = [...b.relationEdges.values()].sort((x, y) => cmp(x.from, y.from) || cmp(x.to, y.to));
  batch.evidence = b.evidence;
  batch.fingerprints = b.fingerprints;
  batch.diagnostics = b.diagnostics;
  return withoutOversizedKeys(batch);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A DatasetEvent: the dataset and its schema-facet columns, origin `openlineage-dataset:<ns>/<name>`. */
export function buildDatasetBatch(
  d: DatasetAccum,
  at: string,
  ingestedAt: string,
  dbtKnown: ReadonlySet<RelationKey>,
): LineageBatch {
  const originId = `openlineage-dataset:${d.namespace}/${d.name}`;
  const b = new Builder(`${d.namespace}/${d.name}`, at, at);
  const { id } = addDataset(b, d);
  const batch = emptyBatch({
    id: originId,
    provenance: 'openlineage',
    label: `OpenLineage dataset ${d.namespace}/${d.name}`,
    ingestedAt,
  });
  batch.relations = [...b.relations.values()];
  batch.columns = [...b.columns.values()].sort((x, y) => cmp(x.key, y.key));
  if (!dbtKnown.has(id.key)) {
    const fp = fingerprintOf(b, id, d, at, originId);
    if (fp) batch.fingerprints = [fp];
  }
  batch.diagnostics = b.diagnostics;
  return withoutOversizedKeys(batch);
}
