// The Neo4j SQL-text store: one (:SqlText {originId, relationKey, sql, kind}) node per text, in the same database
// as the lineage graph but not linked to it (texts are read by key, never traversed). A stage streams the
// texts into a local temporary pack (pack.ts) while the ingest parses; commit replaces the origin's nodes
// in one write transaction, so readers see the old texts or the new ones. Every statement is a constant
// with parameters.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { lineageError } from '../../src/errors.ts';
import { PackReader, PackWriter } from './pack.ts';
import type { SqlText, SqlTextKind, SqlTextStage, SqlTextStore } from './types.ts';

export const SQL_TEXT_CYPHER = {
  INDEX_KEY: 'CREATE INDEX sql_text_key IF NOT EXISTS FOR (s:SqlText) ON (s.relationKey)',
  INDEX_ORIGIN: 'CREATE INDEX sql_text_origin IF NOT EXISTS FOR (s:SqlText) ON (s.originId)',
  GET: `MATCH (s:SqlText {relationKey: $key})
RETURN s.originId AS originId, s.sql AS sql, coalesce(s.kind, 'compiled') AS kind ORDER BY s.originId LIMIT 1`,
  DELETE_ORIGIN: `MATCH (s:SqlText {originId: $originId}) WITH s LIMIT 10000 DELETE s RETURN count(*) AS n`,
  CREATE:
    'UNWIND $rows AS r CREATE (:SqlText {originId: $originId, relationKey: r.key, sql: r.sql, kind: r.kind})',
} as const;

const CREATE_BATCH_BYTES = 4 << 20;

export interface Neo4jSqlTextStoreOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
}

interface SqlTextDb {
  driver: Driver;
  database: string;
}

export async function openNeo4jSqlTextStore(options: Neo4jSqlTextStoreOptions): Promise<SqlTextStore> {
  const db = await connect(options);
  return {
    kind: 'neo4j',
    stage: async () => stageFor(db),
    async get(key) {
      const res = await db.driver.executeQuery(
        SQL_TEXT_CYPHER.GET,
        { key },
        { database: db.database, routing: neo4j.routing.READ },
      );
      const row = res.records[0];
      if (!row) return null;
      const text: SqlText = {
        relationKey: key,
        originId: row.get('originId') as string,
        kind: row.get('kind') as SqlTextKind,
        sql: row.get('sql') as string,
      };
      return text;
    },
    async removeOrigin(originId) {
      const session = db.driver.session({ database: db.database });
      try {
        return await session.executeWrite(async (tx) => (await deleteOrigin(tx, originId)) > 0);
      } finally {
        await session.close();
      }
    },
    close: () => db.driver.close(),
  };
}

async function connect(options: Neo4jSqlTextStoreOptions): Promise<SqlTextDb> {
  const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
    disableLosslessIntegers: true,
    connectionAcquisitionTimeout: 5_000,
    userAgent: 'lineage-graph-sql-text',
  });
  const db: SqlTextDb = { driver, database: options.database };
  try {
    await driver.verifyConnectivity({ database: db.database });
    for (const q of [SQL_TEXT_CYPHER.INDEX_KEY, SQL_TEXT_CYPHER.INDEX_ORIGIN])
      await driver.executeQuery(q, {}, { database: db.database, routing: neo4j.routing.WRITE });
  } catch (err) {
    await driver.close();
    throw lineageError(
      'STORE_UNAVAILABLE',
      `cannot use Neo4j at ${options.uri} for SQL texts: ${(err as Error).message}`,
      { uri: options.uri },
      err,
    );
  }
  return db;
}

type Tx = {
  run(q: string, p: Record<string, unknown>): PromiseLike<{ records: { get(k: string): unknown }[] }>;
};

/** Deletes an origin's texts in slices (a transaction's memory stays small); returns how many. */
async function deleteOrigin(tx: Tx, originId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await tx.run(SQL_TEXT_CYPHER.DELETE_ORIGIN, { originId });
    const n = Number(res.records[0]?.get('n') ?? 0);
    total += n;
    if (n === 0) return total;
  }
}

function stageFor(db: SqlTextDb): SqlTextStage {
  const file = path.join(
    os.tmpdir(),
    `lineage-sql-text-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`,
  );
  const writer = new PackWriter(file);
  let done = false;
  return {
    add: (key, sql, kind) => writer.add(key, sql, kind),
    async commit(originId) {
      writer.finish(originId);
      const reader = PackReader.open(file);
      const session = db.driver.session({ database: db.database });
      try {
        await session.executeWrite(async (tx) => {
          await deleteOrigin(tx, originId);
          for (const rows of batches(reader)) await tx.run(SQL_TEXT_CYPHER.CREATE, { originId, rows });
        });
        return { texts: reader.count };
      } catch (err) {
        throw lineageError(
          'STORE_WRITE_FAILED',
          `cannot write the SQL texts of ${originId} to Neo4j: ${(err as Error).message}`,
          { originId },
          err,
        );
      } finally {
        await session.close();
        reader.close();
        writer.discard();
        done = true;
      }
    },
    abort() {
      if (!done) writer.discard();
      done = true;
    },
  };
}

type Row = { key: string; sql: string; kind: SqlTextKind };

function* batches(reader: PackReader): Generator<Row[]> {
  let rows: Row[] = [];
  let bytes = 0;
  for (const [key, sql, kind] of reader.entries()) {
    rows.push({ key, sql, kind });
    bytes += sql.length;
    if (bytes >= CREATE_BATCH_BYTES) {
      yield rows;
      rows = [];
      bytes = 0;
    }
  }
  if (rows.length > 0) yield rows;
}
