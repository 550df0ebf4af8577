// `lineage export openlineage`: the graph's edges as OpenLineage events, so the graph can seed another catalog
// (Marquez, DataHub, OpenMetadata) or another lineage service. One COMPLETE RunEvent (spec 2-0-2) per relation
// that has upstream lineage — a dbt model, a job's output, a query-log target:
//   job      namespace `lineage-graph`, name = the dbt unique_id, else the relation key
//   run      a UUID derived from the job name (stable across exports, so re-importing replaces, not adds)
//   inputs   the relations it reads (relation adjacency)
//   outputs  the relation, with a `schema` facet (columns, types) and a `columnLineage` facet (1-2-0): each
//            column's upstream columns with their transformations (DIRECT/INDIRECT + subtype = our edge kind)
// Datasets are named back through the naming rules (parsers/openlineage/naming.ts): a namespace for the
// platform (hosts are not kept, so a placeholder host) and the key's parts as the name. Every event is
// validated against the same model the ingest uses before it is written.
import { createHash } from 'node:crypto';
import type { AnyNode, LineageStore } from '../../graph/store.ts';
import { namespaceOfPlatform } from '../../parsers/openlineage/naming.ts';
import { SPEC_VERSION, validateEvent } from '../../parsers/openlineage/schema.ts';
import { lineageError } from '../errors.ts';
import { keyPart, splitKey } from '../model/identity.ts';
import type { ColumnNode, RelationNode, TransformKind } from '../model/lineage.ts';
import { isDirectKind } from '../model/lineage.ts';

export const EXPORT_JOB_NAMESPACE = 'lineage-graph';
export const EXPORT_PRODUCER = 'urn:lineage-graph:export';
const SCHEMA_URL = `https://openlineage.io/spec/${SPEC_VERSION}/OpenLineage.json#/$defs/RunEvent`;
const CL_URL =
  'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet';
const SCHEMA_FACET_URL =
  'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet';

/** A UUID (version 5 layout) from a name, so an export's run ids are stable. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`lineage-graph:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A relation as an OpenLineage dataset identity. */
export function datasetOf(r: Pick<RelationNode, 'key' | 'platform' | 'kind'>): {
  namespace: string;
  name: string;
} {
  const parts = splitKey(r.key);
  if (parts.length === 1 && /^[a-z][a-z0-9+.-]*:/i.test(parts[0])) {
    // a storage dataset keyed `"<namespace>/<name>"` or `"<namespace>:<name>"` (naming.ts)
    const s = parts[0];
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)\/(.*)$/i.exec(s) ?? /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(s);
    if (m) return { namespace: m[1], name: m[2] };
  }
  return {
    namespace: namespaceOfPlatform(r.platform),
    name: parts.map((p) => (p.includes('.') || /\s/.test(p) || p === '' ? keyPart(p) : p)).join('.'),
  };
}

export interface ExportSummary {
  events: number;
  relations: number;
  columnEdges: number;
}

/** One export's working state, shared by its phases. */
interface ExportRun {
  store: LineageStore;
  eventTime: string;
  /** Every relation by key. */
  nodes: Map<string, RelationNode>;
  /** Column key -> its relation key (looked up once). */
  relationOfColumn: Map<string, string>;
  summary: ExportSummary;
}

type ColumnLineageFields = Record<string, { inputFields: unknown[] }>;

/** Writes one event per line through `write`; returns counts. */
export async function exportOpenLineage(
  store: LineageStore,
  write: (line: string) => void | Promise<void>,
  options: { now?: () => Date } = {},
): Promise<ExportSummary> {
  const relations = await store.listRelations();
  const run: ExportRun = {
    store,
    eventTime: (options.now?.() ?? new Date()).toISOString(),
    nodes: new Map(relations.map((r) => [r.key, r])),
    relationOfColumn: new Map(),
    summary: { events: 0, relations: relations.length, columnEdges: 0 },
  };
  for (const r of relations) {
    const upstream = (await store.edgesOf(r.key, 'upstream')).filter((e) => e.kind === 'RELATION');
    const inputs = upstream
      .map((e) => run.nodes.get(e.from))
      .filter((x): x is RelationNode => x !== undefined);
    const columns = await store.columnsOf(r.key);
    const fields: ColumnLineageFields = {};
    for (const c of columns) {
      const inputFields = await inputFieldsOf(run, c.key);
      if (inputFields.length > 0) fields[c.name] = { inputFields };
    }
    if (inputs.length === 0 && Object.keys(fields).length === 0) continue;
    const event = runEventOf(run, r, inputs, columns, fields);
    const check = validateEvent(event);
    if ('invalid' in check)
      throw lineageError('INTERNAL', `exported event for ${r.key} is not valid: ${check.invalid.message}`);
    await write(`${JSON.stringify(event)}\n`);
    run.summary.events++;
  }
  return run.summary;
}

async function columnRelation(run: ExportRun, key: string): Promise<string | undefined> {
  if (!run.relationOfColumn.has(key)) {
    const n: AnyNode | undefined = (await run.store.getNodes([key])).get(key);
    if (n?.type === 'column') run.relationOfColumn.set(key, n.node.relationKey);
  }
  return run.relationOfColumn.get(key);
}

/** A column's columnLineage input fields: one per upstream (dataset, field), with its edges' transformations. */
async function inputFieldsOf(run: ExportRun, columnKey: string): Promise<unknown[]> {
  const byInput = new Map<
    string,
    { namespace: string; name: string; field: string; kinds: TransformKind[] }
  >();
  for (const e of await run.store.edgesOf(columnKey, 'upstream')) {
    if (e.kind === 'RELATION' || e.kind === 'CONSUMER') continue;
    const relKey = await columnRelation(run, e.from);
    const rel = relKey ? run.nodes.get(relKey) : undefined;
    if (!rel) continue;
    const field = splitKey(e.from).pop() ?? e.from;
    const k = `${rel.key}\u0000${field}`;
    const entry = byInput.get(k) ?? { ...datasetOf(rel), field, kinds: [] };
    entry.kinds.push(e.kind);
    byInput.set(k, entry);
    run.summary.columnEdges++;
  }
  return [...byInput.values()].map(({ kinds, ...f }) => ({
    ...f,
    transformations: kinds.map((k) => ({
      type: isDirectKind(k) ? 'DIRECT' : 'INDIRECT',
      subtype: k,
      description: '',
      masking: false,
    })),
  }));
}

/** The COMPLETE RunEvent of relation `r`: its inputs, and itself as the output with schema and column lineage. */
function runEventOf(
  run: ExportRun,
  r: RelationNode,
  inputs: readonly RelationNode[],
  columns: readonly ColumnNode[],
  fields: ColumnLineageFields,
): unknown {
  const jobName = r.uniqueId ?? r.key;
  const output = {
    ...datasetOf(r),
    facets: {
      schema: {
        _producer: EXPORT_PRODUCER,
        _schemaURL: SCHEMA_FACET_URL,
        fields: columns.map((c, i) => ({
          name: c.displayName || c.name,
          ...(c.dataType ? { type: c.dataType } : {}),
          ...(c.description ? { description: c.description } : {}),
          ordinal_position: c.ordinal ?? i + 1,
        })),
      },
      ...(Object.keys(fields).length
        ? { columnLineage: { _producer: EXPORT_PRODUCER, _schemaURL: CL_URL, fields } }
        : {}),
    },
  };
  return {
    eventType: 'COMPLETE',
    eventTime: run.eventTime,
    producer: EXPORT_PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: stableUuid(jobName), facets: {} },
    job: { namespace: EXPORT_JOB_NAMESPACE, name: jobName, facets: {} },
    inputs: inputs.map(datasetOf),
    outputs: [output],
  };
}
