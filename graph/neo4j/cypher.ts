// Every Cypher statement the Neo4j store runs, as named constants. Values always travel as parameters; no
// user string is ever concatenated into a query.
//
// Graph schema (the one place it is described; docs/neo4j.md repeats it for operators):
//
//   (:Relation {key, live})          one per relation key ever contributed; live = some origin contributes it
//   (:Column   {key, rel, live})     rel = the column's relation key (from its contribution)
//   (:Consumer {key, live})
//   (:Contribution {originId, key, type, provenance, json, uniqueId, lname, ldisplay, lkey})
//                                    one origin's version of one node (canonical JSON); merged on read with
//                                    graph/merge.ts; lname/ldisplay/lkey are lower-cased search fields
//   (:Column)-[:COLUMN_FLOW {originId, kind, provenance, confidence, firstSeen, lastSeen, ms, queryCount,
//                            statementId}]->(:Column)          one relationship per edge fact, data flows along it
//   (:Relation)-[:RELATION_FLOW {same facts}]->(:Relation)      explicit table-level edges
//   (:Relation)-[:CONSUMED_BY {same facts}]->(:Consumer)
//   (:LineageCheck {originId, provenance, id, relationKey, columnKey, json})
//   (:LineageEvidence {originId, nodeKey, json})
//   (:LineageUsage {originId, target, day, json})
//   (:LineageDiagnostic {originId, seq, severity, json})
//   (:LineageFingerprint {nodeKey, seq, json})                 history: not replaced per origin
//   (:LineageOrigin {id, provenance, label, ingestedAt, hash, relations, columns, columnEdges, relationEdges,
//                    diagnostics})
//   (:LineageSchema {id: 'schema', version})                  migrations applied (graph/neo4j/schema.ts)
//
// Entity nodes are never deleted, only marked live = false when no origin contributes them any more, so edge
// facts of other origins that point at them come back when the node does (the embedded store keeps facts by
// key the same way). Every read ignores non-live endpoints.

/** Relationship types, in one place. */
export const REL = { column: 'COLUMN_FLOW', relation: 'RELATION_FLOW', consumer: 'CONSUMED_BY' } as const;

// ---------------------------------------------------------------- writes (all inside one transaction)

export const ORIGIN_HASH = 'MATCH (o:LineageOrigin {id: $originId}) RETURN o.hash AS hash';

/** Types of keys contributed by origins other than the one being replaced (for batch validation). */
export const OTHER_KEY_TYPES = `
UNWIND $keys AS k
MATCH (c:Contribution {key: k})
WHERE c.originId <> $originId
RETURN DISTINCT k AS key, c.type AS type`;

export const DELETE_ORIGIN_CONTRIBUTIONS = `
MATCH (c:Contribution {originId: $originId})
WITH c, c.key AS key, c.type AS type
DELETE c
RETURN key, type`;

export const DELETE_ORIGIN_COLUMN_EDGES = `MATCH ()-[e:COLUMN_FLOW {originId: $originId}]->() DELETE e`;
export const DELETE_ORIGIN_RELATION_EDGES = `MATCH ()-[e:RELATION_FLOW {originId: $originId}]->() DELETE e`;
export const DELETE_ORIGIN_CONSUMER_EDGES = `MATCH ()-[e:CONSUMED_BY {originId: $originId}]->() DELETE e`;
export const DELETE_ORIGIN_RECORDS = `
CALL { MATCH (n:LineageCheck {originId: $originId}) DELETE n }
CALL { MATCH (n:LineageEvidence {originId: $originId}) DELETE n }
CALL { MATCH (n:LineageUsage {originId: $originId}) DELETE n }
CALL { MATCH (n:LineageDiagnostic {originId: $originId}) DELETE n }
CALL { MATCH (n:LineageOrigin {id: $originId}) DELETE n }`;

export const CREATE_RELATIONS = `
UNWIND $rows AS row
MERGE (n:Relation {key: row.key})
SET n.live = true
CREATE (:Contribution {originId: $originId, provenance: $provenance, type: 'relation', key: row.key,
  json: row.json, uniqueId: row.uniqueId, lname: row.lname, ldisplay: row.ldisplay, lkey: row.lkey})`;

export const CREATE_COLUMNS = `
UNWIND $rows AS row
MERGE (n:Column {key: row.key})
SET n.rel = row.rel, n.live = true
CREATE (:Contribution {originId: $originId, provenance: $provenance, type: 'column', key: row.key,
  json: row.json, lname: row.lname, ldisplay: row.ldisplay, lkey: row.lkey})`;

export const CREATE_CONSUMERS = `
UNWIND $rows AS row
MERGE (n:Consumer {key: row.key})
SET n.live = true
CREATE (:Contribution {originId: $originId, provenance: $provenance, type: 'consumer', key: row.key,
  json: row.json, uniqueId: row.uniqueId, lname: row.lname, ldisplay: row.ldisplay, lkey: row.lkey})`;

/** Entity liveness after a change (computed by the caller: some origin still contributes the node). */
export const SET_LIVE = `
UNWIND $rows AS row
CALL {
  WITH row
  MATCH (n:Relation {key: row.key}) WHERE row.type = 'relation'
  SET n.live = row.live
  RETURN count(*) AS a
}
CALL {
  WITH row
  MATCH (n:Column {key: row.key}) WHERE row.type = 'column'
  SET n.live = row.live
  RETURN count(*) AS b
}
CALL {
  WITH row
  MATCH (n:Consumer {key: row.key}) WHERE row.type = 'consumer'
  SET n.live = row.live
  RETURN count(*) AS d
}
RETURN count(*) AS refreshed`;

const EDGE_PROPS = `{originId: $originId, kind: row.kind, provenance: row.provenance, confidence: row.confidence,
  firstSeen: row.firstSeen, lastSeen: row.lastSeen, ms: row.ms, queryCount: row.queryCount,
  statementId: row.statementId}`;

/**
 * Endpoints are MATCHed: the batch was validated, so each endpoint is in the batch (just MERGEd) or contributed
 * by another origin, and entity nodes are never deleted.
 */
export const CREATE_COLUMN_EDGES = `
UNWIND $rows AS row
MATCH (a:Column {key: row.from})
MATCH (b:Column {key: row.to})
CREATE (a)-[:COLUMN_FLOW ${EDGE_PROPS}]->(b)`;

export const CREATE_RELATION_EDGES = `
UNWIND $rows AS row
MATCH (a:Relation {key: row.from})
MATCH (b:Relation {key: row.to})
CREATE (a)-[:RELATION_FLOW ${EDGE_PROPS}]->(b)`;

export const CREATE_CONSUMER_EDGES = `
UNWIND $rows AS row
MATCH (a:Relation {key: row.from})
MATCH (b:Consumer {key: row.to})
CREATE (a)-[:CONSUMED_BY ${EDGE_PROPS}]->(b)`;

export const CREATE_CHECKS = `
UNWIND $rows AS row
CREATE (:LineageCheck {originId: $originId, provenance: $provenance, id: row.id, relationKey: row.relationKey, columnKey: row.columnKey,
  json: row.json})`;

export const CREATE_EVIDENCE = `
UNWIND $rows AS row
CREATE (:LineageEvidence {originId: $originId, nodeKey: row.nodeKey, json: row.json})`;

export const CREATE_USAGE = `
UNWIND $rows AS row
CREATE (:LineageUsage {originId: $originId, target: row.target, day: row.day, json: row.json})`;

export const CREATE_DIAGNOSTICS = `
UNWIND $rows AS row
CREATE (:LineageDiagnostic {originId: $originId, seq: row.seq, severity: row.severity, code: row.code,
  json: row.json})`;

export const UPDATE_ORIGIN_META = `
MATCH (o:LineageOrigin {id: $originId})
SET o.label = $label, o.ingestedAt = $ingestedAt`;

export const CREATE_ORIGIN = `
CREATE (:LineageOrigin {id: $originId, provenance: $provenance, label: $label, ingestedAt: $ingestedAt,
  hash: $hash, relations: $relations, columns: $columns, columnEdges: $columnEdges,
  relationEdges: $relationEdges, diagnostics: $diagnostics})`;

export const LATEST_FINGERPRINTS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k})
WITH k, f ORDER BY f.seq DESC
WITH k, collect(f)[0] AS f
RETURN k AS key, f.seq AS seq, f.json AS json`;

export const CREATE_FINGERPRINTS = `
UNWIND $rows AS row
CREATE (:LineageFingerprint {nodeKey: row.nodeKey, seq: row.seq, json: row.json})`;

/** Keeps the newest `keep` fingerprints per node. */
export const TRIM_FINGERPRINTS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k})
WITH k, f ORDER BY f.seq DESC
WITH k, collect(f) AS fs
UNWIND fs[$keep..] AS old
DELETE old`;

// ---------------------------------------------------------------- reads

export const CONTRIBUTIONS_BY_KEYS = `
UNWIND $keys AS k
MATCH (c:Contribution {key: k})
RETURN c.key AS key, c.type AS type, c.originId AS originId, c.provenance AS provenance, c.json AS json`;

export const CONTRIBUTIONS_BY_TYPE = `
MATCH (c:Contribution) WHERE c.type = $type
RETURN c.key AS key, c.type AS type, c.originId AS originId, c.provenance AS provenance, c.json AS json`;

export const COLUMN_CONTRIBUTIONS_OF_RELATION = `
MATCH (n:Column {rel: $relationKey})
MATCH (c:Contribution {key: n.key}) WHERE c.type = 'column'
RETURN c.key AS key, c.type AS type, c.originId AS originId, c.provenance AS provenance, c.json AS json`;

export const KEYS_BY_UNIQUE_ID = `
MATCH (c:Contribution {uniqueId: $uniqueId})
RETURN DISTINCT c.key AS key`;

/** Candidates for search; the score (graph/search-score.ts) is computed on the merged views. */
export const SEARCH_CANDIDATES = `
MATCH (c:Contribution)
WHERE (c.lname CONTAINS $needle OR c.ldisplay CONTAINS $needle OR c.lkey CONTAINS $needle)
  AND c.type IN $types
RETURN DISTINCT c.key AS key`;

export const NODE_TYPES_OF = `
UNWIND $keys AS k
CALL {
  WITH k MATCH (n:Relation {key: k}) WHERE n.live RETURN 'relation' AS type
  UNION
  WITH k MATCH (n:Column {key: k}) WHERE n.live RETURN 'column' AS type
  UNION
  WITH k MATCH (n:Consumer {key: k}) WHERE n.live RETURN 'consumer' AS type
}
RETURN k AS key, type`;

/** The relation of each live column whose relation is a live relation ("columnRelation"). */
const LIVE_REL = `EXISTS { MATCH (:Relation {key: %C%.rel, live: true}) }`;
const liveRel = (v: string): string => LIVE_REL.replace('%C%', v);

const FACT_FIELDS = `e.provenance AS provenance, e.confidence AS confidence, e.firstSeen AS firstSeen,
  e.lastSeen AS lastSeen, e.queryCount AS queryCount, e.statementId AS statementId`;

/** Column edge facts touching one column (both endpoints live). */
export const COLUMN_EDGE_FACTS_OUT = `
MATCH (a:Column {key: $key, live: true})-[e:COLUMN_FLOW]->(b:Column {live: true})
RETURN a.key AS from, b.key AS to, e.kind AS kind, ${FACT_FIELDS}`;
export const COLUMN_EDGE_FACTS_IN = `
MATCH (a:Column {live: true})-[e:COLUMN_FLOW]->(b:Column {key: $key, live: true})
RETURN a.key AS from, b.key AS to, e.kind AS kind, ${FACT_FIELDS}`;

/**
 * Facts of a relation's relation-level edges leaving it: explicit relation edges plus the column edges from
 * its columns to columns of another live relation (grouped to that relation pair), plus consumer edges.
 */
export const RELATION_EDGE_FACTS_OUT = `
CALL {
  MATCH (a:Relation {key: $key, live: true})-[e:RELATION_FLOW]->(b:Relation {live: true})
  WHERE b.key <> a.key
  RETURN a.key AS from, b.key AS to, 'RELATION' AS kind, ${FACT_FIELDS}
  UNION ALL
  MATCH (:Relation {key: $key, live: true})
  MATCH (a:Column {rel: $key, live: true})-[e:COLUMN_FLOW]->(b:Column {live: true})
  WHERE b.rel <> $key AND ${liveRel('b')}
  RETURN $key AS from, b.rel AS to, 'RELATION' AS kind, ${FACT_FIELDS}
  UNION ALL
  MATCH (a:Relation {key: $key, live: true})-[e:CONSUMED_BY]->(b:Consumer {live: true})
  RETURN a.key AS from, b.key AS to, 'CONSUMER' AS kind, ${FACT_FIELDS}
}
RETURN from, to, kind, provenance, confidence, firstSeen, lastSeen, queryCount, statementId`;

export const RELATION_EDGE_FACTS_IN = `
CALL {
  MATCH (a:Relation {live: true})-[e:RELATION_FLOW]->(b:Relation {key: $key, live: true})
  WHERE b.key <> a.key
  RETURN a.key AS from, b.key AS to, 'RELATION' AS kind, ${FACT_FIELDS}
  UNION ALL
  MATCH (:Relation {key: $key, live: true})
  MATCH (a:Column {live: true})-[e:COLUMN_FLOW]->(b:Column {rel: $key, live: true})
  WHERE a.rel <> $key AND ${liveRel('a')}
  RETURN a.rel AS from, $key AS to, 'RELATION' AS kind, ${FACT_FIELDS}
}
RETURN from, to, kind, provenance, confidence, firstSeen, lastSeen, queryCount, statementId`;

export const CONSUMER_EDGE_FACTS_IN = `
MATCH (a:Relation {live: true})-[e:CONSUMED_BY]->(b:Consumer {key: $key, live: true})
RETURN a.key AS from, b.key AS to, 'CONSUMER' AS kind, ${FACT_FIELDS}`;

// ---- traversal: one query per BFS level.
// Why level-by-level instead of a variable-length pattern: the contract needs the minimum distance, the
// smallest-key parent and the first hop kind per reached node, plus exact truncation. A `*1..n` expand
// returning paths enumerates every trail (exponential on diamond-heavy DAGs); the pruning BFS expand gives
// only distinct nodes and loses the witness. One UNWIND over the frontier per level touches each edge once
// per direction (O(V + E) for the whole walk), and returns only DISTINCT (from, to, kind) triples, so
// diamonds never multiply rows. `ms` is the fact's firstSeen in epoch ms (unparsable = -Infinity), the same
// number the embedded store compares for asOf; a merged edge is followed when any fact passes.

export const STEP_COLUMN_DOWN = `
UNWIND $frontier AS k
MATCH (a:Column {key: k})-[e:COLUMN_FLOW]->(b:Column {live: true})
WHERE ($kinds IS NULL OR e.kind IN $kinds) AND ($asOf IS NULL OR e.ms <= $asOf)
RETURN DISTINCT k AS from, b.key AS to, e.kind AS kind`;

export const STEP_COLUMN_UP = `
UNWIND $frontier AS k
MATCH (a:Column {key: k})<-[e:COLUMN_FLOW]-(b:Column {live: true})
WHERE ($kinds IS NULL OR e.kind IN $kinds) AND ($asOf IS NULL OR e.ms <= $asOf)
RETURN DISTINCT k AS from, b.key AS to, e.kind AS kind`;

export const STEP_RELATION_DOWN = `
UNWIND $frontier AS k
CALL {
  WITH k
  MATCH (:Relation {key: k})-[e:RELATION_FLOW]->(b:Relation {live: true})
  WHERE b.key <> k AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k
  MATCH (:Column {rel: k, live: true})-[e:COLUMN_FLOW]->(b:Column {live: true})
  WHERE b.rel <> k AND ($asOf IS NULL OR e.ms <= $asOf)
  WITH DISTINCT b.rel AS to
  MATCH (:Relation {key: to, live: true})
  RETURN to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k
  MATCH (:Relation {key: k})-[e:CONSUMED_BY]->(b:Consumer {live: true})
  WHERE $consumers AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'CONSUMER' AS kind, 'consumer' AS type
}
RETURN k AS from, to, kind, type`;

export const STEP_RELATION_UP = `
UNWIND $frontier AS k
CALL {
  WITH k
  MATCH (:Relation {key: k})<-[e:RELATION_FLOW]-(b:Relation {live: true})
  WHERE b.key <> k AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k
  MATCH (:Column {rel: k, live: true})<-[e:COLUMN_FLOW]-(b:Column {live: true})
  WHERE b.rel <> k AND ($asOf IS NULL OR e.ms <= $asOf)
  WITH DISTINCT b.rel AS to
  MATCH (:Relation {key: to, live: true})
  RETURN to, 'RELATION' AS kind, 'relation' AS type
}
RETURN k AS from, to, kind, type`;

// ---- whole-graph summaries

export const RELATION_PAIRS = `
CALL {
  MATCH (a:Relation {live: true})-[:RELATION_FLOW]->(b:Relation {live: true})
  WHERE a.key <> b.key
  RETURN DISTINCT a.key AS from, b.key AS to
  UNION
  MATCH (a:Column {live: true})-[:COLUMN_FLOW]->(b:Column {live: true})
  WHERE a.rel <> b.rel
  WITH DISTINCT a.rel AS from, b.rel AS to
  MATCH (:Relation {key: from, live: true})
  MATCH (:Relation {key: to, live: true})
  RETURN from, to
}
RETURN from, to`;

/** Distinct merged column edges (from, to, kind) between different live relations, counted per relation. */
export const CROSS_RELATION_COLUMN_EDGES = `
MATCH (a:Column {live: true})-[e:COLUMN_FLOW]->(b:Column {live: true})
WHERE a.rel <> b.rel AND ${liveRel('a')} AND ${liveRel('b')}
WITH DISTINCT a.key AS ak, a.rel AS ar, b.key AS bk, b.rel AS br, e.kind AS kind
RETURN ar AS fromRel, br AS toRel, count(*) AS n`;

export const CONSUMER_COUNTS = `
MATCH (a:Relation {live: true})-[:CONSUMED_BY]->(b:Consumer {live: true})
RETURN a.key AS key, count(DISTINCT b) AS n`;

export const COLUMN_COUNTS = `
MATCH (c:Column {live: true})
RETURN c.rel AS key, count(*) AS n`;

export const CHECKS_BY_KEYS = `
UNWIND $keys AS k
CALL {
  WITH k MATCH (c:LineageCheck {relationKey: k}) RETURN c
  UNION
  WITH k MATCH (c:LineageCheck {columnKey: k}) RETURN c
}
RETURN DISTINCT c.originId AS originId, c.provenance AS provenance, c.json AS json`;

export const EVIDENCE_BY_KEYS = `
UNWIND $keys AS k
MATCH (e:LineageEvidence {nodeKey: k})
RETURN e.originId AS originId, e.json AS json`;

export const USAGE_ALL = `
MATCH (u:LineageUsage)
WHERE u.day >= $sinceDay AND ($untilDay IS NULL OR u.day <= $untilDay)
RETURN u.originId AS originId, u.json AS json`;

export const USAGE_BY_TARGETS = `
UNWIND $targets AS t
MATCH (u:LineageUsage {target: t})
WHERE u.day >= $sinceDay AND ($untilDay IS NULL OR u.day <= $untilDay)
RETURN u.originId AS originId, u.json AS json`;

export const FINGERPRINTS_BY_KEYS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k})
WITH k, f ORDER BY f.seq DESC
WITH k, collect(f.json)[0..$limit] AS fs
RETURN k AS key, fs`;

export const ORIGINS = `
MATCH (o:LineageOrigin)
RETURN o.id AS id, o.provenance AS provenance, o.label AS label, o.ingestedAt AS ingestedAt,
  o.relations AS relations, o.columns AS columns, o.columnEdges AS columnEdges,
  o.relationEdges AS relationEdges, o.diagnostics AS diagnostics
ORDER BY id`;

export const DIAGNOSTICS = `
MATCH (d:LineageDiagnostic)
WHERE ($originId IS NULL OR d.originId = $originId) AND ($severity IS NULL OR d.severity = $severity)
  AND ($code IS NULL OR d.code = $code)
RETURN d.originId AS originId, d.seq AS seq, d.json AS json`;

export const DIAGNOSTIC_COUNTS = `
MATCH (d:LineageDiagnostic)
RETURN d.severity AS severity, count(*) AS n`;

export const COUNT_LIVE = `
CALL { MATCH (n:Relation {live: true}) RETURN count(n) AS relations }
CALL { MATCH (n:Column {live: true}) RETURN count(n) AS columns }
CALL { MATCH (n:Consumer {live: true}) RETURN count(n) AS consumers }
CALL {
  MATCH (a:Column {live: true})-[e:COLUMN_FLOW]->(b:Column {live: true})
  WITH DISTINCT a, b, e.kind AS kind RETURN count(*) AS columnEdges
}
CALL {
  MATCH (a:Relation {live: true})-[e:CONSUMED_BY]->(b:Consumer {live: true})
  WITH DISTINCT a, b RETURN count(*) AS consumerEdges
}
RETURN relations, columns, consumers, columnEdges, consumerEdges`;

/** Test support only: removes all data but the schema marker (Community has no CREATE DATABASE). */
export const WIPE_ALL = `
MATCH (n) WHERE NOT n:LineageSchema
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`;
