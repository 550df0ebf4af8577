// One origin's contribution, as both stores keep it: the batch in canonical form (normalized nodes, every list
// sorted), validated before anything is replaced. A rule of the LineageStore contract, not of a backend:
// canonical form is what makes a saved embedded store byte-identical when the same batch is applied again,
// what both stores decide `unchanged` on (graph/records.ts sameContent / contentHash), and what the Neo4j
// store writes.
import { lineageError } from '../src/errors.ts';
import {
  CONSUMER_KINDS,
  PROVENANCES,
  RELATION_KINDS,
  TRANSFORM_KINDS,
  type Check,
  type ColumnEdge,
  type ColumnNode,
  type ConsumerEdge,
  type ConsumerNode,
  type Diagnostic,
  type Evidence,
  type LineageBatch,
  type Origin,
  type RelationEdge,
  type RelationNode,
  type UsageRecord,
} from '../src/model/lineage.ts';
import { keyTooLong, oversizedKeyMessage } from '../src/model/key-size.ts';
import {
  compareStrings,
  normalizeColumn,
  normalizeConsumer,
  normalizeRelation,
  stripUndefined,
} from './merge.ts';
import type { NodeType } from './store.ts';

export interface OriginData {
  origin: Origin;
  relations: RelationNode[];
  columns: ColumnNode[];
  consumers: ConsumerNode[];
  columnEdges: ColumnEdge[];
  relationEdges: RelationEdge[];
  consumerEdges: ConsumerEdge[];
  checks: Check[];
  evidence: Evidence[];
  usage: UsageRecord[];
  diagnostics: Diagnostic[];
}

/** The record lists of OriginData in the order they are persisted. */
export const SECTIONS = [
  'relations',
  'columns',
  'consumers',
  'columnEdges',
  'relationEdges',
  'consumerEdges',
  'checks',
  'evidence',
  'usage',
  'diagnostics',
] as const;
export type Section = (typeof SECTIONS)[number];

/** An origin with no records yet (the persisted file fills the sections in as it is read). */
export function emptyOriginData(origin: Origin): OriginData {
  const data = { origin } as OriginData;
  for (const s of SECTIONS) data[s] = [];
  return data;
}

function fail(message: string): never {
  throw lineageError('STORE_WRITE_FAILED', `batch rejected: ${message}`);
}

const cmp = compareStrings;

function cmpEdge(
  a: { from: string; to: string; kind?: string; statementId?: string; firstSeen: string; lastSeen: string },
  b: typeof a,
): number {
  return (
    cmp(a.from, b.from) ||
    cmp(a.to, b.to) ||
    cmp(a.kind ?? '', b.kind ?? '') ||
    cmp(a.statementId ?? '', b.statementId ?? '') ||
    cmp(a.firstSeen, b.firstSeen) ||
    cmp(a.lastSeen, b.lastSeen)
  );
}

function copyEdge<T extends object>(e: T): T {
  return stripUndefined({ ...e });
}

/** Edge facts with a fixed property order, so equal content serializes to equal bytes. */
function canonicalEdge<T extends ColumnEdge | RelationEdge | ConsumerEdge>(e: T): T {
  const out: Record<string, unknown> = { from: e.from, to: e.to };
  if ('kind' in e) out.kind = e.kind;
  out.provenance = e.provenance;
  out.confidence = e.confidence;
  out.firstSeen = e.firstSeen;
  out.lastSeen = e.lastSeen;
  out.queryCount = e.queryCount;
  if (e.statementId !== undefined) out.statementId = e.statementId;
  return out as T;
}

const COLUMN_EDGE_KEYS = [
  'from',
  'to',
  'kind',
  'provenance',
  'confidence',
  'firstSeen',
  'lastSeen',
  'queryCount',
];

/**
 * A column edge already in canonical form (exactly canonicalEdge's properties, in its order, statementId
 * optional but never undefined) is kept as it is rather than copied: a warehouse batch carries millions of
 * them, and both would otherwise be alive during the apply. Safe because stores copy column edges out of
 * OriginData (the embedded store into its edge table) rather than keep the objects.
 */
function canonicalColumnEdge(e: ColumnEdge): ColumnEdge {
  const keys = Object.keys(e);
  const n = COLUMN_EDGE_KEYS.length;
  const exact =
    (keys.length === n ||
      (keys.length === n + 1 && keys[n] === 'statementId' && e.statementId !== undefined)) &&
    COLUMN_EDGE_KEYS.every((k, i) => keys[i] === k);
  return exact ? e : canonicalEdge(e);
}

/** Sorts in place unless already sorted (parsers often emit sorted lists; checking is O(n)). */
function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1], list[i]) > 0) return list.sort(compare);
  return list;
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Node types of the keys other origins contribute, used to validate edge endpoints. */
export type KeyTypeLookup = (key: string) => NodeType | undefined;

/** The batch's origin and section shapes. */
function validateOrigin(batch: LineageBatch): void {
  const o = batch?.origin;
  if (!o || !isString(o.id) || o.id === '') fail('origin.id must be a non-empty string');
  if (keyTooLong(o.id)) fail(oversizedKeyMessage('the origin id', o.id));
  if (!PROVENANCES.includes(o.provenance)) fail(`origin ${o.id}: unknown provenance ${String(o.provenance)}`);
  if (!isString(o.label) || !isString(o.ingestedAt))
    fail(`origin ${o.id}: label and ingestedAt are required`);
  for (const s of SECTIONS) if (!Array.isArray(batch[s])) fail(`${s} must be an array`);
  if (!Array.isArray(batch.fingerprints)) fail('fingerprints must be an array');
}

/** The batch's nodes (unique keys, known kinds, required fields); returns the type of each of its keys. */
function validateNodes(batch: LineageBatch): Map<string, NodeType> {
  const local = new Map<string, NodeType>();
  const addNode = (key: unknown, type: NodeType) => {
    if (!isString(key) || key === '') fail(`a ${type} has no key`);
    if (keyTooLong(key)) fail(oversizedKeyMessage(`a ${type} key`, key));
    if (local.has(key)) fail(`duplicate node key ${key}`);
    local.set(key, type);
  };
  const checkUniqueId = (key: string, id: unknown) => {
    if (isString(id) && keyTooLong(id))
      fail(oversizedKeyMessage(`the unique_id of ${key.slice(0, 120)}`, id));
  };
  for (const r of batch.relations) {
    addNode(r.key, 'relation');
    checkUniqueId(r.key, r.uniqueId);
    if (!RELATION_KINDS.includes(r.kind)) fail(`relation ${r.key}: unknown kind ${String(r.kind)}`);
    if (!isString(r.name) || !isString(r.displayName)) fail(`relation ${r.key}: name/displayName required`);
    if (!Array.isArray(r.owners) || !Array.isArray(r.tags)) fail(`relation ${r.key}: owners/tags required`);
  }
  for (const c of batch.columns) {
    addNode(c.key, 'column');
    if (!isString(c.name) || !isString(c.displayName)) fail(`column ${c.key}: name/displayName required`);
    if (!Array.isArray(c.tags)) fail(`column ${c.key}: tags required`);
    if (!isString(c.relationKey))
      fail(`column ${c.key} relation: ${String(c.relationKey)} is not a known relation`);
  }
  for (const c of batch.consumers) {
    addNode(c.key, 'consumer');
    checkUniqueId(c.key, c.uniqueId);
    if (!CONSUMER_KINDS.includes(c.kind)) fail(`consumer ${c.key}: unknown kind ${String(c.kind)}`);
    if (!Array.isArray(c.owners) || !Array.isArray(c.tags)) fail(`consumer ${c.key}: owners/tags required`);
  }
  return local;
}

/** What an edge is called in a rejection (built only when the batch is rejected: a warehouse has millions). */
type EdgeName = () => string;

function edgeName(what: string, e: { from: unknown; to: unknown }): EdgeName {
  return () => `${what} edge ${String(e.from)} -> ${String(e.to)}`;
}

/** Every edge's endpoints are strings, its kind and facts well formed. */
function validateEdgeFacts(batch: LineageBatch): void {
  const checkFacts = (e: ColumnEdge | RelationEdge | ConsumerEdge, what: EdgeName) => {
    for (const key of [e.from, e.to])
      if (!isString(key)) fail(`${what()}: ${String(key)} is not a known node`);
    if (!PROVENANCES.includes(e.provenance)) fail(`${what()}: unknown provenance ${String(e.provenance)}`);
    if (!isString(e.firstSeen) || !isString(e.lastSeen)) fail(`${what()}: firstSeen/lastSeen required`);
    if (typeof e.queryCount !== 'number' || !Number.isFinite(e.queryCount)) fail(`${what()}: bad queryCount`);
  };
  for (const e of batch.columnEdges) {
    const what = edgeName('column', e);
    if (!TRANSFORM_KINDS.includes(e.kind)) fail(`${what()}: unknown kind ${String(e.kind)}`);
    checkFacts(e, what);
  }
  for (const e of batch.relationEdges) checkFacts(e, edgeName('relation', e));
  for (const e of batch.consumerEdges) checkFacts(e, edgeName('consumer', e));
}

/**
 * What the batch names of other origins: no key it contributes has another type there, and every column's
 * relation and every edge's endpoints are known nodes of the right type (the batch's own or another origin's).
 */
function validateReferences(
  data: OriginData,
  local: ReadonlyMap<string, NodeType>,
  existing: KeyTypeLookup,
): void {
  for (const [key, type] of local) {
    const other = existing(key);
    if (other !== undefined && other !== type) fail(`${key} is a ${other} in the store, not a ${type}`);
  }
  const typeOf = (key: string) => local.get(key) ?? existing(key);
  const expect = (key: unknown, type: NodeType, what: EdgeName) => {
    if (!isString(key) || typeOf(key) !== type) fail(`${what()}: ${String(key)} is not a known ${type}`);
  };
  for (const c of data.columns) expect(c.relationKey, 'relation', () => `column ${c.key} relation`);
  for (const e of data.columnEdges) {
    const what = edgeName('column', e);
    expect(e.from, 'column', what);
    expect(e.to, 'column', what);
  }
  for (const e of data.relationEdges) {
    const what = edgeName('relation', e);
    expect(e.from, 'relation', what);
    expect(e.to, 'relation', what);
  }
  for (const e of data.consumerEdges) {
    const what = edgeName('consumer', e);
    expect(e.from, 'relation', what);
    expect(e.to, 'consumer', what);
  }
}

/** Fingerprints and usage records carry their required fields; no record names a key longer than a node's. */
function validateRecords(batch: LineageBatch): void {
  const indexable = (what: string, key: unknown) => {
    if (isString(key) && keyTooLong(key)) fail(oversizedKeyMessage(what, key));
  };
  for (const f of batch.fingerprints) {
    if (!isString(f?.nodeKey) || !isString(f.at) || !isString(f.originId) || !Array.isArray(f.columns))
      fail('fingerprint: nodeKey, at, originId and columns are required');
    indexable('a fingerprint node key', f.nodeKey);
    for (const c of f.columns) if (!isString(c?.name)) fail(`fingerprint ${f.nodeKey}: a column has no name`);
  }
  for (const u of batch.usage) {
    if (!isString(u.target) || !isString(u.user) || !isString(u.day) || !isString(u.lastAt))
      fail('usage record: target, user, day and lastAt are required');
    indexable('a usage target', u.target);
    if (u.access !== 'read' && u.access !== 'write') fail(`usage record: bad access ${String(u.access)}`);
  }
  for (const c of batch.checks) {
    indexable("a check's relation key", c?.relationKey);
    indexable("a check's column key", c?.columnKey);
  }
  for (const e of batch.evidence) indexable("an evidence's node key", e?.nodeKey);
}

/** The validated batch in canonical form: normalized nodes, canonical edges, every list sorted. */
function canonicalData(batch: LineageBatch): OriginData {
  const o = batch.origin;
  return {
    origin: { id: o.id, provenance: o.provenance, label: o.label, ingestedAt: o.ingestedAt },
    relations: sortIfNeeded(batch.relations.map(normalizeRelation), (a, b) => cmp(a.key, b.key)),
    columns: sortIfNeeded(batch.columns.map(normalizeColumn), (a, b) => cmp(a.key, b.key)),
    consumers: sortIfNeeded(batch.consumers.map(normalizeConsumer), (a, b) => cmp(a.key, b.key)),
    columnEdges: sortIfNeeded(batch.columnEdges.map(canonicalColumnEdge), cmpEdge),
    relationEdges: sortIfNeeded(batch.relationEdges.map(canonicalEdge), cmpEdge),
    consumerEdges: sortIfNeeded(batch.consumerEdges.map(canonicalEdge), cmpEdge),
    checks: batch.checks.map(copyEdge).sort((a, b) => cmp(a.id, b.id)),
    evidence: batch.evidence
      .map(copyEdge)
      .sort(
        (a, b) =>
          cmp(a.nodeKey, b.nodeKey) ||
          cmp(a.at, b.at) ||
          cmp(a.kind, b.kind) ||
          cmp(a.message, b.message) ||
          cmp(a.subject ?? '', b.subject ?? ''),
      ),
    usage: batch.usage
      .map(copyEdge)
      .sort(
        (a, b) =>
          cmp(a.target, b.target) ||
          cmp(a.day, b.day) ||
          cmp(a.user, b.user) ||
          cmp(a.access, b.access) ||
          cmp(a.role ?? '', b.role ?? '') ||
          cmp(a.lastAt, b.lastAt),
      ),
    diagnostics: batch.diagnostics.map((d) =>
      stripUndefined({ ...d, where: d.where ? stripUndefined({ ...d.where }) : undefined }),
    ),
  };
}

/** A batch checked on its own and in canonical form, before what it names of other origins is known. */
export interface OwnBatch {
  data: OriginData;
  /**
   * Checks what the batch names of other origins (`existing` answers for keys active origins other than this
   * one contribute; this origin's previous contribution does not count: it is being replaced). Throws
   * STORE_WRITE_FAILED.
   */
  checkReferences(existing: KeyTypeLookup): void;
}

/**
 * Validates a batch on its own (origin, node and edge shapes, unique keys, records) and canonicalizes it; the
 * checks that need the store come after, so a store can look the referenced keys up while this runs. Throws
 * STORE_WRITE_FAILED.
 */
export function canonicalizeOwn(batch: LineageBatch): OwnBatch {
  validateOrigin(batch);
  const local = validateNodes(batch);
  validateEdgeFacts(batch);
  validateRecords(batch);
  const data = canonicalData(batch);
  return { data, checkReferences: (existing) => validateReferences(data, local, existing) };
}

/** canonicalizeOwn, then its reference checks against `existing`. */
export function canonicalizeBatch(batch: LineageBatch, existing: KeyTypeLookup): OriginData {
  const own = canonicalizeOwn(batch);
  own.checkReferences(existing);
  return own.data;
}

/** Equal plain JSON values (objects, arrays, strings, numbers, booleans, null). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
