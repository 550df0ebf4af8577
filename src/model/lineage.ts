// The lineage model: plain data that parsers emit and stores hold. Imports nothing.
//
// Keys are canonical strings built by src/model/identity.ts:
//   relation  `database.schema.name` (parts folded per platform; a part needing quotes is written "like.this")
//   column    `<relation key>.<column>`
//   consumer  `exposure:<dbt unique_id>` (or `<kind>:<id>` for consumers that are not dbt exposures)

import type { DiagnosticCode } from './diagnostics.ts';

export type RelationKey = string;
export type ColumnKey = string;
export type ConsumerKey = string;
export type NodeKey = RelationKey | ColumnKey | ConsumerKey;

export const PLATFORMS = [
  'snowflake',
  'bigquery',
  'postgres',
  'redshift',
  'databricks',
  'trino',
  'duckdb',
  'mysql',
  'tsql',
  'teradata',
  'generic',
] as const;
export type Platform = (typeof PLATFORMS)[number];

export const RELATION_KINDS = ['table', 'view', 'model', 'source', 'seed', 'snapshot', 'external'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** OpenLineage column-lineage transformation taxonomy. */
export const DIRECT_KINDS = ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'] as const;
export const INDIRECT_KINDS = ['JOIN', 'FILTER', 'GROUP_BY', 'SORT', 'WINDOW', 'CONDITIONAL'] as const;
export const TRANSFORM_KINDS = [...DIRECT_KINDS, ...INDIRECT_KINDS] as const;
export type DirectKind = (typeof DIRECT_KINDS)[number];
export type IndirectKind = (typeof INDIRECT_KINDS)[number];
export type TransformKind = DirectKind | IndirectKind;

export function isDirectKind(kind: TransformKind): kind is DirectKind {
  return (DIRECT_KINDS as readonly string[]).includes(kind);
}

/** Where a fact came from. */
export const PROVENANCES = ['dbt_manifest', 'query_log', 'access_history', 'openlineage', 'manual'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** How sure we are of an edge. */
export const CONFIDENCES = ['EXACT', 'INFERRED', 'TABLE_LEVEL'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const CONSUMER_KINDS = ['dashboard', 'notebook', 'ml', 'application', 'analysis', 'other'] as const;
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

export interface Owner {
  /** Stable id: lower-cased email when known, else the name. */
  id: string;
  name?: string;
  email?: string;
  team?: string;
}

/** Counts of the shape of a relation's defining SQL, for the complexity score. */
export interface SqlShape {
  joins: number;
  ctes: number;
  subqueries: number;
  maxNesting: number;
  caseExpressions: number;
  windowFunctions: number;
  setOperations: number;
  lines: number;
}

export interface RelationNode {
  key: RelationKey;
  kind: RelationKind;
  platform: Platform;
  /** As written by the origin (case kept), e.g. `analytics.dbt.Orders`. */
  displayName: string;
  database: string | null;
  schema: string | null;
  name: string;
  /** dbt unique_id when the relation is a dbt node. */
  uniqueId?: string;
  description?: string;
  owners: Owner[];
  tags: string[];
  isKeyAsset: boolean;
  materialization?: string;
  packageName?: string;
  sqlChecksum?: string;
  sqlShape?: SqlShape;
  sizeBytes?: number;
  rowCount?: number;
  /** dbt access level (public/protected/private) and group, when present. */
  access?: string;
  group?: string;
}

export interface ColumnNode {
  key: ColumnKey;
  relationKey: RelationKey;
  /** Canonical (folded) column name. */
  name: string;
  displayName: string;
  dataType?: string;
  description?: string;
  tags: string[];
  ordinal?: number;
  /** Documented in YAML but absent from the warehouse catalog. */
  missingFromCatalog?: boolean;
}

export interface ConsumerNode {
  key: ConsumerKey;
  kind: ConsumerKind;
  name: string;
  uniqueId?: string;
  url?: string;
  description?: string;
  owners: Owner[];
  tags: string[];
  maturity?: string;
}

/** The facts every edge carries (column, relation and consumer edges); merged per logical edge by graph/merge.ts. */
export interface EdgeFacts {
  provenance: Provenance;
  confidence: Confidence;
  /** ISO-8601 times the edge was first and last observed. */
  firstSeen: string;
  lastSeen: string;
  /** For query-log edges: how many queries produced it. 1 for dbt. */
  queryCount: number;
  /** The statement that produced it: a dbt unique_id or a query fingerprint. */
  statementId?: string;
}

/** Data flows from `from` to `to`. */
export interface ColumnEdge extends EdgeFacts {
  from: ColumnKey;
  to: ColumnKey;
  kind: TransformKind;
}

/**
 * Table-level dependency: `to` reads `from` (dbt depends_on, a query that read `from` and wrote `to`,
 * or a relation a statement reads but whose columns could not be resolved).
 */
export interface RelationEdge extends EdgeFacts {
  from: RelationKey;
  to: RelationKey;
}

/** A consumer (dbt exposure, dashboard…) reads a relation. */
export interface ConsumerEdge extends EdgeFacts {
  from: RelationKey;
  to: ConsumerKey;
}

/** A data test / check attached to a relation or column. */
export interface Check {
  id: string;
  name: string;
  relationKey: RelationKey;
  columnKey?: ColumnKey;
  testType?: string;
}

export const EVIDENCE_KINDS = [
  'test_failed',
  'test_warned',
  'test_passed',
  'model_error',
  'source_stale',
  'source_fresh',
  'recent_write',
  // OpenLineage run states (parsers/openlineage): a FAIL / ABORT run, a run much later than usual
  'run_failed',
  'run_aborted',
  'run_late',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** A fact from run artifacts or logs that may explain a problem upstream. */
export interface Evidence {
  nodeKey: NodeKey;
  kind: EvidenceKind;
  at: string;
  message: string;
  /** e.g. the test's unique_id, or the user who wrote. */
  subject?: string;
}

/** Reads/writes aggregated per target, user and UTC day, so memory stays bounded by distinct keys. */
export interface UsageRecord {
  /** A relation key, or a column key when the column is resolvable. */
  target: NodeKey;
  access: 'read' | 'write';
  user: string;
  role?: string;
  /** UTC day `YYYY-MM-DD`. */
  day: string;
  count: number;
  lastAt: string;
}

/** A node's state at one ingest, compared across ingests for change history. */
export interface Fingerprint {
  nodeKey: RelationKey;
  at: string;
  originId: string;
  columns: { name: string; dataType?: string }[];
  sqlChecksum?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  where?: {
    file?: string;
    jsonPath?: string;
    line?: number;
    column?: number;
    nodeKey?: NodeKey;
    uniqueId?: string;
    statementId?: string;
  };
}

export interface Origin {
  /** Stable id: re-ingesting the same artifact replaces everything it contributed before. */
  id: string;
  provenance: Provenance;
  /** Human description, e.g. the path of the manifest. */
  label: string;
  ingestedAt: string;
}

/** What one parser run produces; it never touches a store. */
export interface LineageBatch {
  origin: Origin;
  relations: RelationNode[];
  columns: ColumnNode[];
  consumers: ConsumerNode[];
  columnEdges: ColumnEdge[];
  relationEdges: RelationEdge[];
  consumerEdges: ConsumerEdge[];
  checks: Check[];
  evidence: Evidence[];
  usage: UsageRecord[];
  fingerprints: Fingerprint[];
  diagnostics: Diagnostic[];
}

export function emptyBatch(origin: Origin): LineageBatch {
  return {
    origin,
    relations: [],
    columns: [],
    consumers: [],
    columnEdges: [],
    relationEdges: [],
    consumerEdges: [],
    checks: [],
    evidence: [],
    usage: [],
    fingerprints: [],
    diagnostics: [],
  };
}
