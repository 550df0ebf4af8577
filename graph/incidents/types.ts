// The incident store: incidents (grouped alerts, state, timeline) and the delivery log, kept beside the
// lineage store with the same guarantees (an embedded file written atomically, or Neo4j nodes). Both
// implementations satisfy this one contract; test/alerts/incident-store.test.ts runs it on both.
// Records are plain JSON documents; the rules that build them live in src/alerts.

export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export type AlertLevel = 'info' | 'warning' | 'error' | 'critical';

/** One alert as it joined an incident. */
export interface IncidentAlert {
  id: string;
  source: string;
  /** Canonical key of the asset the detector named (a column or a relation). */
  asset: string;
  relation: string;
  level: AlertLevel;
  message: string;
  at: string;
}

export type TimelineKind = 'opened' | 'alert' | 'acknowledged' | 'resolved' | 'notified' | 'delivery_failed';

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  message: string;
  /** By whom (ack/resolve), or the destination (notified/delivery_failed). */
  actor?: string;
}

export interface RootCauseSummary {
  key: string;
  kind: string;
  distance: number;
  score: number;
  evidence: string[];
}

/** Who was told about the incident, so resolving tells the same people. */
export interface Recipient {
  destination: string;
  owner: string;
  urgency: 'page' | 'notify' | 'digest';
  assets: string[];
  rules: string[];
}

export interface Incident {
  id: string;
  state: IncidentState;
  title: string;
  /** Highest lineage severity of the impacted assets (LOW…CRITICAL). */
  severity: string;
  openedAt: string;
  updatedAt: string;
  lastAlertAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Alerted assets (sorted) and their relations (sorted). */
  assets: string[];
  relations: string[];
  /** Upstream roots of the alerted relations (sorted): what the grouping rule compares. */
  roots: string[];
  /** Impacted downstream assets (sorted, bounded). */
  impacted: string[];
  rootCause: RootCauseSummary[];
  alerts: IncidentAlert[];
  recipients: Recipient[];
  timeline: TimelineEntry[];
}

export type DeliveryEvent = 'trigger' | 'acknowledge' | 'resolve' | 'digest';
export type DeliveryStatus = 'delivered' | 'failed' | 'queued';

/** One message to one destination for one recipient; `key` is the idempotency (dedup) key. */
export interface DeliveryRecord {
  key: string;
  incidentId: string | null;
  destination: string;
  destinationType: string;
  owner: string;
  event: DeliveryEvent;
  status: DeliveryStatus;
  attempts: number;
  /** Last failure, with any secret removed. */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  /** HTTP status of the last attempt (null when none or a network error). */
  httpStatus: number | null;
  /** For queued digest entries: the message lines the digest will carry. */
  summary: string;
}

export interface IncidentQuery {
  states?: readonly IncidentState[];
  limit: number;
}

export interface DeliveryQuery {
  incidentId?: string;
  destination?: string;
  status?: DeliveryStatus;
  limit: number;
}

export interface IncidentStore {
  readonly kind: 'embedded' | 'neo4j';
  getIncident(id: string): Promise<Incident | null>;
  /** Sorted by (openedAt desc, id). */
  listIncidents(query: IncidentQuery): Promise<Incident[]>;
  /** Inserts or replaces the incident with this id (the whole document), durably before returning. */
  putIncident(incident: Incident): Promise<void>;
  getDelivery(key: string): Promise<DeliveryRecord | null>;
  putDelivery(record: DeliveryRecord): Promise<void>;
  /** Sorted by (createdAt, key). */
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  close(): Promise<void>;
}

export function compareIncidents(a: Incident, b: Incident): number {
  return a.openedAt > b.openedAt ? -1 : a.openedAt < b.openedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function compareDeliveries(a: DeliveryRecord, b: DeliveryRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function matchesIncident(i: Incident, q: IncidentQuery): boolean {
  return !q.states || q.states.includes(i.state);
}

export function matchesDelivery(d: DeliveryRecord, q: DeliveryQuery): boolean {
  return (
    (q.incidentId === undefined || d.incidentId === q.incidentId) &&
    (q.destination === undefined || d.destination === q.destination) &&
    (q.status === undefined || d.status === q.status)
  );
}
