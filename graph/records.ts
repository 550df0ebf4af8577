// Record shapes both stores must produce identically: one definition each, so the stores cannot drift.
import type { Fingerprint, NodeKey } from '../src/model/lineage.ts';
import { compareStrings, HOP_KIND_ORDER } from './merge.ts';
import type { Hop, UsageAggregate } from './store.ts';

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
