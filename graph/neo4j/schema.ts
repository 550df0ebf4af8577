// Schema migrations for the Neo4j store: constraints and indexes, applied in order once per database.
// The applied version lives on the (:LineageSchema {id: 'schema'}) node; every statement is idempotent
// (IF NOT EXISTS), so two processes migrating at once converge.
import type { Driver } from 'neo4j-driver';

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'keys unique per entity label; lookup indexes for contributions, facts and records',
    statements: [
      'CREATE CONSTRAINT relation_key IF NOT EXISTS FOR (n:Relation) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT column_key IF NOT EXISTS FOR (n:Column) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT consumer_key IF NOT EXISTS FOR (n:Consumer) REQUIRE n.key IS UNIQUE',
      'CREATE CONSTRAINT origin_id IF NOT EXISTS FOR (n:LineageOrigin) REQUIRE n.id IS UNIQUE',
      'CREATE CONSTRAINT schema_id IF NOT EXISTS FOR (n:LineageSchema) REQUIRE n.id IS UNIQUE',
      'CREATE INDEX column_rel IF NOT EXISTS FOR (n:Column) ON (n.rel)',
      'CREATE INDEX contribution_key IF NOT EXISTS FOR (n:Contribution) ON (n.key)',
      'CREATE INDEX contribution_origin IF NOT EXISTS FOR (n:Contribution) ON (n.originId)',
      'CREATE INDEX contribution_unique_id IF NOT EXISTS FOR (n:Contribution) ON (n.uniqueId)',
      'CREATE INDEX contribution_type IF NOT EXISTS FOR (n:Contribution) ON (n.type)',
      'CREATE INDEX column_flow_origin IF NOT EXISTS FOR ()-[e:COLUMN_FLOW]-() ON (e.originId)',
      'CREATE INDEX relation_flow_origin IF NOT EXISTS FOR ()-[e:RELATION_FLOW]-() ON (e.originId)',
      'CREATE INDEX consumed_by_origin IF NOT EXISTS FOR ()-[e:CONSUMED_BY]-() ON (e.originId)',
      'CREATE INDEX check_origin IF NOT EXISTS FOR (n:LineageCheck) ON (n.originId)',
      'CREATE INDEX check_relation IF NOT EXISTS FOR (n:LineageCheck) ON (n.relationKey)',
      'CREATE INDEX check_column IF NOT EXISTS FOR (n:LineageCheck) ON (n.columnKey)',
      'CREATE INDEX evidence_origin IF NOT EXISTS FOR (n:LineageEvidence) ON (n.originId)',
      'CREATE INDEX evidence_node IF NOT EXISTS FOR (n:LineageEvidence) ON (n.nodeKey)',
      'CREATE INDEX usage_origin IF NOT EXISTS FOR (n:LineageUsage) ON (n.originId)',
      'CREATE INDEX usage_target IF NOT EXISTS FOR (n:LineageUsage) ON (n.target)',
      'CREATE INDEX diagnostic_origin IF NOT EXISTS FOR (n:LineageDiagnostic) ON (n.originId)',
      'CREATE INDEX fingerprint_node IF NOT EXISTS FOR (n:LineageFingerprint) ON (n.nodeKey)',
    ],
  },
  {
    version: 2,
    description: 'text indexes for search (CONTAINS on lower-cased name, display name, key)',
    statements: [
      'CREATE TEXT INDEX contribution_lname IF NOT EXISTS FOR (n:Contribution) ON (n.lname)',
      'CREATE TEXT INDEX contribution_ldisplay IF NOT EXISTS FOR (n:Contribution) ON (n.ldisplay)',
      'CREATE TEXT INDEX contribution_lkey IF NOT EXISTS FOR (n:Contribution) ON (n.lkey)',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

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
    await driver.executeQuery(WRITE_VERSION, { version: m.version }, { database });
  }
  if (pending.length > 0) await driver.executeQuery('CALL db.awaitIndexes(300)', {}, { database });
  return pending.length;
}
