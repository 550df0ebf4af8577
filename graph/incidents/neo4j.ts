// The Neo4j incident store: one (:Incident {id}) node per incident and one (:AlertDelivery {key}) node per
// delivery record, each holding its document as JSON plus the properties queries filter and sort on.
// Every statement is a named constant with parameters; writes are managed transactions (retried on
// transient errors) and durable when they return, like the lineage store's.
import neo4j, { type Driver } from 'neo4j-driver';
import { lineageError } from '../../src/errors.ts';
import type { DeliveryQuery, DeliveryRecord, Incident, IncidentQuery, IncidentStore } from './types.ts';

export const INCIDENT_CYPHER = {
  CONSTRAINT_INCIDENT: 'CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (i:Incident) REQUIRE i.id IS UNIQUE',
  CONSTRAINT_DELIVERY:
    'CREATE CONSTRAINT alert_delivery_key IF NOT EXISTS FOR (d:AlertDelivery) REQUIRE d.key IS UNIQUE',
  GET_INCIDENT: 'MATCH (i:Incident {id: $id}) RETURN i.json AS json',
  LIST_INCIDENTS: `MATCH (i:Incident) WHERE $states IS NULL OR i.state IN $states
RETURN i.json AS json ORDER BY i.openedAt DESC, i.id LIMIT toInteger($limit)`,
  PUT_INCIDENT: `MERGE (i:Incident {id: $id})
SET i.state = $state, i.openedAt = $openedAt, i.updatedAt = $updatedAt, i.json = $json`,
  GET_DELIVERY: 'MATCH (d:AlertDelivery {key: $key}) RETURN d.json AS json',
  LIST_DELIVERIES: `MATCH (d:AlertDelivery)
WHERE ($incidentId IS NULL OR d.incidentId = $incidentId)
  AND ($destination IS NULL OR d.destination = $destination)
  AND ($status IS NULL OR d.status = $status)
RETURN d.json AS json ORDER BY d.createdAt, d.key LIMIT toInteger($limit)`,
  PUT_DELIVERY: `MERGE (d:AlertDelivery {key: $key})
SET d.incidentId = $incidentId, d.destination = $destination, d.status = $status,
    d.createdAt = $createdAt, d.json = $json`,
} as const;

export interface Neo4jIncidentStoreOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
  maxRetryTimeMs?: number;
}

/** A connected driver and the database the incident store lives in. */
interface IncidentDb {
  driver: Driver;
  database: string;
}

export async function openNeo4jIncidentStore(options: Neo4jIncidentStoreOptions): Promise<IncidentStore> {
  const db = await connect(options);
  return {
    kind: 'neo4j',
    async getIncident(id) {
      return docs<Incident>(await run(db, INCIDENT_CYPHER.GET_INCIDENT, { id }, false))[0] ?? null;
    },
    async listIncidents(q: IncidentQuery) {
      const states = q.states ? [...q.states] : null;
      return docs<Incident>(await run(db, INCIDENT_CYPHER.LIST_INCIDENTS, { states, limit: q.limit }, false));
    },
    async putIncident(i) {
      await run(
        db,
        INCIDENT_CYPHER.PUT_INCIDENT,
        { id: i.id, state: i.state, openedAt: i.openedAt, updatedAt: i.updatedAt, json: JSON.stringify(i) },
        true,
      );
    },
    async getDelivery(key) {
      return docs<DeliveryRecord>(await run(db, INCIDENT_CYPHER.GET_DELIVERY, { key }, false))[0] ?? null;
    },
    async putDelivery(d) {
      await run(db, INCIDENT_CYPHER.PUT_DELIVERY, deliveryParams(d), true);
    },
    async listDeliveries(q: DeliveryQuery) {
      return docs<DeliveryRecord>(await run(db, INCIDENT_CYPHER.LIST_DELIVERIES, deliveryFilter(q), false));
    },
    close: () => db.driver.close(),
  };
}

/** Opens the driver, checks the server answers and creates the constraints; STORE_UNAVAILABLE otherwise. */
async function connect(options: Neo4jIncidentStoreOptions): Promise<IncidentDb> {
  const driver: Driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
    disableLosslessIntegers: true,
    maxTransactionRetryTime: options.maxRetryTimeMs ?? 15_000,
    userAgent: 'lineage-graph-incidents',
  });
  const db: IncidentDb = { driver, database: options.database };
  try {
    await driver.verifyConnectivity({ database: db.database });
    await run(db, INCIDENT_CYPHER.CONSTRAINT_INCIDENT, {}, true);
    await run(db, INCIDENT_CYPHER.CONSTRAINT_DELIVERY, {}, true);
  } catch (err) {
    await driver.close();
    throw lineageError(
      'STORE_UNAVAILABLE',
      `cannot use Neo4j at ${options.uri} for incidents: ${(err as Error).message}`,
      { uri: options.uri },
      err,
    );
  }
  return db;
}

async function run(
  db: IncidentDb,
  query: string,
  params: Record<string, unknown>,
  write: boolean,
): Promise<Record<string, unknown>[]> {
  const res = await db.driver.executeQuery(query, params, {
    database: db.database,
    routing: write ? neo4j.routing.WRITE : neo4j.routing.READ,
  });
  return res.records.map((r) => r.toObject() as Record<string, unknown>);
}

const docs = <T>(rows: Record<string, unknown>[]) => rows.map((r) => JSON.parse(r.json as string) as T);

function deliveryParams(d: DeliveryRecord): Record<string, unknown> {
  return {
    key: d.key,
    incidentId: d.incidentId,
    destination: d.destination,
    status: d.status,
    createdAt: d.createdAt,
    json: JSON.stringify(d),
  };
}

function deliveryFilter(q: DeliveryQuery): Record<string, unknown> {
  return {
    incidentId: q.incidentId ?? null,
    destination: q.destination ?? null,
    status: q.status ?? null,
    limit: q.limit,
  };
}
