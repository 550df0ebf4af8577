// The record rules of the LineageStore contract, written once: both stores call these, so they cannot drift.
// Usage aggregation, evidence order, check selection, fingerprint equality and the history cap, hop order,
// and what "unchanged content" means for a re-ingested origin.
import { createHash } from 'node:crypto';
import type { Check, Evidence, Fingerprint, NodeKey, Provenance, UsageRecord } from '../src/model/lineage.ts';
import { jsonEqual, SECTIONS, type OriginData, type Section } from './canonical.ts';
import {
  compareContributions,
  compareStrings,
  compareTimes,
  HOP_KIND_ORDER,
  type Contribution,
} from './merge.ts';
import type { Hop, RelationGraph, UsageAggregate, UsageQuery } from './store.ts';

// ------------------------------------------------------------------------------------------ relation readers

/** Relations of `g` with no edge to another relation and no consumer (LineageStore.relationsWithoutReaders). */
export function relationsWithoutReaders(g: RelationGraph): string[] {
  const read = new Uint8Array(g.keys.length);
  for (const [from, to] of g.edges) if (from !== to) read[from] = 1;
  return g.keys.filter((_, i) => read[i] === 0 && g.consumerCount[i] === 0);
}

/** Relations of `g` some consumer reads (LineageStore.consumedRelations). */
export function consumedRelations(g: RelationGraph): string[] {
  return g.keys.filter((_, i) => g.consumerCount[i] > 0);
}

// ---------------------------------------------------------------------------------------------- fingerprints

/** Fingerprints kept per node (the oldest go first). */
export const MAX_FINGERPRINTS_PER_NODE = 20;

/** A fingerprint with a fixed property order and no undefined fields (what both stores keep and return). */
export function canonicalFingerprint(f: Fingerprint): Fingerprint {
  const out: Fingerprint = {
    nodeKey: f.nodeKey,
    at: f.at,
    originId: f.originId,
    columns: f.columns.map((c) =>
      c.dataType === undefined ? { name: c.name } : { name: c.name, dataType: c.dataType },
    ),
  };
  if (f.sqlChecksum !== undefined) out.sqlChecksum = f.sqlChecksum;
  return out;
}

/** Same columns (names, types, in order) and SQL checksum; the time and origin do not count. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if ((a.sqlChecksum ?? null) !== (b.sqlChecksum ?? null) || a.columns.length !== b.columns.length)
    return false;
  return a.columns.every(
    (c, i) => c.name === b.columns[i].name && (c.dataType ?? null) === (b.columns[i].dataType ?? null),
  );
}

/**
 * The append rule of the history: each incoming fingerprint (canonicalized) is appended when it differs from
 * its node's latest one — the stored latest, or the previous incoming one of the same node. Returns, per node
 * that grows, the fingerprints to append in order; `latest` answers for the stored history.
 */
export function fingerprintsToAppend(
  incoming: readonly Fingerprint[],
  latest: (key: NodeKey) => Fingerprint | undefined,
): Map<NodeKey, Fingerprint[]> {
  const out = new Map<NodeKey, Fingerprint[]>();
  for (const raw of incoming) {
    const f = canonicalFingerprint(raw);
    const added = out.get(f.nodeKey);
    const last = added ? added[added.length - 1] : latest(f.nodeKey);
    if (last && sameFingerprint(last, f)) continue;
    if (added) added.push(f);
    else out.set(f.nodeKey, [f]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- usage

/** The usage aggregate of a target nothing read or wrote. */
export function emptyUsageAggregate(target: NodeKey): UsageAggregate {
  return {
    target,
    reads: 0,
    distinctReaders: 0,
    lastReadAt: null,
    lastReader: null,
    writes: 0,
    lastWriteAt: null,
    lastWriter: null,
  };
}

/**
 * LineageStore.usage over usage records (any superset of the matching ones): records outside the days or
 * targets, or of an excluded user or role (case-insensitive), are skipped; one aggregate per target with a
 * record left, sorted by target. The last read/write is the latest `lastAt` (ties: the smaller user id).
 */
export function aggregateUsage(records: Iterable<UsageRecord>, query: UsageQuery): UsageAggregate[] {
  const users = new Set((query.excludeUsers ?? []).map((u) => u.toLowerCase()));
  const roles = new Set((query.excludeRoles ?? []).map((r) => r.toLowerCase()));
  const targets = query.targets ? new Set(query.targets) : null;
  const byTarget = new Map<NodeKey, { agg: UsageAggregate; readers: Set<string> }>();
  for (const r of records) {
    if (r.day < query.sinceDay || (query.untilDay !== undefined && r.day > query.untilDay)) continue;
    if (targets && !targets.has(r.target)) continue;
    if (users.has(r.user.toLowerCase())) continue;
    if (r.role !== undefined && roles.has(r.role.toLowerCase())) continue;
    let entry = byTarget.get(r.target);
    if (!entry) {
      entry = { agg: emptyUsageAggregate(r.target), readers: new Set() };
      byTarget.set(r.target, entry);
    }
    const a = entry.agg;
    if (r.access === 'read') {
      a.reads += r.count;
      entry.readers.add(r.user);
      if (isLater(r.lastAt, r.user, a.lastReadAt, a.lastReader)) {
        a.lastReadAt = r.lastAt;
        a.lastReader = r.user;
      }
    } else {
      a.writes += r.count;
      if (isLater(r.lastAt, r.user, a.lastWriteAt, a.lastWriter)) {
        a.lastWriteAt = r.lastAt;
        a.lastWriter = r.user;
      }
    }
  }
  return [...byTarget.values()]
    .map(({ agg, readers }) => ({ ...agg, distinctReaders: readers.size }))
    .sort((x, y) => compareStrings(x.target, y.target));
}

function isLater(at: string, user: string, curAt: string | null, curUser: string | null): boolean {
  if (curAt === null || curUser === null) return true;
  const c = compareTimes(at, curAt);
  return c > 0 || (c === 0 && compareStrings(user, curUser) < 0);
}

// ---------------------------------------------------------------------------------------------- evidence, checks

/** Evidence at or after `since`, sorted by (at desc, nodeKey, kind, message, subject). */
export function selectEvidence(list: readonly Evidence[], since?: string): Evidence[] {
  return list
    .filter((e) => since === undefined || compareTimes(e.at, since) >= 0)
    .sort(
      (a, b) =>
        compareTimes(b.at, a.at) ||
        compareStrings(a.nodeKey, b.nodeKey) ||
        compareStrings(a.kind, b.kind) ||
        compareStrings(a.message, b.message) ||
        compareStrings(a.subject ?? '', b.subject ?? ''),
    );
}

/** Checks unique by id (the first origin by graph/merge.ts priority wins), sorted by id. */
export function selectChecks(list: readonly Contribution<Check>[]): Check[] {
  const sorted = [...list].sort((a, b) => compareStrings(a.node.id, b.node.id) || compareContributions(a, b));
  const out: Check[] = [];
  for (const c of sorted) if (out.length === 0 || out[out.length - 1].id !== c.node.id) out.push(c.node);
  return out;
}

// ---------------------------------------------------------------------------------------------- hops

/** Hops de-duplicated and sorted by (from, to) in code-unit order, then kind in HOP_KIND_ORDER. */
export function canonicalHops(hops: readonly Hop[]): Hop[] {
  const rank = (h: Hop) => HOP_KIND_ORDER.indexOf(h.kind);
  const sorted = [...hops].sort(
    (a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || rank(a) - rank(b),
  );
  return sorted.filter(
    (h, i) =>
      i === 0 || h.from !== sorted[i - 1].from || h.to !== sorted[i - 1].to || h.kind !== sorted[i - 1].kind,
  );
}

// ---------------------------------------------------------------------------------------------- unchanged content

/**
 * An origin's content: its provenance and the records of every section in canonical order (graph/canonical.ts),
 * not the origin's label or time. A store may keep a section in another shape (the embedded store's columnar
 * column edges) and show it record by record through `at`.
 */
export interface ContentView {
  provenance: Provenance;
  sections: Record<Section, { readonly length: number; at(i: number): unknown }>;
}

export function contentOf(data: OriginData): ContentView {
  return { provenance: data.origin.provenance, sections: data };
}

/** A re-ingest is unchanged when the content is the same record for record. */
export function sameContent(a: ContentView, b: ContentView): boolean {
  if (a.provenance !== b.provenance) return false;
  for (const s of SECTIONS) {
    const x = a.sections[s];
    const y = b.sections[s];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x.at(i), y.at(i))) return false;
  }
  return true;
}

/** sha256 of the content (records as key-sorted JSON): equal exactly when sameContent holds. */
export function contentHash(c: ContentView): string {
  const h = createHash('sha256');
  h.update(c.provenance);
  // Hashed in pieces of ~64 KB: an update per record cost as much as the JSON.
  let text = '';
  for (const s of SECTIONS) {
    text += `\n#${s}\n`;
    const list = c.sections[s];
    for (let i = 0; i < list.length; i++) {
      text += `${stableJson(list.at(i))}\n`;
      if (text.length >= 65_536) {
        h.update(text);
        text = '';
      }
    }
  }
  h.update(text);
  return h.digest('hex');
}

/** Object keys as JSON strings, for the few hundred distinct keys records have. */
const QUOTED_KEYS = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < 10_000) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * JSON with object keys sorted (as code units), so equal content gives equal text whatever the key order;
 * undefined fields are left out, an undefined array item is empty. Loops, not map/join: the content hash of a
 * large batch is mostly this function (a third faster).
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string;
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // Nothing for what JSON has no text for (undefined, a function), as join did.
      text += stableJson(value[i]) ?? '';
    }
    return `${text}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  let text = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${quotedKey(k)}:${stableJson(v)}`;
  }
  return `${text}}`;
}
