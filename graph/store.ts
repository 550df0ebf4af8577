// The LineageStore interface: the only thing analyses and the API know about storage. Two implementations
// (graph/embedded, graph/neo4j) must give identical answers; test/conformance proves it. Every contract
// below that says "sorted" or "chosen" is part of the interface, so both stores agree exactly.
import type {
  Check,
  ColumnNode,
  Confidence,
  ConsumerNode,
  Diagnostic,
  Evidence,
  Fingerprint,
  LineageBatch,
  NodeKey,
  Origin,
  Provenance,
  RelationKey,
  RelationKind,
  RelationNode,
  TransformKind,
} from '../src/model/lineage.ts';

export type NodeType = 'relation' | 'column' | 'consumer';

export type AnyNode =
  | { type: 'relation'; node: RelationNode }
  | { type: 'column'; node: ColumnNode }
  | { type: 'consumer'; node: ConsumerNode };

/** Relation-level hops are 'RELATION'; relation -> consumer hops are 'CONSUMER'. */
export type HopKind = TransformKind | 'RELATION' | 'CONSUMER';

/**
 * One logical edge: all origins' edges with the same (from, to, kind) merged.
 * provenances sorted and unique; confidence the best (EXACT > INFERRED > TABLE_LEVEL); firstSeen the
 * earliest; lastSeen the latest; queryCount the sum; statementIds sorted, unique, at most 20.
 */
export interface EdgeView {
  from: NodeKey;
  to: NodeKey;
  kind: HopKind;
  provenances: Provenance[];
  confidence: Confidence;
  firstSeen: string;
  lastSeen: string;
  queryCount: number;
  statementIds: string[];
}

export interface PathStep {
  from: NodeKey;
  to: NodeKey;
  kind: HopKind;
}

/** One edge a traversal step follows (see LineageStore.neighbors); `type` is the type of `to`. */
export interface Hop {
  from: NodeKey;
  to: NodeKey;
  kind: HopKind;
  type: NodeType;
}

export interface TraverseOptions {
  direction: 'upstream' | 'downstream';
  /**
   * 'column': starts are column keys; follow column edges.
   * 'relation': starts are relation keys; follow relation adjacency = explicit relation edges ∪ the
   * relation pairs implied by column edges (self-loops ignored), plus consumer edges downstream when
   * includeConsumers is set (consumers are leaves).
   */
  level: 'column' | 'relation';
  /** Maximum hops, >= 1. */
  maxDepth: number;
  /** Column level only: follow only edges of these kinds (undefined = all kinds). */
  kinds?: readonly TransformKind[];
  /** Maximum reached nodes returned. */
  limit: number;
  includeConsumers?: boolean;
  /** Point in time: only edges with firstSeen <= asOf are followed. */
  asOf?: string;
}

/** One walk of LineageStore.traverseMany. */
export interface TraverseRequest {
  starts: readonly NodeKey[];
  options: TraverseOptions;
}

export type NeighborOptions = Omit<TraverseOptions, 'maxDepth' | 'limit'>;

/**
 * The reads of one LineageStore.readMany call; each field present is one read (see ReadAnswer for what it
 * answers). Fields are independent of each other except where a field says it uses another's answer.
 */
export interface ReadRequest {
  /** getNodes(nodes). */
  nodes?: readonly NodeKey[];
  /** columnsOfMany(columns). */
  columns?: readonly RelationKey[];
  /** edgesOfMany(edges.keys, edges.direction). */
  edges?: { keys: readonly NodeKey[]; direction: 'upstream' | 'downstream' };
  /** checks([...checks.keys, ...the key of every column columnsOfMany(checks.columnsOf) answers]). */
  checks?: { keys: readonly NodeKey[]; columnsOf?: readonly RelationKey[] };
  /** usage(usage): targets are required (a whole-store usage read is not combined). */
  usage?: UsageQuery & { targets: readonly NodeKey[] };
  /**
   * neighbors(steps.keys, steps.options); with `nodes`, also getNodes of the asked keys and of every hop's `to`
   * (the nodes the step reached, in the same call).
   */
  steps?: { keys: readonly NodeKey[]; options: NeighborOptions; nodes?: boolean };
}

/** What readMany answers: exactly what each read's own method answers, for the fields asked. */
export interface ReadAnswer {
  nodes?: Map<NodeKey, AnyNode>;
  columns?: Map<RelationKey, ColumnNode[]>;
  edges?: Map<NodeKey, EdgeView[]>;
  checks?: Check[];
  usage?: UsageAggregate[];
  steps?: { hops: Hop[]; nodes?: Map<NodeKey, AnyNode> };
}

/**
 * A reached node with its minimum distance and one witness path from a start.
 * Witness rule (so both stores agree): BFS by levels; a node at distance d takes as parent its
 * predecessor at distance d-1 with the smallest key (code-unit order), and the hop kind is the first of
 * that pair's edge kinds in TRANSFORM_KINDS order (then RELATION, then CONSUMER). path[0].from is a start.
 */
export interface ReachedNode {
  key: NodeKey;
  type: NodeType;
  distance: number;
  path: PathStep[];
}

export interface TraversalResult {
  starts: NodeKey[];
  /** Sorted by (distance, key); starts are not included. */
  reached: ReachedNode[];
  /**
   * 'limit': more nodes were reachable within maxDepth than `limit` (reached holds the first `limit` in
   * (distance, key) order). 'depth': some node at distance maxDepth has a further edge to a node not
   * reached. 'limit' wins when both hold. null: the result is complete.
   */
  truncatedBy: 'limit' | 'depth' | null;
}

export interface SearchOptions {
  types?: readonly NodeType[];
  limit: number;
}

export interface SearchHit {
  key: NodeKey;
  type: NodeType;
  name: string;
  displayName: string;
  /** See graph/search-score.ts: both stores rank with that one function. */
  score: number;
}

export interface UsageQuery {
  /** Restrict to these targets (relation or column keys); undefined = all targets with usage. */
  targets?: readonly NodeKey[];
  /** Inclusive UTC day bounds `YYYY-MM-DD`. */
  sinceDay: string;
  untilDay?: string;
  /** Users and roles excluded from the aggregates (the pipeline's own service accounts). Exact match, case-insensitive. */
  excludeUsers?: readonly string[];
  excludeRoles?: readonly string[];
}

export interface UsageAggregate {
  target: NodeKey;
  reads: number;
  distinctReaders: number;
  /** ISO time of the last read and who made it (ties: the smaller user id). */
  lastReadAt: string | null;
  lastReader: string | null;
  writes: number;
  lastWriteAt: string | null;
  lastWriter: string | null;
}

export interface OriginInfo extends Origin {
  relations: number;
  columns: number;
  columnEdges: number;
  relationEdges: number;
  diagnostics: number;
}

/** The size of the store, which whole-graph analyses cost by (api/cost.ts). */
export interface StoreSize {
  relations: number;
  columns: number;
}

export interface StoreStats {
  relations: number;
  columns: number;
  consumers: number;
  columnEdges: number;
  relationEdges: number;
  consumerEdges: number;
  origins: OriginInfo[];
  diagnosticsBySeverity: { error: number; warning: number; info: number };
}

export interface ApplyResult {
  originId: string;
  /** True when the batch changed nothing (re-ingest of identical content). */
  unchanged: boolean;
  counts: { relations: number; columns: number; columnEdges: number; relationEdges: number };
}

/** Relation-level summary of the whole graph for whole-warehouse analyses (complexity, unused). */
export interface RelationGraph {
  /** Sorted relation keys; edges refer to indexes in this array. */
  keys: RelationKey[];
  /** The live relation nodes, as getNodes answers them: relations[i].key === keys[i]. */
  relations: RelationNode[];
  /** Relation adjacency (see TraverseOptions.level), unique pairs sorted by (from, to). */
  edges: [from: number, to: number][];
  /** Per relation: number of consumers reading it. */
  consumerCount: number[];
  /** Per relation: column edges whose target / source column belongs to it (across relations only). */
  columnEdgesIn: number[];
  columnEdgesOut: number[];
}

export interface DiagnosticQuery {
  originId?: string;
  severity?: Diagnostic['severity'];
  code?: string;
  limit: number;
}

export interface LineageStore {
  readonly kind: 'embedded' | 'neo4j';

  /**
   * Replace everything `batch.origin.id` contributed before with the batch, atomically: readers see the
   * old state or the new one, never a mix; on failure the old state stays. Other origins are untouched.
   * Fingerprints are history, not replaced: a fingerprint is appended only when it differs (columns,
   * types, checksum) from the node's latest one; at most 20 are kept per node.
   * Every edge endpoint must be a node in the batch or already in the store, else STORE_WRITE_FAILED.
   */
  applyBatch(batch: LineageBatch): Promise<ApplyResult>;
  removeOrigin(originId: string): Promise<boolean>;

  /** Merged views (graph/merge.ts) of nodes by key; missing keys are absent from the map. */
  getNodes(keys: readonly NodeKey[]): Promise<Map<NodeKey, AnyNode>>;
  /** Nodes whose dbt unique_id equals the argument (sorted by key). */
  findByUniqueId(uniqueId: string): Promise<AnyNode[]>;
  search(text: string, options: SearchOptions): Promise<SearchHit[]>;
  /** Columns of a relation sorted by (ordinal ?? +inf, name). */
  columnsOf(relationKey: RelationKey): Promise<ColumnNode[]>;
  /**
   * columnsOf for many relations in one call (one round trip on Neo4j): every requested key that is a relation
   * maps to exactly what columnsOf answers for it (possibly []); keys that are not relations are absent.
   */
  columnsOfMany(relationKeys: readonly RelationKey[]): Promise<Map<RelationKey, ColumnNode[]>>;
  /** All relations (merged), sorted by key, optionally filtered by folded schema and kind. */
  listRelations(filter?: { schema?: string; kinds?: readonly RelationKind[] }): Promise<RelationNode[]>;
  listConsumers(): Promise<ConsumerNode[]>;

  /**
   * Edges touching a node: column edges for a column, relation edges (explicit ∪ implied by column edges,
   * kind 'RELATION') and consumer edges (kind 'CONSUMER') for a relation or consumer. Sorted by (from, to, kind).
   */
  edgesOf(key: NodeKey, direction: 'upstream' | 'downstream'): Promise<EdgeView[]>;
  /**
   * edgesOf for many nodes in one call (one round trip per `NEO4J_BATCH_SIZE` keys on Neo4j): every requested
   * key maps to exactly what edgesOf answers for it ([] for a key that is no node).
   */
  edgesOfMany(
    keys: readonly NodeKey[],
    direction: 'upstream' | 'downstream',
  ): Promise<Map<NodeKey, EdgeView[]>>;
  traverse(starts: readonly NodeKey[], options: TraverseOptions): Promise<TraversalResult>;
  /**
   * Many traversals in one call (one round trip on Neo4j): answer i is exactly what
   * traverse(walks[i].starts, walks[i].options) answers. Options are checked as traverse checks them; one bad
   * walk fails the call.
   */
  traverseMany(walks: readonly TraverseRequest[]): Promise<TraversalResult[]>;
  /**
   * Several reads in one call (one round trip on Neo4j while every key list fits `NEO4J_BATCH_SIZE`): each field
   * of the answer is exactly what its method answers for the request's field (ReadRequest), so a phase can ask,
   * in one call, for what it and the next phases need. A bad read fails the call as its method would.
   */
  readMany(request: ReadRequest): Promise<ReadAnswer>;
  /**
   * One step of `traverse` from many nodes at once (one round trip instead of one edgesOf per node, and no
   * merged facts): every distinct (from, to, kind) the traversal would follow from each key. Keys that are not
   * nodes of the level's type are ignored. Sorted by (from, to) in code-unit order, then kind in HOP_KIND_ORDER.
   */
  neighbors(keys: readonly NodeKey[], options: NeighborOptions): Promise<Hop[]>;
  /**
   * The relation-level graph of the live relations. Kept per set of active generations: while no write changed
   * them, every call answers the same object (api/warm-up.ts relies on that to notice an ingest).
   */
  relationGraph(): Promise<RelationGraph>;
  /**
   * Live relations nothing in the graph reads: no relationGraph edge from them to another relation and no
   * consumer reading them, sorted by key (graph/records.ts, relationsWithoutReaders, is the rule). Unlike
   * relationGraph, no adjacency is built or sent: on Neo4j one statement returns only these keys.
   */
  relationsWithoutReaders(): Promise<RelationKey[]>;
  /** Live relations at least one consumer reads (relationGraph's consumerCount > 0), sorted by key. */
  consumedRelations(): Promise<RelationKey[]>;

  /** Sorted by target. */
  usage(query: UsageQuery): Promise<UsageAggregate[]>;
  /** Newest first per node; keys with no history are absent. */
  fingerprints(keys: readonly NodeKey[], limitPerNode: number): Promise<Map<NodeKey, Fingerprint[]>>;
  /** Evidence on these nodes at or after `since` (ISO), sorted by (at desc, nodeKey, kind). */
  evidence(keys: readonly NodeKey[], since?: string): Promise<Evidence[]>;
  /** Checks attached to these relations or columns, sorted by id. */
  checks(keys: readonly NodeKey[]): Promise<Check[]>;

  origins(): Promise<OriginInfo[]>;
  diagnostics(query: DiagnosticQuery): Promise<Diagnostic[]>;
  stats(): Promise<StoreStats>;
  /**
   * Relation and column counts for cost estimates, cheap at any size (stats counts live nodes and edges: 8-11 s
   * on Neo4j at 150k tables). Embedded: stats' counts. Neo4j: the label counts of its count store, so entity
   * nodes of a generation being written or retired count too, as do those an interrupted or rejected ingest
   * staged (entity nodes are never deleted).
   */
  size(): Promise<StoreSize>;
  /** True when the store can answer (Neo4j reachable). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
