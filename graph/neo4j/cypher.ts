// Every Cypher statement the Neo4j store runs, as named constants. Values always travel as parameters; no
// user string is ever concatenated into a query.
//
// Graph schema (the one place it is described; docs/neo4j.md repeats it for operators):
//
//   (:Relation {key, gens})          one per relation key ever contributed; gens = the generations that
//   (:Column   {key, rel, gens,      contribute it (rel = the column's relation key)
//               views})              views: one string per contribution, `gen \n [originId, provenance] \n json`
//                                    (json: the column's, without its key; a column is ~95 % of the nodes: its
//                                    versions live on the entity node, no Contribution node and its index
//                                    entries per column)
//   (:Consumer {key, gens})
//   (:Contribution {originId, gen, key, type, provenance, json, uniqueId, search})
//                                    one origin's version of one relation or consumer (canonical JSON); merged on
//                                    read with graph/merge.ts; search = lower-cased name, display name and key,
//                                    one per line (one text index)
//   (:LineageColumnText {gen, keys, lines, text})
//                                    the search text of a generation's columns, a few hundred per node: lines[i]
//                                    = the own search text of column keys[i] (graph/neo4j/index.ts,
//                                    columnTextDocs; a candidate filter, re-scored on read), text = the lines
//                                    joined (one text index entry per node, not per column: a column's entry
//                                    was a third of a column write)
//   (:LineageKeys {gen, kind, keys}) the column keys (kind 'column'), column-edge start keys ('edge-from') and
//                                    start keys of relation links, relation and consumer edges
//                                    ('relation-from') a generation wrote, one node per staged statement:
//                                    cleanup finds the generation's column views and relationships from them
//                                    (no index entry per column view or relationship)
//   (:Column)-[:COLUMN_FLOW {gen, kind, ms, facts}]->(:Column)  one relationship per edge fact, data flows along
//                                    it; ms = firstSeen in epoch ms (asOf); facts = the JSON array
//                                    [provenance, confidence, firstSeen, lastSeen, queryCount, statementId]
//   (:Relation)-[:RELATION_FLOW {same facts}]->(:Relation)      explicit table-level edges
//   (:Relation)-[:CONSUMED_BY {same facts}]->(:Consumer)
//   (:Relation)-[:RELATION_LINK {originId, gen, lms, n, ext}]->(:Relation)
//                                    materialized at write time: one per (generation, relation pair) implied by
//                                    the generation's column edges (self-loops excluded). lms = the smallest
//                                    `ms` of those column edges whose two columns the same origin contributes
//                                    (null if none); n = how many distinct (from, to, kind) such edges (absent
//                                    on links written before it existed); ext = some column edge has an
//                                    endpoint column contributed only by other origins (its liveness is
//                                    checked on read)
//   (:LineageCheck {originId, gen, provenance, id, relationKey, columnKey, json})
//   (:LineageEvidence {originId, gen, nodeKey, json})
//   (:LineageUsage {originId, gen, target, day, json})
//   (:LineageDiagnostic {originId, gen, seq, severity, json})
//   (:LineageFingerprint {nodeKey, seq, json})                 history: not replaced per origin
//   (:LineageOrigin {id, gen, provenance, label, ingestedAt, hash, relations, columns, columnEdges,
//                    relationEdges, diagnostics})              one per active origin; gen = its active generation
//   (:LineageGeneration {id, originId, state, startedAt})      state: staging | active | retired
//   (:LineageSchema {id: 'schema', version})                  migrations applied (graph/neo4j/schema.ts)
//
// Generations. An ingest writes the origin's new data under a fresh generation id in many bounded
// transactions (staging), then switches LineageOrigin.gen to it in one small transaction, then deletes the
// previous generation's data in bounded transactions. Every read takes `$active` = the gen of every
// LineageOrigin (read once per store call) and sees only records, edges and contributions whose `gen` is in
// it; an entity is live when one of its `gens` is active. So a crash or a dropped connection at any point
// leaves exactly the previous answers; staged or retired leftovers are invisible and deleted later.
//
// Entity nodes are never deleted, only left with no active generation, so edge facts of other origins that
// point at them come back when the node does (the embedded store keeps facts by key the same way).

/** `v` is contributed by an active generation (the `live` of an entity). */
const live = (v: string): string => `any(g IN ${v}.gens WHERE g IN active)`;

/**
 * Every read statement starts with this: the active generations (`active`), read inside the statement, so no
 * store call spends a round trip on them. CALL subqueries import `active` explicitly.
 */
const ACTIVE = 'MATCH (ao:LineageOrigin) WITH collect(ao.gen) AS active';

// ---------------------------------------------------------------- generations

export const ACTIVE_GENERATIONS = 'MATCH (o:LineageOrigin) RETURN o.gen AS gen';

/**
 * The last row of a whole-graph read (contributionsOfType): the active generations its own transaction read,
 * so a cached answer is kept only for the set it was computed from (Neo4jStore.relationGraph).
 */
const ANSWERED_FROM = `${ACTIVE}
RETURN null AS key, 'active' AS type, null AS originId, null AS provenance, active AS json`;

export const ORIGIN_STATE = 'MATCH (o:LineageOrigin {id: $originId}) RETURN o.hash AS hash, o.gen AS gen';

export const BEGIN_GENERATION = `
CREATE (:LineageGeneration {id: $gen, originId: $originId, state: 'staging', startedAt: $startedAt})`;

/**
 * Leftovers of an interrupted ingest of this origin (a crash, a dropped connection, a failed chunk) become
 * retired: one writer per origin is assumed, so a staging generation we did not start is dead. Returns every
 * retired generation of the origin (to be deleted).
 */
export const RETIRE_STAGING = `
MATCH (g:LineageGeneration {originId: $originId})
WHERE g.state IN ['staging', 'retired']
SET g.state = 'retired'
RETURN g.id AS gen ORDER BY gen`;

export const RETIRED_GENERATIONS = `
MATCH (g:LineageGeneration)
WHERE g.state = 'retired' AND ($originId IS NULL OR g.originId = $originId)
  AND coalesce(g.retiredAt, 0) <= $before
RETURN g.id AS gen ORDER BY gen`;

/** The switch, step 1: the staged generation must still be staging (nobody retired it meanwhile). */
export const ACTIVATE_GENERATION = `
MATCH (g:LineageGeneration {id: $gen})
WHERE g.state = 'staging'
SET g.state = 'active'
RETURN g.id AS gen`;

/** The switch, step 2: the origin's previous generation (if any) is retired. */
export const RETIRE_ACTIVE = `
MATCH (g:LineageGeneration {originId: $originId})
WHERE g.state = 'active' AND g.id <> $gen
SET g.state = 'retired', g.retiredAt = $retiredAt`;

/** The switch, step 3: the origin record points at the new generation. */
export const SWITCH_ORIGIN = `
MERGE (o:LineageOrigin {id: $originId})
SET o.gen = $gen, o.provenance = $provenance, o.label = $label, o.ingestedAt = $ingestedAt, o.hash = $hash,
  o.relations = $relations, o.columns = $columns, o.columnEdges = $columnEdges,
  o.relationEdges = $relationEdges, o.diagnostics = $diagnostics`;

export const DELETE_ORIGIN_RECORD = 'MATCH (o:LineageOrigin {id: $originId}) DELETE o';

export const UPDATE_ORIGIN_META = `
MATCH (o:LineageOrigin {id: $originId})
SET o.label = $label, o.ingestedAt = $ingestedAt`;

/**
 * Deleting a retired generation in bounded transactions: each statement deletes at most $limit rows; a
 * transaction runs the steps in order with a shared budget of rows and the next one resumes where the budget
 * ran out (graph/neo4j/index.ts, deleteGeneration). Contributions go first and take their generation off the
 * entity's `gens`. The LineageKeys steps handle one keys node per statement and count it as a full budget
 * (it holds up to a transaction's worth of keys), so each such node is one transaction.
 */
export const CLEANUP_STEPS: readonly string[] = [
  `MATCH (c:Contribution {gen: $gen})
WITH c LIMIT $limit
CALL { WITH c MATCH (n:Relation {key: c.key}) USING INDEX SEEK n:Relation(key) WHERE c.type = 'relation'
  SET n.gens = [g IN n.gens WHERE g <> $gen] RETURN count(*) AS a }
CALL { WITH c MATCH (n:Consumer {key: c.key}) USING INDEX SEEK n:Consumer(key) WHERE c.type = 'consumer'
  SET n.gens = [g IN n.gens WHERE g <> $gen] RETURN count(*) AS d }
DELETE c
RETURN count(*) AS n`,
  // Every SET item reads the property it writes (a direct dependency: Cypher locks the node before reading, so
  // a concurrent writer of another origin's view is not lost); views first, gens (read by both) last.
  `MATCH (k:LineageKeys {gen: $gen}) WHERE k.kind = 'column'
WITH k LIMIT 1
CALL {
  WITH k
  UNWIND k.keys AS key
  MATCH (n:Column {key: key}) USING INDEX SEEK n:Column(key)
  SET n.views = [v IN n.views WHERE NOT v STARTS WITH $gen + '\n'], n.gens = [g IN n.gens WHERE g <> $gen]
  RETURN count(*) AS c
}
DELETE k
RETURN $limit AS n`,
  `MATCH (k:LineageKeys {gen: $gen}) WHERE k.kind = 'edge-from'
WITH k LIMIT 1
CALL {
  WITH k
  UNWIND k.keys AS key
  MATCH (a:Column {key: key})-[e:COLUMN_FLOW]->() USING INDEX SEEK a:Column(key) WHERE e.gen = $gen
  DELETE e
  RETURN count(*) AS c
}
DELETE k
RETURN $limit AS n`,
  `MATCH (k:LineageKeys {gen: $gen}) WHERE k.kind = 'relation-from'
WITH k LIMIT 1
CALL {
  WITH k
  UNWIND k.keys AS key
  MATCH (a:Relation {key: key})-[e:RELATION_LINK|RELATION_FLOW|CONSUMED_BY]->() USING INDEX SEEK a:Relation(key)
  WHERE e.gen = $gen
  DELETE e
  RETURN count(*) AS c
}
DELETE k
RETURN $limit AS n`,
  'MATCH (x:LineageColumnText {gen: $gen}) WITH x LIMIT $limit DELETE x RETURN count(*) AS n',
  'MATCH (x:LineageCheck {gen: $gen}) WITH x LIMIT $limit DELETE x RETURN count(*) AS n',
  'MATCH (x:LineageEvidence {gen: $gen}) WITH x LIMIT $limit DELETE x RETURN count(*) AS n',
  'MATCH (x:LineageUsage {gen: $gen}) WITH x LIMIT $limit DELETE x RETURN count(*) AS n',
  'MATCH (x:LineageDiagnostic {gen: $gen}) WITH x LIMIT $limit DELETE x RETURN count(*) AS n',
];

export const DELETE_GENERATION = `MATCH (g:LineageGeneration {id: $gen}) WHERE g.state = 'retired' DELETE g`;

// ---------------------------------------------------------------- staged writes (one transaction per chunk)

/** The active generations of the origins other than `$originId` (none: OTHER_COLUMNS and OTHER_ENTITY_TYPES are not needed). */
export const OTHER_ACTIVE_GENERATIONS = 'MATCH (o:LineageOrigin) WHERE o.id <> $originId RETURN o.gen AS gen';

/**
 * Which of `$keys` are live columns of active origins other than the one being replaced, with their relations
 * (for batch validation and relation links). Most keys a batch references are other origins' columns; the
 * rest are looked up with OTHER_ENTITY_TYPES (a key has one type: validation keeps it so).
 */
export const OTHER_COLUMNS = `
UNWIND $keys AS k
MATCH (n:Column {key: k}) USING INDEX SEEK n:Column(key)
WHERE any(g IN n.gens WHERE g IN $active)
RETURN k AS key, 'column' AS type, n.rel AS rel`;

/** Relations and consumers of other origins among `$keys` (the batch's own columns, and keys OTHER_COLUMNS did not find). */
export const OTHER_ENTITY_TYPES = `
UNWIND $keys AS k
MATCH (c:Contribution {key: k}) USING INDEX SEEK c:Contribution(key)
WHERE c.originId <> $originId AND c.gen IN $active
RETURN DISTINCT k AS key, c.type AS type, null AS rel`;

const ADD_GEN = `n.gens = CASE WHEN $gen IN coalesce(n.gens, []) THEN n.gens ELSE coalesce(n.gens, []) + $gen END`;

/**
 * The head of a staging statement: its `$rows` are lists, not maps, named here once in order (graph/neo4j/index.ts
 * builds each row in the same order). A map packs its field names again in every row: with lists the client
 * encodes and the server decodes about half the strings (10k tables: ~8 % less ingest time, client and server).
 * A `shared` field is one most rows of a statement have in common (an edge's facts, one value per model; a
 * column's relation): each distinct value is sent once, in `$shared`, and the row holds its index there (see
 * TxBatch.rows).
 */
const unwindRows = (fields: readonly string[], shared?: string): string =>
  `UNWIND $rows AS row WITH ${fields
    .map((f, i) => (f === shared ? `$shared[row[${i}]] AS ${f}` : `row[${i}] AS ${f}`))
    .join(', ')}`;

const SHARED_FIELDS = new Map<string, number | undefined>();

/** The index of the shared field a staging statement names (see unwindRows), or undefined if it names none. */
export function sharedFieldOf(statement: string): number | undefined {
  if (!SHARED_FIELDS.has(statement)) {
    const found = /\$shared\[row\[(\d+)\]\]/.exec(statement);
    SHARED_FIELDS.set(statement, found ? Number(found[1]) : undefined);
  }
  return SHARED_FIELDS.get(statement);
}

/** The fields of a relation or consumer row (graph/neo4j/index.ts, nodeRow). */
const NODE_ROW = ['key', 'json', 'uniqueId', 'search'] as const;

export const STAGE_RELATIONS = `
${unwindRows(NODE_ROW)}
MERGE (n:Relation {key: key})
SET ${ADD_GEN}
CREATE (:Contribution {originId: $originId, gen: $gen, provenance: $provenance, type: 'relation', key: key,
  json: json, uniqueId: uniqueId, search: search})`;

/** The fields of a column row (graph/neo4j/index.ts, columnRow); the relation is shared by its columns. */
const COLUMN_ROW = ['key', 'rel', 'json'] as const;

/**
 * A column's view goes on its entity node ($head = `gen \n [originId, provenance] \n`). Every SET item reads
 * what it writes (Cypher then locks the node first: no lost update beside another origin's writer). A batch
 * holds each column once, and a generation is staged once, so the view is appended without a duplicate check.
 */
export const STAGE_COLUMNS = `
${unwindRows(COLUMN_ROW, 'rel')}
MERGE (n:Column {key: key})
SET n.rel = rel, n.views = coalesce(n.views, []) + ($head + json), ${ADD_GEN}`;

/** The search text of the columns one staged statement wrote (graph/neo4j/index.ts, columnTextDocs). */
export const STAGE_COLUMN_TEXT = `
UNWIND $docs AS d
CREATE (:LineageColumnText {gen: $gen, keys: d.keys, lines: d.lines, text: d.text})`;

/** The keys one staged statement wrote (column keys, or column-edge or relation-level edge start keys), for cleanup. */
export const STAGE_KEYS = `CREATE (:LineageKeys {gen: $gen, kind: $kind, keys: $keys})`;

export const STAGE_CONSUMERS = `
${unwindRows(NODE_ROW)}
MERGE (n:Consumer {key: key})
SET ${ADD_GEN}
CREATE (:Contribution {originId: $originId, gen: $gen, provenance: $provenance, type: 'consumer', key: key,
  json: json, uniqueId: uniqueId, search: search})`;

/** The fields of an edge row (graph/neo4j/index.ts, edgeRow). */
const EDGE_ROW = ['fromKey', 'toKey', 'kind', 'ms', 'facts'] as const;

/**
 * No originId: no read or cleanup uses it (the generation says whose edge it is). What reads filter on (gen,
 * kind, ms) are properties of their own; the facts only returned are one string (`facts`, see
 * graph/neo4j/index.ts edgeRow): one property record per edge instead of three.
 */
const EDGE_PROPS = `{gen: $gen, kind: kind, ms: ms, facts: facts}`;

/**
 * Endpoints are MATCHed: the batch was validated, so each endpoint is in the batch (staged before the edges)
 * or contributed by another origin, and entity nodes are never deleted. No RETURN (it would buffer): the
 * writer builds the RELATION_LINKs from the batch's own columns and the relations OTHER_COLUMNS gave.
 */
export const STAGE_COLUMN_EDGES = `
${unwindRows(EDGE_ROW, 'facts')}
MATCH (a:Column {key: fromKey}) USING INDEX SEEK a:Column(key)
MATCH (b:Column {key: toKey}) USING INDEX SEEK b:Column(key)
CREATE (a)-[:COLUMN_FLOW ${EDGE_PROPS}]->(b)`;

/** Rows: the links relationLinks (graph/neo4j/index.ts) makes, in this order. */
export const STAGE_RELATION_LINKS = `
${unwindRows(['fromKey', 'toKey', 'lms', 'pairEdges', 'ext'])}
MATCH (a:Relation {key: fromKey}) USING INDEX SEEK a:Relation(key)
MATCH (b:Relation {key: toKey}) USING INDEX SEEK b:Relation(key)
CREATE (a)-[:RELATION_LINK {originId: $originId, gen: $gen, lms: lms, n: pairEdges, ext: ext}]->(b)`;

export const STAGE_RELATION_EDGES = `
${unwindRows(EDGE_ROW, 'facts')}
MATCH (a:Relation {key: fromKey}) USING INDEX SEEK a:Relation(key)
MATCH (b:Relation {key: toKey}) USING INDEX SEEK b:Relation(key)
CREATE (a)-[:RELATION_FLOW ${EDGE_PROPS}]->(b)`;

export const STAGE_CONSUMER_EDGES = `
${unwindRows(EDGE_ROW, 'facts')}
MATCH (a:Relation {key: fromKey}) USING INDEX SEEK a:Relation(key)
MATCH (b:Consumer {key: toKey}) USING INDEX SEEK b:Consumer(key)
CREATE (a)-[:CONSUMED_BY ${EDGE_PROPS}]->(b)`;

export const STAGE_CHECKS = `
${unwindRows(['checkId', 'relationKey', 'columnKey', 'json'])}
CREATE (:LineageCheck {originId: $originId, gen: $gen, provenance: $provenance, id: checkId,
  relationKey: relationKey, columnKey: columnKey, json: json})`;

export const STAGE_EVIDENCE = `
${unwindRows(['nodeKey', 'json'])}
CREATE (:LineageEvidence {originId: $originId, gen: $gen, nodeKey: nodeKey, json: json})`;

export const STAGE_USAGE = `
${unwindRows(['target', 'day', 'json'])}
CREATE (:LineageUsage {originId: $originId, gen: $gen, target: target, day: day, json: json})`;

export const STAGE_DIAGNOSTICS = `
${unwindRows(['seq', 'severity', 'code', 'json'])}
CREATE (:LineageDiagnostic {originId: $originId, gen: $gen, seq: seq, severity: severity,
  code: code, json: json})`;

// ---------------------------------------------------------------- fingerprints (in the switch transaction)

export const LATEST_FINGERPRINTS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k}) USING INDEX SEEK f:LineageFingerprint(nodeKey)
WITH k, f ORDER BY f.seq DESC
WITH k, collect(f)[0] AS f
RETURN k AS key, f.seq AS seq, f.json AS json`;

export const CREATE_FINGERPRINTS = `
UNWIND $rows AS row
CREATE (:LineageFingerprint {nodeKey: row.nodeKey, seq: row.seq, json: row.json})`;

/** Keeps the newest `keep` fingerprints per node. */
export const TRIM_FINGERPRINTS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k}) USING INDEX SEEK f:LineageFingerprint(nodeKey)
WITH k, f ORDER BY f.seq DESC
WITH k, collect(f) AS fs
UNWIND fs[$keep..] AS old
DELETE old`;

// ---------------------------------------------------------------- reads (every one starts with ACTIVE)

/** The active views of a column node `n` (see STAGE_COLUMNS), as a list of strings. */
const activeViews = (n: string): string =>
  `[v IN ${n}.views WHERE any(g IN active WHERE v STARTS WITH g + '\n')]`;

/**
 * Rows: relations and consumers one per active contribution (originId, provenance, json); a column one row with
 * its active `views` (graph/neo4j/index.ts parses them).
 */
export const CONTRIBUTIONS_BY_KEYS = `
${ACTIVE}
${contributionsBody('UNWIND $keys AS k')}`;

/** CONTRIBUTIONS_BY_KEYS after ACTIVE, for the keys `k` that `unwind` yields (each once). */
function contributionsBody(unwind: string): string {
  return `${unwind}
CALL {
  WITH k, active
  MATCH (c:Contribution {key: k}) USING INDEX SEEK c:Contribution(key)
  WHERE c.gen IN active
  RETURN c.type AS type, c.originId AS originId, c.provenance AS provenance, c.json AS json, null AS views
  UNION ALL
  WITH k, active
  MATCH (n:Column {key: k}) USING INDEX SEEK n:Column(key)
  WHERE ${live('n')}
  RETURN 'column' AS type, null AS originId, null AS provenance, null AS json, ${activeViews('n')} AS views
}
RETURN k AS key, type, originId, provenance, json, views`;
}

/**
 * Every active contribution of one entity type, found from the entity label (no index on the contribution's
 * type: one index entry less per written node; migration 6 drops it).
 */
export function contributionsOfType(type: 'relation' | 'consumer'): string {
  const label = type === 'relation' ? 'Relation' : 'Consumer';
  return `${ACTIVE}
MATCH (n:${label}) WHERE ${live('n')}
MATCH (c:Contribution {key: n.key}) USING INDEX SEEK c:Contribution(key)
WHERE c.type = '${type}' AND c.gen IN active
RETURN c.key AS key, c.type AS type, c.originId AS originId, c.provenance AS provenance, c.json AS json
UNION ALL
${ANSWERED_FROM}`;
}

/**
 * The column contributions of many relations in one statement (columnsOfMany): one row per requested key that
 * is a live relation, with every active contribution of its columns (`cs`, possibly empty).
 */
export const COLUMN_CONTRIBUTIONS_OF_RELATIONS = `
${ACTIVE}
UNWIND $keys AS k
MATCH (r:Relation {key: k}) USING INDEX SEEK r:Relation(key)
WHERE ${live('r')}
CALL {
  WITH k, active
  MATCH (n:Column {rel: k}) USING INDEX SEEK n:Column(rel)
  WHERE ${live('n')}
  RETURN collect({key: n.key, type: 'column', views: ${activeViews('n')}}) AS cs
}
RETURN k AS relation, cs`;

export const KEYS_BY_UNIQUE_ID = `
${ACTIVE}
MATCH (c:Contribution {uniqueId: $uniqueId}) USING INDEX SEEK c:Contribution(uniqueId)
WHERE c.gen IN active
RETURN DISTINCT c.key AS key`;

/** Candidates for search; the score (graph/search-score.ts) is computed on the merged views. */
export const SEARCH_CANDIDATES = `
${ACTIVE}
CALL {
  WITH active
  MATCH (c:Contribution)
  WHERE c.search CONTAINS $needle
    AND c.type IN $types AND c.gen IN active
  RETURN c.key AS key
  UNION
  // In a column's own text (graph/neo4j/index.ts, columnTextDocs): an active generation's column is live.
  WITH active
  MATCH (t:LineageColumnText)
  WHERE 'column' IN $types AND t.text CONTAINS $needle AND t.gen IN active
  UNWIND range(0, size(t.keys) - 1) AS i
  WITH t, i WHERE t.lines[i] CONTAINS $needle
  RETURN t.keys[i] AS key
  UNION
  // In the relation part of a column key: the columns of a relation whose key holds the needle.
  WITH active
  MATCH (c:Contribution)
  WHERE 'column' IN $types AND c.search CONTAINS $needle AND c.type = 'relation' AND c.gen IN active
    AND toLower(c.key) CONTAINS $needle
  MATCH (n:Column {rel: c.key}) USING INDEX SEEK n:Column(rel)
  WHERE ${live('n')}
  RETURN n.key AS key
  UNION
  // Across the dot: the columns whose own text starts with what follows a dot of the needle.
  WITH active
  UNWIND $columnStarts AS colStart
  MATCH (t:LineageColumnText) USING TEXT INDEX t:LineageColumnText(text)
  WHERE 'column' IN $types AND t.text CONTAINS colStart AND t.gen IN active
  UNWIND range(0, size(t.keys) - 1) AS i
  WITH t, i WHERE t.lines[i] CONTAINS colStart AND toLower(t.keys[i]) CONTAINS $needle
  RETURN t.keys[i] AS key
  UNION
  // Across the dot: the columns of a relation whose key ends with what precedes a dot of the needle.
  WITH active
  UNWIND $relationEnds AS relEnd
  MATCH (c:Contribution)
  WHERE 'column' IN $types AND c.search CONTAINS relEnd AND c.type = 'relation' AND c.gen IN active
    AND toLower(c.key) ENDS WITH relEnd
  MATCH (n:Column {rel: c.key}) USING INDEX SEEK n:Column(rel)
  WHERE toLower(n.key) CONTAINS $needle AND ${live('n')}
  RETURN n.key AS key
}
RETURN DISTINCT key`;

/** The relation of a live column is a live relation ("columnRelation"). */
const liveRel = (v: string): string => `EXISTS { MATCH (rr:Relation {key: ${v}.rel}) WHERE ${live('rr')} }`;

const FACT_FIELDS = 'e.facts AS facts';

/**
 * The facts of one node's edges in one direction, in one statement whatever the node's type (no type lookup
 * first): a key is live under one label at most (batches are validated against other origins' types), and
 * every branch checks its own start node's liveness, so only the branches of the node's type answer.
 * Column: column edges with both endpoints live. Relation: explicit relation edges, plus the column edges
 * from (into) its columns to (from) columns of another live relation, grouped to that relation pair (merged
 * edge facts need every column-edge fact, so this walks one relation's column edges; traversals and
 * whole-graph summaries use the materialized RELATION_LINKs), plus consumer edges leaving it. Consumer:
 * consumer edges into it.
 */
const edgeFacts = (branches: (key: string) => readonly string[]): string => `
${ACTIVE}
CALL {
${branches('$key')
  .map((b) => `  WITH active\n${b}`)
  .join('\n  UNION ALL\n')}
}
RETURN from, to, kind, facts`;

/** The same facts for many nodes in one statement (edgesOfMany): `of` is the asked key the row belongs to. */
const edgeFactsOfMany = (branches: (key: string) => readonly string[]): string => `
${ACTIVE}
UNWIND $keys AS key
CALL {
${branches('key')
  .map((b) => `  WITH active, key\n${b}`)
  .join('\n  UNION ALL\n')}
}
RETURN key AS of, from, to, kind, facts`;

const factsDown = (key: string): string[] => [
  `  MATCH (a:Column {key: ${key}})-[e:COLUMN_FLOW]->(b:Column) USING INDEX SEEK a:Column(key)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, e.kind AS kind, ${FACT_FIELDS}`,
  `  MATCH (a:Relation {key: ${key}})-[e:RELATION_FLOW]->(b:Relation) USING INDEX SEEK a:Relation(key)
  WHERE e.gen IN active AND b.key <> a.key AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, 'RELATION' AS kind, ${FACT_FIELDS}`,
  `  MATCH (self:Relation {key: ${key}}) WHERE ${live('self')}
  MATCH (a:Column {rel: ${key}})-[e:COLUMN_FLOW]->(b:Column) USING INDEX SEEK a:Column(rel)
  WHERE e.gen IN active AND b.rel <> ${key} AND ${live('a')} AND ${live('b')} AND ${liveRel('b')}
  RETURN ${key} AS from, b.rel AS to, 'RELATION' AS kind, ${FACT_FIELDS}`,
  `  MATCH (a:Relation {key: ${key}})-[e:CONSUMED_BY]->(b:Consumer) USING INDEX SEEK a:Relation(key)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, 'CONSUMER' AS kind, ${FACT_FIELDS}`,
];

const factsUp = (key: string): string[] => [
  `  MATCH (a:Column)-[e:COLUMN_FLOW]->(b:Column {key: ${key}}) USING INDEX SEEK b:Column(key)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, e.kind AS kind, ${FACT_FIELDS}`,
  `  MATCH (a:Relation)-[e:RELATION_FLOW]->(b:Relation {key: ${key}}) USING INDEX SEEK b:Relation(key)
  WHERE e.gen IN active AND b.key <> a.key AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, 'RELATION' AS kind, ${FACT_FIELDS}`,
  `  MATCH (self:Relation {key: ${key}}) WHERE ${live('self')}
  MATCH (a:Column)-[e:COLUMN_FLOW]->(b:Column {rel: ${key}}) USING INDEX SEEK b:Column(rel)
  WHERE e.gen IN active AND a.rel <> ${key} AND ${live('a')} AND ${live('b')} AND ${liveRel('a')}
  RETURN a.rel AS from, ${key} AS to, 'RELATION' AS kind, ${FACT_FIELDS}`,
  `  MATCH (a:Relation)-[e:CONSUMED_BY]->(b:Consumer {key: ${key}}) USING INDEX SEEK b:Consumer(key)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  RETURN a.key AS from, b.key AS to, 'CONSUMER' AS kind, ${FACT_FIELDS}`,
];

export const EDGE_FACTS_DOWN = edgeFacts(factsDown);
export const EDGE_FACTS_UP = edgeFacts(factsUp);
export const EDGE_FACTS_DOWN_MANY = edgeFactsOfMany(factsDown);
export const EDGE_FACTS_UP_MANY = edgeFactsOfMany(factsUp);

// ---- traversal: one query per BFS level.
// Why level-by-level instead of a variable-length pattern: the contract needs the minimum distance, the
// smallest-key parent and the first hop kind per reached node, plus exact truncation. A `*1..n` expand
// returning paths enumerates every trail (exponential on diamond-heavy DAGs); the pruning BFS expand gives
// only distinct nodes and loses the witness. One UNWIND over the frontier per level touches each edge once
// per direction (O(V + E) for the whole walk), and returns only DISTINCT (from, to, kind) triples, so
// diamonds never multiply rows. `ms` is the fact's firstSeen in epoch ms (unparsable = -Infinity), the same
// number the embedded store compares for asOf; a merged edge is followed when any fact passes.
// The generation filter is a property test on the expanded relationship and node (`e.gen IN active`, the
// node's `gens`), applied in the Filter right after the Expand: PROFILE shows NodeUniqueIndexSeek(key) ->
// Expand(All) -> Filter -> Distinct, the same plan shape as without generations (no extra index lookups, no
// Eager). A lookup of an (:Origin)-[:ACTIVE]->(:Generation) node per row instead would add one join per
// expanded edge. `USING INDEX` on the start node is deliberate: with one active generation the planner
// rewrote `e.gen IN $active` (then a parameter) to `e.gen = $active[0]` and was seen to pick the relationship index on `gen`
// (dropped by migration 7)
// (there for cleanup) — a seek over every edge of the generation, then a filter on the start key — for the
// CONSUMED_BY branch; the hint keeps every per-key read anchored on the key (or rel) index. It is `USING INDEX
// SEEK`, here and in every statement that looks nodes up by key: a plain `USING INDEX` is also satisfied by a
// scan of the whole index, and a statement planned while the store is nearly empty (the first ingest, every
// index estimated at 0 rows) was seen to scan all of Contribution(key) once per looked-up key (15-20M rows per
// 5,000-key validation read, 3-6 s instead of 30-300 ms), a plan the cache then kept.

export const STEP_COLUMN_DOWN = `
${ACTIVE}
UNWIND $frontier AS k
MATCH (a:Column {key: k})-[e:COLUMN_FLOW]->(b:Column) USING INDEX SEEK a:Column(key)
WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  AND ($kinds IS NULL OR e.kind IN $kinds) AND ($asOf IS NULL OR e.ms <= $asOf)
RETURN DISTINCT k AS from, b.key AS to, e.kind AS kind`;

export const STEP_COLUMN_UP = `
${ACTIVE}
UNWIND $frontier AS k
MATCH (a:Column {key: k})<-[e:COLUMN_FLOW]-(b:Column) USING INDEX SEEK a:Column(key)
WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  AND ($kinds IS NULL OR e.kind IN $kinds) AND ($asOf IS NULL OR e.ms <= $asOf)
RETURN DISTINCT k AS from, b.key AS to, e.kind AS kind`;

/**
 * A materialized link stands for its generation's column edges between the two relations. It holds when a
 * column edge between columns its own origin contributes passed asOf (`lms`, no further check: those columns
 * are live while the generation is active), or — only for links with `ext`, i.e. some column edge ends at a
 * column only other origins contribute — when such a column edge with two live columns passes (checked on the
 * column edges of that one pair). The relations' liveness is checked on the relation nodes.
 */
const linkHolds = (from: string, to: string, asOf = '$asOf'): string => `(
  (l.lms IS NOT NULL AND (${asOf} IS NULL OR l.lms <= ${asOf}))
  OR (l.ext AND EXISTS {
    MATCH (x:Column {rel: ${from}})-[e:COLUMN_FLOW]->(y:Column) USING INDEX SEEK x:Column(rel)
    WHERE y.rel = ${to} AND e.gen = l.gen AND ${live('x')} AND ${live('y')} AND (${asOf} IS NULL OR e.ms <= ${asOf})
  }))`;

export const STEP_RELATION_DOWN = `
${ACTIVE}
UNWIND $frontier AS k
CALL {
  WITH k, active
  MATCH (s:Relation {key: k})-[e:RELATION_FLOW]->(b:Relation) USING INDEX SEEK s:Relation(key)
  WHERE e.gen IN active AND b.key <> k AND ${live('s')} AND ${live('b')} AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k, active
  MATCH (s:Relation {key: k})-[l:RELATION_LINK]->(b:Relation) USING INDEX SEEK s:Relation(key)
  WHERE l.gen IN active AND ${live('s')} AND ${live('b')} AND ${linkHolds('k', 'b.key')}
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k, active
  MATCH (s:Relation {key: k})-[e:CONSUMED_BY]->(b:Consumer) USING INDEX SEEK s:Relation(key)
  WHERE $consumers AND e.gen IN active AND ${live('s')} AND ${live('b')} AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'CONSUMER' AS kind, 'consumer' AS type
}
RETURN k AS from, to, kind, type`;

export const STEP_RELATION_UP = `
${ACTIVE}
UNWIND $frontier AS k
CALL {
  WITH k, active
  MATCH (s:Relation {key: k})<-[e:RELATION_FLOW]-(b:Relation) USING INDEX SEEK s:Relation(key)
  WHERE e.gen IN active AND b.key <> k AND ${live('s')} AND ${live('b')} AND ($asOf IS NULL OR e.ms <= $asOf)
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
  UNION
  WITH k, active
  MATCH (s:Relation {key: k})<-[l:RELATION_LINK]-(b:Relation) USING INDEX SEEK s:Relation(key)
  WHERE l.gen IN active AND ${live('s')} AND ${live('b')} AND ${linkHolds('b.key', 'k')}
  RETURN DISTINCT b.key AS to, 'RELATION' AS kind, 'relation' AS type
}
RETURN k AS from, to, kind, type`;

const liveIn = live;

/**
 * The start of a one-statement walk: the active generations (read in the statement, no round trip of their
 * own), then the live starts of `label` (`valid`, sorted by the caller) and their nodes (`ss`).
 */
const WALK_START = (label: 'Column' | 'Relation'): string => `
${ACTIVE}
OPTIONAL MATCH (s:${label}) USING INDEX SEEK s:${label}(key)
WHERE s.key IN $starts AND ${liveIn('s')}
WITH active, collect(s) AS ss, collect(s.key) AS valid`;

/** Which optional filters a walk applies: a statement per combination leaves the unused ones out entirely. */
export interface WalkFilters {
  kinds: boolean;
  asOf: boolean;
}

/**
 * The reached nodes `d` at their BFS `distance` (from the var-length expand), with `preds` only where the
 * result can use them: nodes within maxDepth and no farther than the `$limit`-th nearest one (only the first
 * `$limit` in (distance, key) order are kept, and their parents are nearer still). A walk that reaches
 * thousands of nodes with a small limit computes a few parents, not thousands.
 */
const withPreds = (into: string, type: string): string => `
  WITH active, d, distance ORDER BY distance
  WITH active, collect([d, distance]) AS found
  WITH active, found,
    CASE WHEN $limit = 0 THEN 0 WHEN size(found) > $limit THEN found[$limit - 1][1] ELSE $maxDepth END AS upto
  UNWIND found AS f
  WITH active, f[0] AS d, f[1] AS distance, upto
  CALL {
    WITH active, d, distance, upto${into}
  }
  RETURN collect([d.key, distance, preds, '${type}']) AS rows,
    collect(CASE WHEN distance <= $maxDepth THEN [d, distance] END) AS near`;

/**
 * A whole column-level traversal in one statement (one round trip with the active generations and the start
 * check): a pruning BFS var-length expand (each node visited once, `min(length(p))` is its BFS depth; never
 * paths) over live columns and the column edges passing the filters, to `depth` = maxDepth + 1 hops (the
 * extra hop only tells "truncated by depth"), then the followed edges into the nodes that need a parent
 * (`preds`, see withPreds), from which graph/traversal.ts picks the witness parent. Var-length bounds must be
 * literals: `depth` is a validated integer. One row: `valid` (the live starts) and `rows`
 * ([key, distance, preds, type]). PROFILE (2k and 10k tables): NodeUniqueIndexSeek(key) ->
 * VarLengthExpand(Pruning,BFS) with the generation and filter predicates inlined -> per reached node
 * Expand(All) into it; no index scan, no Eager.
 */
export function columnTraversal(downstream: boolean, depth: number, filters: WalkFilters): string {
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`bad traversal depth ${depth}`);
  const [l, r] = downstream ? ['-', '->'] : ['<-', '-'];
  const [il, ir] = downstream ? ['<-', '-'] : ['-', '->'];
  const pass = (e: string): string =>
    [
      `${e}.gen IN active`,
      ...(filters.kinds ? [`${e}.kind IN $kinds`] : []),
      ...(filters.asOf ? [`${e}.ms <= $asOf`] : []),
    ].join(' AND ');
  return `${WALK_START('Column')}
CALL {
  WITH active, ss, valid
  UNWIND ss AS s
  MATCH p = (s)${l}[:COLUMN_FLOW*1..${depth}]${r}(d:Column)
  WHERE all(e IN relationships(p) WHERE ${pass('e')}) AND all(n IN nodes(p) WHERE ${liveIn('n')})
  WITH active, valid, d, min(length(p)) AS distance
  WHERE NOT d.key IN valid${withPreds(
    `
    MATCH (d)${il}[e:COLUMN_FLOW]${ir}(x:Column)
    WHERE distance <= upto AND distance <= $maxDepth AND ${pass('e')} AND ${liveIn('x')}
    RETURN collect(DISTINCT [x.key, e.kind]) AS preds`,
    'column',
  )}
}
RETURN valid, rows`;
}

/**
 * A relation-level edge `e` (RELATION_FLOW or RELATION_LINK) is followed: explicit relation edges by their
 * generation and asOf, materialized links by linkHolds (see above) on their own two relations.
 */
const relationHop = (e: string, asOf: boolean): string => {
  const before = (v: string): string => (asOf ? ` AND ${v} <= $asOf` : '');
  return `CASE type(${e})
  WHEN 'RELATION_FLOW' THEN ${e}.gen IN active${before(`${e}.ms`)}
  ELSE ${e}.gen IN active AND (
    (${e}.lms IS NOT NULL${before(`${e}.lms`)})
    OR (${e}.ext AND EXISTS {
      MATCH (x:Column {rel: startNode(${e}).key})-[c:COLUMN_FLOW]->(y:Column)
      WHERE y.rel = endNode(${e}).key AND c.gen = ${e}.gen AND ${liveIn('x')} AND ${liveIn('y')}${before('c.ms')}
    }))
  END`;
};

/**
 * A whole relation-level traversal in one statement, the same shape as columnTraversal: a pruning BFS over
 * live relations along followed RELATION_FLOW / RELATION_LINK edges (self-loops never give a parent: a node's
 * preds are taken at distance - 1), then, downstream with `$consumers`, the consumers of the starts and of
 * the relations within maxDepth (distance = the nearest such relation's + 1). Rows are
 * [key, distance, preds, type].
 */
export function relationTraversal(downstream: boolean, depth: number, filters: WalkFilters): string {
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`bad traversal depth ${depth}`);
  const [l, r] = downstream ? ['-', '->'] : ['<-', '-'];
  const [il, ir] = downstream ? ['<-', '-'] : ['-', '->'];
  const hop = (e: string): string => relationHop(e, filters.asOf);
  const consumers = downstream
    ? `
CALL {
  WITH active, ss, near
  UNWIND [s IN ss | [s, 0]] + near AS pair
  WITH active, pair[0] AS f, pair[1] AS dist
  MATCH (f)-[e:CONSUMED_BY]->(c:Consumer)
  // any(g IN active WHERE g = e.gen), not e.gen IN active: that one makes the planner seek the CONSUMED_BY(gen)
  // index (every consumer edge of the generation, per row) instead of expanding from f.
  WHERE $consumers AND any(g IN active WHERE g = e.gen)${filters.asOf ? ' AND e.ms <= $asOf' : ''} AND ${liveIn('c')}
  WITH c, min(dist) + 1 AS distance, collect(DISTINCT [f.key, 'CONSUMER']) AS preds
  RETURN collect([c.key, distance, preds, 'consumer']) AS crows
}`
    : `
WITH valid, rows, [] AS crows`;
  return `${WALK_START('Relation')}
CALL {
  WITH active, ss, valid
  UNWIND ss AS s
  MATCH p = (s)${l}[:RELATION_FLOW|RELATION_LINK*1..${depth}]${r}(d:Relation)
  WHERE all(e IN relationships(p) WHERE ${hop('e')}) AND all(n IN nodes(p) WHERE ${liveIn('n')})
  WITH active, valid, d, min(length(p)) AS distance
  WHERE NOT d.key IN valid${withPreds(
    `
    MATCH (d)${il}[e:RELATION_FLOW|RELATION_LINK]${ir}(x:Relation)
    WHERE distance <= upto AND distance <= $maxDepth AND x <> d AND ${hop('e')} AND ${liveIn('x')}
    RETURN collect(DISTINCT [x.key, 'RELATION']) AS preds`,
    'relation',
  )}
}${consumers}
RETURN valid, rows + crows AS rows`;
}

// ---- readMany: a step read and the nodes it reaches in one statement

/** A step read (STEP_*: starts with ACTIVE) and the columns it returns. */
export interface StepRead {
  statement: string;
  columns: readonly string[];
}

/** The statement after its ACTIVE line (stepWithNodes reads the active generations once for both parts). */
function afterActive(statement: string): string {
  const head = `\n${ACTIVE}\n`;
  if (!statement.startsWith(head)) throw new Error('stepWithNodes: a step statement must start with ACTIVE');
  return statement.slice(head.length);
}

/**
 * A step read and the nodes at both ends of its hops, for readMany's `steps.nodes`: `hops`, the step's rows
 * (maps of its columns), and `nodes`, the rows of CONTRIBUTIONS_BY_KEYS for `$n_keys` and every hop's `to`,
 * each key once; one row. One text per step statement: the server plans it once.
 */
export function stepWithNodes(step: StepRead): string {
  return `${ACTIVE}
CALL {
  WITH active
  CALL {
    WITH active
${afterActive(step.statement)}
  }
  RETURN collect({${step.columns.map((c) => `\`${c}\`: \`${c}\``).join(', ')}}) AS hops
}
CALL {
  WITH active, hops
  CALL {
    WITH active, hops
${contributionsBody(`UNWIND $n_keys + [h IN hops | h.to] AS nk
WITH DISTINCT nk AS k, active`)}
  }
  RETURN collect({key: key, type: type, originId: originId, provenance: provenance, json: json, views: views}) AS nodes
}
RETURN hops, nodes`;
}

/**
 * The checks on `$keys` and on the live columns of the live relations `$rels` (readMany's checks read), with
 * the key each was found by (`k`) and its node id: the caller keeps those found by an asked key or by a key
 * columnsOf answers for `$rels`, each check once.
 */
export const CHECKS_BY_KEYS_AND_COLUMNS = `
${ACTIVE}
CALL {
  WITH active
  UNWIND $keys AS k
  RETURN k
  UNION
  WITH active
  UNWIND $rels AS rk
  MATCH (r:Relation {key: rk}) USING INDEX SEEK r:Relation(key)
  WHERE ${live('r')}
  MATCH (n:Column {rel: rk}) USING INDEX SEEK n:Column(rel)
  WHERE ${live('n')}
  RETURN n.key AS k
}
CALL {
  WITH k, active MATCH (c:LineageCheck {relationKey: k}) USING INDEX SEEK c:LineageCheck(relationKey) RETURN c
  UNION
  WITH k, active MATCH (c:LineageCheck {columnKey: k}) USING INDEX SEEK c:LineageCheck(columnKey) RETURN c
}
WITH k, c, active WHERE c.gen IN active
RETURN k, elementId(c) AS id, c.originId AS originId, c.provenance AS provenance, c.json AS json`;

// ---- whole-graph summaries (each a body after ACTIVE; relationGraph sends them as one statement)

/**
 * Every relation pair (a, b) with its two facts, after ACTIVE: `pair` 1 when (a, b) is an edge of the relation
 * adjacency (a live explicit edge between two different live relations, or an active link that holds), `n`
 * the distinct merged column edges (from, to, kind) from a's columns to b's. The one definition of the
 * adjacency on Neo4j (relationGraph's edges, stats' relation edges).
 */
const PAIR_FACTS = `CALL {
  WITH active
  MATCH (a:Relation)-[e:RELATION_FLOW]->(b:Relation)
  WHERE e.gen IN active AND a.key <> b.key AND ${live('a')} AND ${live('b')}
  WITH DISTINCT a, b
  RETURN a, b, 1 AS pair, 0 AS n
  UNION ALL
  WITH active
  MATCH (a:Relation)-[l:RELATION_LINK]->(b:Relation)
  WHERE l.gen IN active AND ${live('a')} AND ${live('b')}
  WITH active, a, b, collect(l) AS ls
  CALL {
    WITH ls
    WITH ls WHERE size(ls) = 1 AND ls[0].ext = false AND ls[0].n IS NOT NULL
    RETURN CASE WHEN ls[0].lms IS NOT NULL THEN 1 ELSE 0 END AS pair, ls[0].n AS n
    UNION ALL
    WITH active, a, b, ls
    WITH active, a, b, ls WHERE size(ls) > 1 OR coalesce(ls[0].ext, true) OR ls[0].n IS NULL
    CALL {
      WITH active, a, b
      MATCH (x:Column {rel: a.key})-[e:COLUMN_FLOW]->(y:Column) USING INDEX SEEK x:Column(rel)
      WHERE y.rel = b.key AND e.gen IN active AND ${live('x')} AND ${live('y')}
      WITH DISTINCT x.key AS xk, y.key AS yk, e.kind AS kind
      RETURN count(*) AS n
    }
    RETURN CASE WHEN any(l IN ls WHERE ${linkHolds('a.key', 'b.key', 'null').replace(/\n/g, '\n      ')}) THEN 1 ELSE 0 END AS pair, n
  }
  RETURN a, b, pair, n
}
WITH active, a, b, max(pair) AS pair, sum(n) AS n WHERE pair = 1 OR n > 0`;

/** How many distinct relation pairs (stats: counted on the server, not sent). */
export const RELATION_PAIR_COUNT = `
${ACTIVE}
${PAIR_FACTS}
WITH pair WHERE pair = 1
RETURN count(*) AS n`;

/**
 * The counts of relationGraph in one statement, one row per relation pair and per consumed relation (no
 * collected lists: at 150k tables there are 295k pairs). `part` 'pair': the facts of PAIR_FACTS; 'consumers':
 * a's consumer count in `n`. One pass over the links gives both facts of a pair: a pair with one active link
 * that has no foreign endpoint (`ext` false) takes them from that link (`lms`, `n`: its columns are live while
 * its generation is); only the other pairs (two origins' links, foreign endpoints, links older than `n`) walk
 * their column edges. Scanning every column edge instead took 4.1 s at 10k tables and did not finish in the
 * query timeout at 150k; at 150k this statement took 3.9-10 s (the separate pair and count passes before it,
 * 8-19 s).
 */
export const RELATION_SUMMARY = `
${ACTIVE}
${PAIR_FACTS}
RETURN 'pair' AS part, a.key AS a, b.key AS b, pair, n
UNION ALL
${ACTIVE}
MATCH (r:Relation)-[e:CONSUMED_BY]->(c:Consumer)
WHERE e.gen IN active AND ${live('r')} AND ${live('c')}
RETURN 'consumers' AS part, r.key AS a, null AS b, 0 AS pair, count(DISTINCT c) AS n
UNION ALL
${ACTIVE}
RETURN 'active' AS part, null AS a, active AS b, 0 AS pair, 0 AS n`;

/**
 * relationsWithoutReaders: live relations with no PAIR_FACTS pair (`pair` 1) starting at them and no live
 * consumer, each asked with EXISTS (stops at the first reader found); only these keys are sent.
 */
export const RELATIONS_WITHOUT_READERS = `
${ACTIVE}
MATCH (a:Relation) WHERE ${live('a')}
WITH active, a
WHERE NOT EXISTS {
    MATCH (a)-[e:RELATION_FLOW]->(b:Relation)
    WHERE e.gen IN active AND b.key <> a.key AND ${live('b')}
  }
  AND NOT EXISTS {
    MATCH (a)-[l:RELATION_LINK]->(b:Relation)
    WHERE l.gen IN active AND b.key <> a.key AND ${live('b')} AND ${linkHolds('a.key', 'b.key', 'null')}
  }
  AND NOT EXISTS {
    MATCH (a)-[e:CONSUMED_BY]->(c:Consumer)
    WHERE e.gen IN active AND ${live('c')}
  }
RETURN a.key AS key`;

/** consumedRelations: live relations a live consumer reads (the 'consumers' part of RELATION_SUMMARY). */
export const CONSUMED_RELATIONS = `
${ACTIVE}
MATCH (r:Relation)-[e:CONSUMED_BY]->(c:Consumer)
WHERE e.gen IN active AND ${live('r')} AND ${live('c')}
RETURN DISTINCT r.key AS key`;

export const CHECKS_BY_KEYS = `
${ACTIVE}
UNWIND $keys AS k
CALL {
  WITH k, active MATCH (c:LineageCheck {relationKey: k}) USING INDEX SEEK c:LineageCheck(relationKey) RETURN c
  UNION
  WITH k, active MATCH (c:LineageCheck {columnKey: k}) USING INDEX SEEK c:LineageCheck(columnKey) RETURN c
}
WITH DISTINCT c, active WHERE c.gen IN active
RETURN c.originId AS originId, c.provenance AS provenance, c.json AS json`;

export const EVIDENCE_BY_KEYS = `
${ACTIVE}
UNWIND $keys AS k
MATCH (e:LineageEvidence {nodeKey: k}) USING INDEX SEEK e:LineageEvidence(nodeKey)
WHERE e.gen IN active
RETURN e.originId AS originId, e.json AS json`;

export const USAGE_ALL = `
${ACTIVE}
MATCH (u:LineageUsage)
WHERE u.gen IN active AND u.day >= $sinceDay AND ($untilDay IS NULL OR u.day <= $untilDay)
RETURN u.originId AS originId, u.json AS json`;

export const USAGE_BY_TARGETS = `
${ACTIVE}
UNWIND $targets AS t
MATCH (u:LineageUsage {target: t}) USING INDEX SEEK u:LineageUsage(target)
WHERE u.gen IN active AND u.day >= $sinceDay AND ($untilDay IS NULL OR u.day <= $untilDay)
RETURN u.originId AS originId, u.json AS json`;

export const FINGERPRINTS_BY_KEYS = `
UNWIND $keys AS k
MATCH (f:LineageFingerprint {nodeKey: k}) USING INDEX SEEK f:LineageFingerprint(nodeKey)
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
${ACTIVE}
MATCH (d:LineageDiagnostic)
WHERE d.gen IN active AND ($originId IS NULL OR d.originId = $originId)
  AND ($severity IS NULL OR d.severity = $severity) AND ($code IS NULL OR d.code = $code)
RETURN d.originId AS originId, d.seq AS seq, d.json AS json`;

export const DIAGNOSTIC_COUNTS = `
${ACTIVE}
MATCH (d:LineageDiagnostic)
WHERE d.gen IN active
RETURN d.severity AS severity, count(*) AS n`;

export const COUNT_LIVE = `
${ACTIVE}
CALL { WITH active MATCH (n:Relation) WHERE ${live('n')} RETURN count(n) AS relations }
CALL { WITH active MATCH (n:Column) WHERE ${live('n')} RETURN count(n) AS columns }
CALL { WITH active MATCH (n:Consumer) WHERE ${live('n')} RETURN count(n) AS consumers }
CALL {
  WITH active
  MATCH (a:Column)-[e:COLUMN_FLOW]->(b:Column)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  WITH DISTINCT a, b, e.kind AS kind RETURN count(*) AS columnEdges
}
CALL {
  WITH active
  MATCH (a:Relation)-[e:CONSUMED_BY]->(b:Consumer)
  WHERE e.gen IN active AND ${live('a')} AND ${live('b')}
  WITH DISTINCT a, b RETURN count(*) AS consumerEdges
}
RETURN relations, columns, consumers, columnEdges, consumerEdges`;

/**
 * size(): node counts by label from the count store (no scan, no generation check), so staged and retired
 * nodes are counted too.
 */
export const LABEL_COUNTS = `
CALL { MATCH (n:Relation) RETURN count(n) AS relations }
CALL { MATCH (n:Column) RETURN count(n) AS columns }
RETURN relations, columns`;

/** Test support only: removes all data but the schema marker (Community has no CREATE DATABASE). */
export const WIPE_ALL = `
MATCH (n) WHERE NOT n:LineageSchema
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`;
