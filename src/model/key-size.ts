// How long a stored key may be. A key (of a relation, column or consumer, an origin id, a dbt unique_id) is an
// indexed value in Neo4j, whose range index refuses values above ~8 KB and then fails the whole transaction;
// the embedded store would take it. No warehouse names anything that long (BigQuery's 1,024-byte table names
// are the longest; three of them qualified stay under the limit), so a longer key is hostile or broken input:
// parsers drop its node with a diagnostic (withoutOversizedKeys) and the store contract (graph/canonical.ts)
// rejects any that still arrive, so both stores answer alike.
import type { Diagnostic, LineageBatch } from './lineage.ts';

export const MAX_KEY_BYTES = 4096;

/** The start of a too-long key, for a message. */
const SHOWN_CHARS = 120;

export function keyTooLong(key: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most keys are decided without encoding them.
  return key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES;
}

export function oversizedKeyMessage(what: string, key: string): string {
  return (
    `${what} of ${Buffer.byteLength(key, 'utf8')} UTF-8 bytes is over the ${MAX_KEY_BYTES}-byte limit: ` +
    `${key.slice(0, SHOWN_CHARS)}…`
  );
}

/**
 * The batch without the nodes whose key (or dbt unique_id) is too long, and without what refers to them: a
 * dropped relation's columns, edges with a dropped endpoint, checks, evidence, usage and fingerprints of dropped
 * nodes. Each dropped node is one INGEST_KEY_TOO_LONG diagnostic; records naming a too-long key of no node here are
 * counted in one more. Returns the batch itself when nothing is too long (the usual case: one pass over the
 * keys, no list copied).
 */
export function withoutOversizedKeys(batch: LineageBatch): LineageBatch {
  const dropped = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const drop = (what: string, key: string) => {
    dropped.add(key);
    diagnostics.push({
      code: 'INGEST_KEY_TOO_LONG',
      severity: 'warning',
      message: oversizedKeyMessage(what, key),
    });
  };
  const tooLongId = (id: string | undefined) => id !== undefined && keyTooLong(id);
  for (const r of batch.relations)
    if (keyTooLong(r.key) || tooLongId(r.uniqueId)) drop('a relation key', r.key);
  for (const c of batch.columns)
    if (keyTooLong(c.key) || dropped.has(c.relationKey)) drop('a column key', c.key);
  for (const c of batch.consumers)
    if (keyTooLong(c.key) || tooLongId(c.uniqueId)) drop('a consumer key', c.key);
  const ok = (key: string | undefined) => key === undefined || (!dropped.has(key) && !keyTooLong(key));
  const edge = (e: { from: string; to: string }) => ok(e.from) && ok(e.to);
  const records = {
    columnEdges: keptOf(batch.columnEdges, edge),
    relationEdges: keptOf(batch.relationEdges, edge),
    consumerEdges: keptOf(batch.consumerEdges, edge),
    checks: keptOf(batch.checks, (c) => ok(c.relationKey) && ok(c.columnKey)),
    evidence: keptOf(batch.evidence, (e) => ok(e.nodeKey)),
    usage: keptOf(batch.usage, (u) => ok(u.target)),
    fingerprints: keptOf(batch.fingerprints, (f) => ok(f.nodeKey)),
  };
  const removed = (Object.keys(records) as (keyof typeof records)[]).reduce(
    (n, s) => n + batch[s].length - records[s].length,
    0,
  );
  if (dropped.size === 0 && removed === 0) return batch;
  if (removed > 0)
    diagnostics.push({
      code: 'INGEST_KEY_TOO_LONG',
      severity: 'warning',
      message: `${removed} edges or records naming a key over the ${MAX_KEY_BYTES}-byte limit were dropped`,
    });
  return {
    ...batch,
    ...records,
    relations: keptOf(batch.relations, (r) => !dropped.has(r.key)),
    columns: keptOf(batch.columns, (c) => !dropped.has(c.key)),
    consumers: keptOf(batch.consumers, (c) => !dropped.has(c.key)),
    diagnostics: [...batch.diagnostics, ...diagnostics],
  };
}

/** The list itself when every item is kept (checked without copying), else the kept items. */
function keptOf<T>(list: T[], keep: (item: T) => boolean): T[] {
  return list.every(keep) ? list : list.filter(keep);
}
