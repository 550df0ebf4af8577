// Pure helpers over records read back from Neo4j: usage aggregation, evidence and check ordering,
// fingerprint comparison. Kept free of the driver so they are easy to test and to compare with the embedded
// store's answers.
import { createHash } from 'node:crypto';
import type { Check, Evidence, Fingerprint, NodeKey, UsageRecord } from '../../src/model/lineage.ts';
import { compareContributions, compareStrings, compareTimes, type Contribution } from '../merge.ts';
import { emptyUsageAggregate } from '../records.ts';
import type { UsageAggregate, UsageQuery } from '../store.ts';

export { canonicalFingerprint } from '../records.ts';
import { SECTIONS, type OriginData } from '../embedded/contributions.ts';

/** Aggregates usage records per target (records already restricted to the query's days and targets). */
export function aggregateUsage(records: readonly UsageRecord[], query: UsageQuery): UsageAggregate[] {
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
      entry = {
        agg: emptyUsageAggregate(r.target),
        readers: new Set(),
      };
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

/** Evidence at or after `since`, sorted by (at desc, nodeKey, kind). */
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

/** Whether a new fingerprint differs from the node's latest one (columns, types, checksum). */
export function fingerprintDiffers(latest: Fingerprint | undefined, next: Fingerprint): boolean {
  if (!latest) return true;
  if ((latest.sqlChecksum ?? null) !== (next.sqlChecksum ?? null)) return true;
  if (latest.columns.length !== next.columns.length) return true;
  return latest.columns.some(
    (c, i) => c.name !== next.columns[i].name || (c.dataType ?? null) !== (next.columns[i].dataType ?? null),
  );
}

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 of an origin's canonical content: provenance and every section, not the origin's label or time
 * (the same notion of "unchanged" as the embedded store's sameContent).
 */
export function contentHash(data: OriginData): string {
  const h = createHash('sha256');
  h.update(data.origin.provenance);
  for (const s of SECTIONS) {
    h.update(`\n#${s}\n`);
    for (const rec of data[s] as unknown[]) h.update(`${stableJson(rec)}\n`);
  }
  return h.digest('hex');
}
