// Schema migrations for the Neo4j store: constraints and indexes, applied in order once per database.
// The applied version lives on the (:LineageSchema {id: 'schema'}) node; every statement is idempotent
// (IF NOT EXISTS), so two processes migrating at once converge.
import type { Driver } from 'neo4j-driver';

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
  /** Data conversions, run after the statements as auto-commit queries (they may batch with IN TRANSACTIONS). */
  data?: readonly string[];
}

const legacyGen = (label: string): string => `
MATCH (n:${label}) WHERE n.gen IS NULL
CALL { WITH n SET n.gen = n.originId } IN TRANSACTIONS OF 10000 ROWS`;
const legacyEdgeGen = (type: string): string => `
MATCH ()-[e:${type}]->() WHERE e.gen IS NULL
CALL { WITH e SET e.gen = e.originId } IN TRANSACTIONS OF 10000 ROWS`;
const legacyGens = (label: string, type: string): string => `
MATCH (n:${label}) WHERE n.gens IS NULL
CALL {
  WITH n
  SET n.gens = COLLECT { MATCH (c:Contribution {key: n.key}) WHERE c.type = '${type}' RETURN DISTINCT c.gen },
    n.live = null
} IN TRANSACTIONS OF 10000 ROWS`;

/**
 * A Cypher string expression as a JSON string literal (quotes, backslashes and control characters escaped as
 * JSON.stringify does for the characters origin ids and provenances can hold).
 */
const jsonString = (v: string): string =>
  `'"' + replace(replace(replace(replace(replace(${v}, '\\\\', '\\\\\\\\'), '"', '\\\\"'), '\\n', '\\\\n'), '\\r', '\\\\r'), '\\t', '\\\\t') + '"'`;

/** jsonString, or the JSON literal null when the property is absent. */
const jsonOrNull = (v: string): string => `CASE WHEN ${v} IS NULL THEN 'null' ELSE ${jsonString(v)} END`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description:
      'keys unique per entity label; lookup indexes for contributions and records (the originId indexes it ' +
      'once had are dropped by version 4)',
    statements: [
      'CREATE CONSTRAINT relation_key IF NOT EXISTS FOR (n:Relation) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT column_key IF NOT EXISTS FOR (n:Column) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT consumer_key IF NOT EXISTS FOR (n:Consumer) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT origin_id IF NOT EXISTS FOR (n:LineageOrigin) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT schema_id IF NOT EXISTS FOR (n:LineageSchema) REQUIRE n.id IS UNIQUE',
      'CREATE INDEX column_rel IF NOT EXISTS FOR (n:Column) ON (n.rel)',
      'CREATE INDEX contribution_key IF NOT EXISTS FOR (n:Contribution) ON (n.key)',
      'CREATE INDEX contribution_unique_id IF NOT EXISTS FOR (n:Contribution) ON (n.uniqueId)',
      'CREATE INDEX check_relation IF NOT EXISTS FOR (n:LineageCheck) ON (n.relationKey)',
      'CREATE INDEX check_column IF NOT EXISTS FOR (n:LineageCheck) ON (n.columnKey)',
      'CREATE INDEX evidence_node IF NOT EXISTS FOR (n:LineageEvidence) ON (n.nodeKey)',
      'CREATE INDEX usage_target IF NOT EXISTS FOR (n:LineageUsage) ON (n.target)',
      'CREATE INDEX fingerprint_node IF NOT EXISTS FOR (n:LineageFingerprint) ON (n.nodeKey)',
    ],
  },
  {
    version: 2,
    description: 'text indexes for search (CONTAINS on lower-cased name, display name, key)',
    // Its three text indexes (lname, ldisplay, lkey) are replaced by version 5's one; a fresh database does
    // not build them only to drop them.
    statements: [],
  },
  {
    version: 3,
    description:
      'generations (staged writes): gen indexes, materialized RELATION_LINKs; data of version 2 becomes ' +
      'generation <origin id>',
    statements: [
      'CREATE CONSTRAINT generation_id IF NOT EXISTS FOR (n:LineageGeneration) REQUIRE n.id IS UNIQUE',
      'CREATE INDEX generation_origin IF NOT EXISTS FOR (n:LineageGeneration) ON (n.originId)',
      'CREATE INDEX contribution_gen IF NOT EXISTS FOR (n:Contribution) ON (n.gen)',
      'CREATE INDEX column_flow_gen IF NOT EXISTS FOR ()-[e:COLUMN_FLOW]-() ON (e.gen)',
      'CREATE INDEX relation_flow_gen IF NOT EXISTS FOR ()-[e:RELATION_FLOW]-() ON (e.gen)',
      'CREATE INDEX consumed_by_gen IF NOT EXISTS FOR ()-[e:CONSUMED_BY]-() ON (e.gen)',
      'CREATE INDEX relation_link_gen IF NOT EXISTS FOR ()-[e:RELATION_LINK]-() ON (e.gen)',
      'CREATE INDEX check_gen IF NOT EXISTS FOR (n:LineageCheck) ON (n.gen)',
      'CREATE INDEX evidence_gen IF NOT EXISTS FOR (n:LineageEvidence) ON (n.gen)',
      'CREATE INDEX usage_gen IF NOT EXISTS FOR (n:LineageUsage) ON (n.gen)',
      'CREATE INDEX diagnostic_gen IF NOT EXISTS FOR (n:LineageDiagnostic) ON (n.gen)',
    ],
    data: [
      `MATCH (o:LineageOrigin) WHERE o.gen IS NULL
       SET o.gen = o.id
       MERGE (g:LineageGeneration {id: o.id}) SET g.originId = o.id, g.state = 'active'`,
      legacyGen('Contribution'),
      legacyGen('LineageCheck'),
      legacyGen('LineageEvidence'),
      legacyGen('LineageUsage'),
      legacyGen('LineageDiagnostic'),
      legacyEdgeGen('COLUMN_FLOW'),
      legacyEdgeGen('RELATION_FLOW'),
      legacyEdgeGen('CONSUMED_BY'),
      legacyGens('Relation', 'relation'),
      legacyGens('Column', 'column'),
      legacyGens('Consumer', 'consumer'),
      // Links of version-2 data (later ingests build them in graph/neo4j/index.ts), per legacy generation.
      `MATCH (o:LineageOrigin) WHERE o.gen = o.id
         AND NOT EXISTS { MATCH ()-[l:RELATION_LINK {gen: o.gen}]->() }
       CALL {
         WITH o
         MATCH (a:Column)-[e:COLUMN_FLOW {gen: o.gen}]->(b:Column)
         WHERE a.rel <> b.rel
         WITH o, a.rel AS ar, b.rel AS br, e.ms AS ms,
           EXISTS { MATCH (c:Contribution {key: a.key}) WHERE c.gen = o.gen }
             AND EXISTS { MATCH (c:Contribution {key: b.key}) WHERE c.gen = o.gen } AS local
         WITH o, ar, br, min(CASE WHEN local THEN ms END) AS lms, max(CASE WHEN local THEN 0 ELSE 1 END) = 1 AS ext
         MATCH (x:Relation {key: ar})
         MATCH (y:Relation {key: br})
         CREATE (x)-[:RELATION_LINK {originId: o.id, gen: o.gen, lms: lms, ext: ext}]->(y)
       } IN TRANSACTIONS OF 1 ROWS`,
    ],
  },
  {
    version: 4,
    description:
      'thin writes: drop the originId indexes no read uses (reads and cleanup select by generation)',
    statements: [
      'DROP INDEX contribution_origin IF EXISTS',
      'DROP INDEX column_flow_origin IF EXISTS',
      'DROP INDEX relation_flow_origin IF EXISTS',
      'DROP INDEX consumed_by_origin IF EXISTS',
      'DROP INDEX check_origin IF EXISTS',
      'DROP INDEX evidence_origin IF EXISTS',
      'DROP INDEX usage_origin IF EXISTS',
      'DROP INDEX diagnostic_origin IF EXISTS',
    ],
  },
  {
    version: 5,
    description:
      'thin writes: one text index for search (name, display name and key in one property) instead of three',
    statements: ['CREATE TEXT INDEX contribution_search IF NOT EXISTS FOR (n:Contribution) ON (n.search)'],
    data: [
      `MATCH (c:Contribution) WHERE c.search IS NULL
       CALL {
         WITH c
         SET c.search = c.lname + '\\n' + c.ldisplay + '\\n' + c.lkey, c.lname = null, c.ldisplay = null, c.lkey = null
       } IN TRANSACTIONS OF 10000 ROWS`,
      'DROP INDEX contribution_lname IF EXISTS',
      'DROP INDEX contribution_ldisplay IF EXISTS',
      'DROP INDEX contribution_lkey IF EXISTS',
    ],
  },
  {
    version: 6,
    description:
      'thin writes: no index on the contribution type (relations and consumers are listed from their labels)',
    statements: ['DROP INDEX contribution_type IF EXISTS'],
  },
  {
    version: 7,
    description:
      'thin writes: a column keeps its versions on its entity node (views, search) instead of one ' +
      'Contribution node each; generations list their column keys and relationship start keys (LineageKeys) ' +
      'so cleanup needs no index entry per relationship',
    statements: [
      'CREATE TEXT INDEX column_search IF NOT EXISTS FOR (n:Column) ON (n.search)',
      'CREATE INDEX keys_gen IF NOT EXISTS FOR (n:LineageKeys) ON (n.gen)',
    ],
    data: [
      // Keys nodes for every generation already written (active, staging or retired), before their data moves:
      // one per (relation, generation), a relation at a time, so no statement holds a whole generation's keys.
      `MATCH (n:Column) WITH DISTINCT n.rel AS rel
       CALL {
         WITH rel
         MATCH (n:Column {rel: rel})
         MATCH (c:Contribution {key: n.key}) WHERE c.type = 'column'
         WITH c.gen AS gen, collect(c.key) AS keys
         CREATE (:LineageKeys {gen: gen, kind: 'column', keys: keys})
       } IN TRANSACTIONS OF 500 ROWS`,
      `MATCH (n:Column) WITH DISTINCT n.rel AS rel
       CALL {
         WITH rel
         MATCH (a:Column {rel: rel})-[e:COLUMN_FLOW]->()
         WITH e.gen AS gen, collect(DISTINCT a.key) AS keys
         CREATE (:LineageKeys {gen: gen, kind: 'edge-from', keys: keys})
       } IN TRANSACTIONS OF 500 ROWS`,
      `MATCH (a:Relation)
       CALL {
         WITH a
         MATCH (a)-[e:RELATION_LINK|RELATION_FLOW|CONSUMED_BY]->()
         WITH DISTINCT e.gen AS gen, a.key AS key
         CREATE (:LineageKeys {gen: gen, kind: 'relation-from', keys: [key]})
       } IN TRANSACTIONS OF 500 ROWS`,
      `MATCH (n:Column) WHERE n.views IS NULL
       CALL {
         WITH n
         OPTIONAL MATCH (c:Contribution {key: n.key}) WHERE c.type = 'column'
         WITH n, c ORDER BY c.gen
         WITH n, collect(c) AS cs
         SET n.views = [c IN cs | c.gen + '\n[' + ${jsonString('c.originId')} + ',' + ${jsonString('c.provenance')} + ']\n' + c.json],
           n.search = reduce(s = null, c IN cs | CASE WHEN s IS NULL THEN c.search WHEN s CONTAINS c.search THEN s
             ELSE s + '\n' + c.search END),
           n.gens = [c IN cs | c.gen]
         FOREACH (c IN cs | DELETE c)
       } IN TRANSACTIONS OF 5000 ROWS`,
      'DROP INDEX column_flow_gen IF EXISTS',
      'DROP INDEX relation_flow_gen IF EXISTS',
      'DROP INDEX consumed_by_gen IF EXISTS',
      'DROP INDEX relation_link_gen IF EXISTS',
    ],
  },
  {
    version: 8,
    description:
      'thin writes: an edge keeps the facts reads only return (provenance, confidence, firstSeen, lastSeen, ' +
      'queryCount, statementId) in one JSON string property `facts`; gen, kind and ms stay properties',
    statements: [],
    data: [
      `MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY]->() WHERE e.facts IS NULL
       CALL {
         WITH e
         SET e.facts = '[' + ${jsonOrNull('e.provenance')} + ',' + ${jsonOrNull('e.confidence')} + ',' +
             ${jsonOrNull('e.firstSeen')} + ',' + ${jsonOrNull('e.lastSeen')} + ',' +
             CASE WHEN e.queryCount IS NULL THEN 'null'
               WHEN e.queryCount = toInteger(e.queryCount) THEN toString(toInteger(e.queryCount))
               ELSE toString(e.queryCount) END + ',' +
             ${jsonOrNull('e.statementId')} + ']',
           e.provenance = null, e.confidence = null, e.firstSeen = null, e.lastSeen = null,
           e.queryCount = null, e.statementId = null
       } IN TRANSACTIONS OF 10000 ROWS`,
    ],
  },
  {
    version: 9,
    description:
      'thin writes: column search text in LineageColumnText nodes of a few hundred columns each (one text ' +
      'index entry per node) instead of a text index entry per column',
    statements: [
      'CREATE TEXT INDEX column_text IF NOT EXISTS FOR (n:LineageColumnText) ON (n.text)',
      'CREATE INDEX column_text_gen IF NOT EXISTS FOR (n:LineageColumnText) ON (n.gen)',
    ],
    data: [
      // One node per (column, generation) for what is stored (new ingests pack a few hundred per node); its
      // text is the column's union of every generation's lines, a superset: candidates are re-scored on read.
      // Run again after an interruption, it adds duplicates, which search and cleanup do not mind.
      `MATCH (k:LineageKeys) WHERE k.kind = 'column'
       CALL {
         WITH k
         UNWIND k.keys AS key
         MATCH (n:Column {key: key}) WHERE n.search IS NOT NULL
         CREATE (:LineageColumnText {gen: k.gen, keys: [key], lines: [n.search], text: n.search})
       } IN TRANSACTIONS OF 10 ROWS`,
      'DROP INDEX column_search IF EXISTS',
      `MATCH (n:Column) WHERE n.search IS NOT NULL
       CALL { WITH n REMOVE n.search } IN TRANSACTIONS OF 10000 ROWS`,
    ],
  },
];

const READ_VERSION = "MATCH (s:LineageSchema {id: 'schema'}) RETURN s.version AS version";
const WRITE_VERSION = "MERGE (s:LineageSchema {id: 'schema'}) SET s.version = $version";

/** Applies the migrations the database has not seen yet and waits for the indexes to come online. */
export async function migrate(driver: Driver, database: string): Promise<number> {
  const res = await driver.executeQuery(READ_VERSION, {}, { database });
  const current = Number(res.records[0]?.get('version') ?? 0);
  const pending = MIGRATIONS.filter((m) => m.version > current);
  for (const m of pending) {
    // Schema statements cannot share a transaction with data writes: one auto-commit query each.
    for (const statement of m.statements) await driver.executeQuery(statement, {}, { database });
    if (m.data) {
      await driver.executeQuery('CALL db.awaitIndexes(300)', {}, { database });
      const session = driver.session({ database });
      try {
        for (const statement of m.data) await session.run(statement);
      } finally {
        await session.close();
      }
    }
    await driver.executeQuery(WRITE_VERSION, { version: m.version }, { database });
  }
  if (pending.length > 0) await driver.executeQuery('CALL db.awaitIndexes(300)', {}, { database });
  return pending.length;
}
