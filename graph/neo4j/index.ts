// The Neo4j LineageStore. Writes are staged (see graph/neo4j/cypher.ts, "Generations"): a batch is written
// under a fresh generation id in many bounded transactions, made visible by one small switch transaction, and
// the previous generation is then deleted in bounded transactions. A failure at any point — server killed,
// connection dropped — leaves the previous answers; leftovers are invisible and deleted on the next ingest of
// the origin (staged leftovers) or the next open (retired generations). Transient errors are retried by the
// driver for at most `maxRetryTimeMs` per transaction. Reads see only active generations; merged views and
// edge merges use the contract's shared rules, as the embedded store does (graph/merge.ts, graph/search-score.ts,
// graph/canonical.ts for validation and canonical form, graph/records.ts for record rules); traversals run the
// reference BFS (graph/traversal.ts).
import { randomUUID } from 'node:crypto';
import neo4j, { type Driver, type Integer, type ManagedTransaction } from 'neo4j-driver';
import { isLineageError, lineageError } from '../../src/errors.ts';
import type {
  Check,
  ColumnNode,
  ConsumerNode,
  Diagnostic,
  EdgeFacts,
  Evidence,
  Fingerprint,
  LineageBatch,
  NodeKey,
  Provenance,
  RelationKey,
  RelationKind,
  RelationNode,
  UsageRecord,
} from '../../src/model/lineage.ts';
import { canonicalizeOwn, type OriginData } from '../canonical.ts';
import {
  compareEdgeViews,
  compareStrings,
  mergeColumn,
  mergeConsumer,
  mergeEdge,
  mergeRelation,
  type Contribution,
} from '../merge.ts';
import { columnKeysOf, readManyByParts } from '../read-many.ts';
import { compareSearchHits, normalizeSearchText, searchScore } from '../search-score.ts';
import type {
  AnyNode,
  ApplyResult,
  DiagnosticQuery,
  EdgeView,
  Hop,
  HopKind,
  LineageStore,
  NeighborOptions,
  NodeType,
  OriginInfo,
  ReadAnswer,
  ReadRequest,
  RelationGraph,
  SearchHit,
  SearchOptions,
  StoreSize,
  StoreStats,
  TraversalResult,
  TraverseOptions,
  TraverseRequest,
  UsageAggregate,
  UsageQuery,
} from '../store.ts';
import {
  aggregateUsage,
  canonicalHops,
  contentHash,
  contentOf,
  fingerprintsToAppend,
  MAX_FINGERPRINTS_PER_NODE,
  selectChecks,
  selectEvidence,
} from '../records.ts';
import { checkStepOptions, checkTraverseOptions, traversalFromDistances } from '../traversal.ts';
import * as Q from './cypher.ts';
import { migrate } from './schema.ts';

export interface Neo4jStoreOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** Upper bound for the driver's retries of transient errors in write transactions (default 15 s). */
  maxRetryTimeMs?: number;
  /** Rows per UNWIND statement and per staged or cleanup transaction (default 5000). */
  batchSize?: number;
  /** Connections per server (default 100). */
  maxPoolSize?: number;
  /** TCP connect timeout (default 1500 ms): with the server gone, calls fail with STORE_UNAVAILABLE that fast. */
  connectTimeoutMs?: number;
  /** Server-side timeout of each read transaction (default 12 s, below the API's 15 s request deadline). */
  queryTimeoutMs?: number;
  /** Server-side timeout of each write transaction (default 120 s). */
  writeTimeoutMs?: number;
  /**
   * How long a replaced generation stays readable before it is deleted (default 30 s), so reads that started
   * on the previous snapshot finish on it. Deleted by a later ingest or open once the grace has passed.
   */
  retiredGraceMs?: number;
  /** Open without writing: no migrations, no cleanup (read-only commands; a read-only database user). */
  readOnly?: boolean;
}

type Tuning = Required<
  Pick<
    Neo4jStoreOptions,
    | 'maxRetryTimeMs'
    | 'batchSize'
    | 'maxPoolSize'
    | 'connectTimeoutMs'
    | 'queryTimeoutMs'
    | 'writeTimeoutMs'
    | 'retiredGraceMs'
  >
>;

const DEFAULTS: Tuning = {
  maxRetryTimeMs: 15_000,
  batchSize: 5000,
  maxPoolSize: 100,
  connectTimeoutMs: 1500,
  queryTimeoutMs: 12_000,
  writeTimeoutMs: 120_000,
  retiredGraceMs: 30_000,
};

const NODE_TYPE_ORDER: readonly NodeType[] = ['relation', 'column', 'consumer'];

type Row = Record<string, unknown>;
/** A row of a staging statement: its fields in the order the statement names them (graph/neo4j/cypher.ts, unwindRows). */
type StagedRow = readonly unknown[];

const DATABASE_UNAVAILABLE = 'Neo.TransientError.General.DatabaseUnavailable';

/** Errors the driver reports when no server answers: a read fails with them at once (no retry loop). */
function unreachable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ServiceUnavailable' || code === 'SessionExpired';
}

/** The server stopped the transaction at its timeout (the client's, or the server's own limit). */
function timedOut(err: unknown): boolean {
  return (
    (err as { code?: string }).code?.startsWith('Neo.ClientError.Transaction.TransactionTimedOut') ?? false
  );
}

export async function openNeo4jStore(options: Neo4jStoreOptions): Promise<LineageStore> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
    disableLosslessIntegers: true,
    // Retries are the store's own (Neo4jStore.tx): the driver's loop would retry an unreachable server too.
    maxTransactionRetryTime: 0,
    maxConnectionPoolSize: o.maxPoolSize,
    connectionTimeout: o.connectTimeoutMs,
    connectionAcquisitionTimeout: Math.max(o.connectTimeoutMs, Math.min(o.queryTimeoutMs, 10_000)),
    userAgent: 'lineage-graph',
  });
  let store: Neo4jStore;
  try {
    await driver.verifyConnectivity({ database: options.database });
    store = new Neo4jStore(driver, options.database, o);
    if (!options.readOnly) {
      await migrate(driver, options.database);
      await store.deleteRetired(null);
    }
  } catch (err) {
    await driver.close();
    throw lineageError(
      'STORE_UNAVAILABLE',
      `cannot use Neo4j at ${options.uri} (database ${options.database}): ${(err as Error).message}`,
      { uri: options.uri },
      err,
    );
  }
  return store;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Test support: deletes every node and relationship of the database (keeps the schema). */
export async function wipeNeo4jDatabase(options: Omit<Neo4jStoreOptions, 'batchSize'>): Promise<void> {
  const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password));
  const session = driver.session({ database: options.database });
  try {
    await session.run(Q.WIPE_ALL);
  } finally {
    await session.close();
    await driver.close();
  }
}

type OtherKey = { type: NodeType; rel: string | null };

/**
 * The keys a batch references: its own columns (`columns`: only another type under the same key matters, so
 * only relations and consumers are looked up) and every other key (`rest`: type and, for a column, relation).
 * Read before the batch is validated: what is not a list or not a string is skipped (validation rejects it).
 */
function referencedKeys(batch: LineageBatch): { columns: string[]; rest: string[] } {
  const list = (section: keyof LineageBatch): Record<string, unknown>[] => {
    const v: unknown = (batch as Partial<LineageBatch> | null)?.[section];
    return Array.isArray(v)
      ? ((v as unknown[]).filter((x) => x !== null && typeof x === 'object') as Record<string, unknown>[])
      : [];
  };
  const batchColumns = list('columns');
  const columns = new Set<string>();
  for (const c of batchColumns) if (isString(c.key)) columns.add(c.key);
  const rest = new Set<string>();
  const add = (key: unknown) => {
    if (isString(key) && !columns.has(key)) rest.add(key);
  };
  for (const c of batchColumns) add(c.relationKey);
  for (const n of [...list('relations'), ...list('consumers')]) add(n.key);
  for (const e of [...list('columnEdges'), ...list('relationEdges'), ...list('consumerEdges')]) {
    add(e.from);
    add(e.to);
  }
  return { columns: [...columns], rest: [...rest] };
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** The last time parsed: a batch's edges mostly share their firstSeen (an artifact's time), in runs. */
let lastTime = { iso: '', ms: 0 };

function timeMs(iso: string): number {
  if (iso === lastTime.iso) return lastTime.ms;
  const v = Date.parse(iso);
  const ms = Number.isNaN(v) ? -Number.MAX_VALUE : v;
  lastTime = { iso, ms };
  return ms;
}

/**
 * Appends `items` to `list`. Not `list.push(...items)`: a spread passes every item as an argument, and a read's
 * few hundred thousand rows (a large query log's usage) overflow the call stack.
 */
function append<T>(list: T[], items: readonly T[]): void {
  for (const item of items) list.push(item);
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function mergeContributions(type: NodeType, list: Contribution<unknown>[]): AnyNode {
  switch (type) {
    case 'relation':
      return { type, node: mergeRelation(list as Contribution<RelationNode>[]) };
    case 'column':
      return { type, node: mergeColumn(list as Contribution<ColumnNode>[]) };
    case 'consumer':
      return { type, node: mergeConsumer(list as Contribution<ConsumerNode>[]) };
  }
}

function searchable(n: AnyNode): { name: string; displayName: string } {
  switch (n.type) {
    case 'relation':
    case 'column':
      return { name: n.node.name, displayName: n.node.displayName };
    case 'consumer':
      return { name: n.node.name, displayName: n.node.name };
  }
}

/**
 * A staged edge, in STAGE_*_EDGES' field order (graph/neo4j/cypher.ts, EDGE_ROW): what reads filter on (kind,
 * ms) as fields of their own, the facts only returned packed in one JSON string, `[provenance, confidence,
 * firstSeen, lastSeen, queryCount, statementId]` (EDGE_PROPS; read back by edgeViews).
 */
function edgeRow(e: {
  from: string;
  to: string;
  kind?: string;
  provenance: Provenance;
  confidence: string;
  firstSeen: string;
  lastSeen: string;
  queryCount: number;
  statementId?: string;
}): StagedRow {
  return [
    e.from,
    e.to,
    e.kind ?? null,
    timeMs(e.firstSeen),
    JSON.stringify([
      e.provenance,
      e.confidence,
      e.firstSeen,
      e.lastSeen,
      e.queryCount,
      e.statementId ?? null,
    ]),
  ];
}

/**
 * A staged column, in STAGE_COLUMNS' field order (graph/neo4j/cypher.ts, COLUMN_ROW). The view's JSON leaves out
 * the key the node already holds (parseView puts it back): 20-60 bytes of each view's ~150.
 */
function columnRow(c: ColumnNode): StagedRow {
  const json = JSON.stringify(c);
  const keyHead = `{"key":${JSON.stringify(c.key)},`;
  return [c.key, c.relationKey, json.startsWith(keyHead) ? `{${json.slice(keyHead.length)}` : json];
}

/** The start of a column view (graph/neo4j/cypher.ts, STAGE_COLUMNS): `gen \n [originId, provenance] \n`. */
function viewHead(gen: string, originId: string, provenance: Provenance): string {
  return `${gen}\n${JSON.stringify([originId, provenance])}\n`;
}

/**
 * A view of column `key` back as a contribution; JSON has no raw line break, so the last two delimit head and
 * node. The key goes first, as in the column's own JSON (a view written before columnRow left it out has it too).
 */
function parseView(key: string, view: string): Contribution<unknown> {
  const end = view.lastIndexOf('\n');
  const start = view.lastIndexOf('\n', end - 1);
  const [originId, provenance] = JSON.parse(view.slice(start + 1, end)) as [string, Provenance];
  return { originId, provenance, node: { key, ...(JSON.parse(view.slice(end + 1)) as object) } };
}

/**
 * The search candidate text of a node: its lower-cased fields one per line, without a field another one
 * contains (a column's name is in its key): a needle in any field is in the text, and the text index holds
 * about half the trigrams. A candidate filter only: hits are scored on the merged views (a match across the
 * line break scores 0 and is dropped).
 */
function searchText(fields: readonly string[]): string {
  const lower = [...new Set(fields.map((f) => f.toLowerCase()))];
  return lower
    .filter((f, i) => !lower.some((g, j) => j !== i && g.includes(f)))
    .sort((a, b) => a.length - b.length) // the shortest first: a text cut to SEARCH_TEXT_BYTES keeps them
    .join('\n');
}

/**
 * A column's own search text: `.` + the column part of its key, its name and display name, without the
 * relation part (its relation's search text holds that, see SEARCH_CANDIDATES): the text index then holds a
 * few trigrams per column instead of the whole key's (it was half the cost of a column write). A key not of
 * the form `<relation>.<column>` keeps the whole key.
 */
function columnSearchText(c: {
  key: string;
  relationKey: string;
  name: string;
  displayName?: string;
}): string {
  const own = c.key.startsWith(`${c.relationKey}.`) ? c.key.slice(c.relationKey.length) : c.key;
  return searchText([own, c.name, c.displayName ?? c.name]);
}

/**
 * UTF-8 bytes of an indexed search text (a LineageColumnText's, a contribution's): Neo4j's text index refuses
 * a value above 32,766, failing the transaction. Longer text is indexed by its start.
 */
const SEARCH_TEXT_BYTES = 8_000;

/**
 * The LineageColumnText nodes of `columns` (graph/neo4j/cypher.ts): consecutive columns (canonical order, so
 * mostly one relation's) whose joined own texts stay under SEARCH_TEXT_BYTES, each text a line. A text longer
 * than that alone is indexed by its start only (its line keeps it whole): no real name comes near.
 */
export function columnTextDocs(columns: readonly ColumnNode[]): Row[] {
  const docs: Row[] = [];
  let keys: string[] = [];
  let lines: string[] = [];
  let bytes = 0;
  const close = () => {
    if (keys.length === 0) return;
    const text = lines.join('\n');
    docs.push({ keys, lines, text: bytes > SEARCH_TEXT_BYTES ? utf8Prefix(text, SEARCH_TEXT_BYTES) : text });
    keys = [];
    lines = [];
    bytes = 0;
  };
  for (const c of columns) {
    const line = columnSearchText(c);
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > SEARCH_TEXT_BYTES) close();
    keys.push(c.key);
    lines.push(line);
    bytes += size;
  }
  close();
  return docs;
}

/** The longest start of `text` of at most `bytes` UTF-8 bytes that does not split a character. */
function utf8Prefix(text: string, bytes: number): string {
  if (text.length * 3 <= bytes) return text; // a UTF-16 unit is at most 3 UTF-8 bytes
  const buf = Buffer.from(text);
  let end = Math.min(bytes, buf.length);
  // The first byte left out must start a character (a continuation byte is 10xxxxxx).
  while (end > 0 && end < buf.length && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString();
}

/**
 * Parameters of SEARCH_CANDIDATES for a needle that may cross the dot between a column key's relation and
 * column parts. Each dot of the needle may be that dot; each is looked up from its longer side, the more
 * selective one (a pasted column key is found from its relation, not from every column named `id`):
 * `relationEnds`, what precedes the dot (the end of a relation key, its columns then filtered by the needle);
 * `columnStarts`, `.` + what follows it (the start of a column's own text).
 */
function crossingNeedles(needle: string): { columnStarts: string[]; relationEnds: string[] } {
  const columnStarts: string[] = [];
  const relationEnds: string[] = [];
  for (let i = needle.indexOf('.'); i >= 0; i = needle.indexOf('.', i + 1)) {
    const before = needle.slice(0, i);
    const after = needle.slice(i + 1);
    if (before.length >= after.length) relationEnds.push(before);
    else columnStarts.push(needle.slice(i));
  }
  return { columnStarts, relationEnds };
}

/** A staged relation or consumer, in STAGE_RELATIONS' field order (graph/neo4j/cypher.ts, NODE_ROW). */
function nodeRow(n: { key: string; name: string; displayName?: string; uniqueId?: string }): StagedRow {
  return [
    n.key,
    JSON.stringify(n),
    n.uniqueId ?? null,
    utf8Prefix(searchText([n.name, n.displayName ?? n.name, n.key]), SEARCH_TEXT_BYTES),
  ];
}

/**
 * The RELATION_LINK rows of a generation, from its created column edges (with their columns' relations): one
 * per relation pair (self-loops excluded). `lms` is the smallest `ms` among edges whose two columns the batch
 * itself contributes (null if none), `n` how many distinct (from, to, kind) such edges there are (the pair's
 * column-edge count for whole-graph summaries, exact when `ext` is false), `ext` whether some edge has an
 * endpoint column the batch does not contribute (see linkHolds in cypher.ts). `created` is in canonical edge
 * order (graph/canonical.ts: by from, to, kind), so equal edges are adjacent. Sorted by (from, to) so writes
 * are deterministic.
 */
export function relationLinks(created: readonly Row[], own: ReadonlySet<string>): Row[] {
  const links = new Map<
    string,
    { from: string; to: string; lms: number | null; n: number; ext: boolean; last: string }
  >();
  for (const r of created) {
    const from = r.fromRel as string | null;
    const to = r.toRel as string | null;
    if (from === null || to === null || from === to) continue;
    const id = `${from}\u0000${to}`;
    let link = links.get(id);
    if (!link) {
      link = { from, to, lms: null, n: 0, ext: false, last: '' };
      links.set(id, link);
    }
    const ms = Number(r.ms);
    if (own.has(r.from as string) && own.has(r.to as string)) {
      link.lms = link.lms === null ? ms : Math.min(link.lms, ms);
      const edge = `${r.from as string}\u0000${r.to as string}\u0000${r.kind as string}`;
      if (edge !== link.last) link.n++;
      link.last = edge;
    } else link.ext = true;
  }
  return [...links.values()]
    .map(({ from, to, lms, n, ext }) => ({ from, to, lms, n, ext }))
    .sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to));
}

/** Queues one read of readMany: its statement and parameters, and how its rows go into the answer. */
type AddRead = (statement: string, params: Row, decode: (rows: Row[], out: ReadAnswer) => void) => void;

type Statement = { query: string; params: Row };

/** Integers sent as indexes (a JavaScript number goes as a float, which Cypher does not index a list with). */
const INDEXES: Integer[] = [];

/**
 * Replaces field `at` of every row with the index of its value in the returned list of distinct values (in
 * order of first use). The facts of a dbt model's edges are one value (the synthetic warehouse: 90 of an edge
 * row's 145 bytes, ~300 distinct values in 5,000 rows).
 */
function shareField(rows: StagedRow[], at: number): unknown[] {
  const index = new Map<unknown, number>();
  for (const row of rows) {
    const value = row[at];
    let i = index.get(value);
    if (i === undefined) {
      i = index.size;
      index.set(value, i);
    }
    (row as unknown[])[at] = INDEXES[i] ??= neo4j.int(i);
  }
  return [...index.keys()];
}

/** The LineageKeys statement for a staged part: the keys (`of` each item) cleanup finds its rows from. */
function stagedKeys<T>(
  gen: string,
  kind: 'column' | 'edge-from' | 'relation-from',
  of: (item: T) => string,
): (part: readonly T[]) => Statement {
  return (part) => ({ query: Q.STAGE_KEYS, params: { gen, kind, keys: [...new Set(part.map(of))] } });
}

/**
 * Neo4j's plan cache keys a statement by its text and its parameters' types, and a list's size and a value being
 * null are part of a type: every differently sized batch, key list or frontier planned the statement again
 * (30-400 ms of server time each, on every fresh server and after each ingest). A map parameter's type does not
 * change with what it holds, so every statement is sent with its parameters in one map, `$p`, and each text is
 * planned once. The statements are written with plain `$name`s; this is the one place that rewrites them.
 */
const BOXED_TEXTS = new Map<string, string>();

export function boxed(query: string, params: Row = {}): [string, Row] {
  let text = BOXED_TEXTS.get(query);
  if (text === undefined) {
    text = query.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '$$p.$1');
    BOXED_TEXTS.set(query, text);
  }
  return [text, { p: params }];
}

/** `tx` with every statement's parameters boxed (see boxed). */
function boxedTx(tx: ManagedTransaction): ManagedTransaction {
  return { run: (query: string, params?: Row) => tx.run(...boxed(query, params)) } as ManagedTransaction;
}

/**
 * Statements queued for one write transaction, sent pipelined (no round trip per statement) and committed
 * once they hold `budget` rows; `commit` runs the last ones with a final step in the same transaction.
 * Transactions commit strictly in order (a later one MATCHes what an earlier one created), but the next one is
 * prepared (its rows mapped and queued) while the previous one commits: `flush` waits only for the commit
 * before it. A failed transaction fails the next `flush`/`commit`.
 */
class TxBatch {
  private queued: { query: string; params: Row }[] = [];
  private size = 0;
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly run: <T>(work: (tx: ManagedTransaction) => Promise<T>) => Promise<T>,
    private readonly budget: number,
  ) {}

  add(query: string, params: Row, rows: number): void {
    this.queued.push({ query, params });
    this.size += rows;
  }

  /**
   * Queues `items`, mapped to rows part by part (so mapping overlaps the previous commit), as UNWIND
   * statements of at most `budget` rows, starting a transaction whenever the budget is full. `alongside` adds
   * statements about each part (what it wrote, for cleanup: stagedKeys; its search text) in the part's
   * transaction, so a committed part is always found by cleanup. A statement that names a shared field
   * (unwindRows in graph/neo4j/cypher.ts) gets that field's distinct values once, in `$shared`, and rows hold
   * their indexes.
   */
  async rows<T>(
    query: string,
    items: readonly T[],
    params: Row,
    map: (item: T, i: number) => StagedRow,
    alongside: readonly ((part: readonly T[]) => Statement)[] = [],
  ): Promise<void> {
    const shared = Q.sharedFieldOf(query);
    for (let i = 0; i < items.length;) {
      const room = this.budget - this.size;
      if (room <= 0) {
        await this.flush();
        continue;
      }
      const slice = items.slice(i, i + room);
      const part = slice.map((x, j) => map(x, i + j));
      const values = shared === undefined ? {} : { shared: shareField(part, shared) };
      this.add(query, { ...params, ...values, rows: part }, part.length);
      for (const statement of alongside) {
        const extra = statement(slice);
        this.add(extra.query, extra.params, 0);
      }
      i += part.length;
    }
  }

  /** Waits for the previous commit, then starts one for what is queued (not waiting for it). */
  async flush(final?: (tx: ManagedTransaction) => Promise<void>): Promise<void> {
    await this.inflight;
    const list = this.queued;
    this.queued = [];
    this.size = 0;
    if (list.length === 0 && !final) return;
    this.inflight = this.run(async (tx) => {
      await Promise.all(list.map((s) => tx.run(s.query, s.params)));
      if (final) await final(tx);
    });
    // Handled by the next flush/commit, which awaits it; never an unhandled rejection meanwhile.
    this.inflight.catch(() => undefined);
  }

  async commit(final: (tx: ManagedTransaction) => Promise<void>): Promise<void> {
    await this.flush(final);
    await this.inflight;
  }

  /** Drops what is queued and waits for the transaction in flight, whatever its outcome. */
  async abandon(): Promise<void> {
    this.queued = [];
    this.size = 0;
    await this.inflight.catch(() => undefined);
  }
}

/** columnsOf order: (ordinal ?? +inf, name, key). */
function compareColumns(a: ColumnNode, b: ColumnNode): number {
  const oa = a.ordinal ?? Number.POSITIVE_INFINITY;
  const ob = b.ordinal ?? Number.POSITIVE_INFINITY;
  return oa !== ob ? (oa < ob ? -1 : 1) : compareStrings(a.name, b.name) || compareStrings(a.key, b.key);
}

/** Fact rows of EDGE_FACTS_* grouped into merged edges (graph/merge.ts), sorted by (from, to, kind). */
/** The sorted, joined generation ids: the identity of what a read saw. */
function generationsKey(gens: readonly string[]): string {
  return [...gens].sort(compareStrings).join(' ');
}

/** A whole-graph read's rows and its one `active` row (the generations it read), told apart by `field`. */
function splitAnsweredFrom(rows: readonly Row[], field: 'type' | 'part'): [Row, Row[]] {
  const at = rows.findIndex((r) => r[field] === 'active');
  if (at < 0) throw new Error('a whole-graph read answered without its active generations');
  return [rows[at], rows.filter((_, i) => i !== at)];
}

/** relationGraph from the live relation nodes and RELATION_SUMMARY's rows. */
function relationGraphOf(relations: RelationNode[], summary: readonly Row[]): RelationGraph {
  const keys = relations.map((r) => r.key);
  const index = new Map(keys.map((k, i) => [k, i]));
  const edges: [number, number][] = [];
  const zeros = (): number[] => new Array<number>(keys.length).fill(0);
  const consumerCount = zeros();
  const columnEdgesIn = zeros();
  const columnEdgesOut = zeros();
  for (const r of summary) {
    const from = index.get(r.a as string);
    if (from === undefined) continue;
    if (r.part === 'consumers') {
      consumerCount[from] += Number(r.n);
      continue;
    }
    const to = index.get(r.b as string);
    if (to === undefined) continue;
    if (Number(r.pair) === 1) edges.push([from, to]);
    columnEdgesOut[from] += Number(r.n);
    columnEdgesIn[to] += Number(r.n);
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { keys, relations, edges, consumerCount, columnEdgesIn, columnEdgesOut };
}

function edgeViews(rows: readonly Row[]): EdgeView[] {
  const groups = new Map<string, { from: string; to: string; kind: HopKind; facts: EdgeFacts[] }>();
  for (const r of rows) {
    const id = `${r.from as string}\u0000${r.to as string}\u0000${r.kind as string}`;
    let g = groups.get(id);
    if (!g) {
      g = { from: r.from as string, to: r.to as string, kind: r.kind as HopKind, facts: [] };
      groups.set(id, g);
    }
    const [provenance, confidence, firstSeen, lastSeen, queryCount, statementId] = JSON.parse(
      r.facts as string,
    ) as [Provenance, EdgeFacts['confidence'], string, string, number, string | null];
    const fact: EdgeFacts = { provenance, confidence, firstSeen, lastSeen, queryCount: Number(queryCount) };
    if (statementId !== null && statementId !== undefined) fact.statementId = statementId;
    g.facts.push(fact);
  }
  return [...groups.values()].map((g) => mergeEdge(g.from, g.to, g.kind, g.facts)).sort(compareEdgeViews);
}

/** Rows of EDGE_FACTS_*_MANY (`of`: the asked key) as edgesOfMany answers: every key, [] when it has none. */
function edgesByKey(keys: readonly NodeKey[], rows: readonly Row[]): Map<NodeKey, EdgeView[]> {
  const rowsOf = new Map<NodeKey, Row[]>(keys.map((k) => [k, []]));
  for (const r of rows) rowsOf.get(r.of as string)!.push(r);
  return new Map([...rowsOf].map(([k, list]) => [k, edgeViews(list)]));
}

/** Rows of a STEP_* statement as hops (a column step's rows carry no type). */
function hopRows(rows: readonly Row[], column: boolean): Hop[] {
  return rows.map((r) => ({
    from: r.from as string,
    to: r.to as string,
    kind: r.kind as HopKind,
    type: column ? 'column' : (r.type as NodeType),
  }));
}

/** The step statement and parameters of neighbors (options checked: LINEAGE_BAD_ARGUMENT). */
function stepStatement(options: NeighborOptions): { query: string; params: Row; column: boolean } {
  const asOf = checkStepOptions(options);
  const column = options.level === 'column';
  const down = options.direction === 'downstream';
  const query = column
    ? down
      ? Q.STEP_COLUMN_DOWN
      : Q.STEP_COLUMN_UP
    : down
      ? Q.STEP_RELATION_DOWN
      : Q.STEP_RELATION_UP;
  const params = {
    kinds: options.kinds ? [...options.kinds] : null,
    asOf,
    consumers: !column && down && options.includeConsumers === true,
  };
  return { query, params, column };
}

/**
 * One traversal's statement (columnTraversal or relationTraversal) with its parameters, and how its one row's
 * `valid` and `rows` become the TraversalResult. Options are checked here (LINEAGE_BAD_ARGUMENT).
 */
function walkStatement(
  starts: readonly NodeKey[],
  options: TraverseOptions,
): { query: string; params: Row; answer: (valid: unknown, rows: unknown) => TraversalResult } {
  const { maxDepth, limit } = options;
  const asOf = checkTraverseOptions(options);
  const column = options.level === 'column';
  const down = options.direction === 'downstream';
  const filters = { kinds: column && options.kinds !== undefined, asOf: asOf !== null };
  const walk = column ? Q.columnTraversal : Q.relationTraversal;
  return {
    query: walk(down, maxDepth + 1, filters),
    params: {
      starts: [...new Set(starts)],
      kinds: options.kinds ? [...options.kinds] : null,
      asOf,
      maxDepth: neo4j.int(maxDepth),
      limit: neo4j.int(limit),
      consumers: !column && down && options.includeConsumers === true,
    },
    answer: (valid, rows) =>
      traversalFromDistances(
        valid as string[],
        (rows as [string, number, [string, HopKind][], NodeType][]).map(([key, distance, preds, type]) => ({
          key,
          type,
          distance: Number(distance),
          preds,
        })),
        maxDepth,
        limit,
      ),
  };
}

class Neo4jStore implements LineageStore {
  readonly kind = 'neo4j' as const;

  private readonly batchSize: number;
  private readonly txTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly retiredGraceMs: number;
  private readonly maxRetryTimeMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /**
   * The last relation graph and the active generations it was read from (sorted, joined). A generation never
   * changes once written, so while the same generations are active it is the answer; the embedded store
   * keeps its relation graph per index the same way. At 150k tables it takes 5-12 s to read.
   */
  private lastRelationGraph: { gens: string; graph: RelationGraph } | null = null;
  /** The relation graph being read, per generations asked for: concurrent callers share one read. */
  private readonly readingRelationGraph = new Map<string, Promise<RelationGraph>>();
  /**
   * The live relations (merged, sorted by key) and the generations they were read from, kept the same way:
   * listRelations (the unused analyses, the explorer) then costs one read of the active generations instead of
   * every relation's contributions (3-7 s at 150k tables).
   */
  private lastRelations: { gens: string; relations: RelationNode[] } | null = null;

  constructor(
    private readonly driver: Driver,
    private readonly database: string,
    options: Tuning,
  ) {
    this.batchSize = options.batchSize;
    this.txTimeoutMs = options.queryTimeoutMs;
    this.writeTimeoutMs = options.writeTimeoutMs;
    this.retiredGraceMs = options.retiredGraceMs;
    this.maxRetryTimeMs = options.maxRetryTimeMs;
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * One read statement, auto-commit with the query timeout. Chained by the driver's bookmark manager after
   * this store's writes (read-your-writes on a cluster too); `on: 'leader'` routes it to the leader, for the
   * reads an ingest decides on. Not the driver's retry loop: with no server answering it would retry for
   * maxRetryTimeMs; here that is STORE_UNAVAILABLE at once (after at most the connect timeout).
   */
  private async read(query: string, params: Row = {}, on: 'leader' | 'any' = 'any'): Promise<Row[]> {
    for (let attempt = 0; ; attempt++) {
      const session = this.driver.session({
        database: this.database,
        defaultAccessMode: on === 'leader' ? neo4j.session.WRITE : neo4j.session.READ,
        bookmarkManager: this.driver.executeQueryBookmarkManager,
      });
      try {
        const res = await session.run(...boxed(query, params), { timeout: this.txTimeoutMs });
        return res.records.map((r) => r.toObject() as Row);
      } catch (err) {
        // A transient server error (deadlock, leader switch) is tried again twice; no server: at once.
        const retry = !unreachable(err) && neo4j.isRetryableError(err) && attempt < 2;
        if (timedOut(err))
          throw lineageError(
            'STORE_QUERY_TIMEOUT',
            `a Neo4j read ran longer than NEO4J_QUERY_TIMEOUT_MS (${this.txTimeoutMs} ms); a larger store needs a larger value`,
            { timeoutMs: this.txTimeoutMs },
            err,
          );
        if (!retry)
          throw lineageError(
            'STORE_UNAVAILABLE',
            `Neo4j read failed: ${(err as Error).message}`,
            undefined,
            err,
          );
      } finally {
        await session.close();
      }
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }

  /**
   * One managed write transaction. Transient errors (deadlock, leader switch) are retried here for at most
   * `maxRetryTimeMs` (the driver's own retry loop is off); a dropped connection is retried only while the
   * server still answers a connectivity check, so with the server gone the write fails with
   * STORE_UNAVAILABLE at once instead of after the whole retry time.
   */
  private async tx<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const until = Date.now() + this.maxRetryTimeMs;
    for (let attempt = 0; ; attempt++) {
      const session = this.driver.session({
        database: this.database,
        defaultAccessMode: neo4j.session.WRITE,
        bookmarkManager: this.driver.executeQueryBookmarkManager,
      });
      try {
        return await session.executeWrite((tx) => work(boxedTx(tx)), { timeout: this.writeTimeoutMs });
      } catch (err) {
        // A database shutting down answers DatabaseUnavailable (transient) until it is gone: as final as no
        // server at all.
        const gone =
          (err as { code?: string }).code === DATABASE_UNAVAILABLE ||
          (unreachable(err) && !(await this.ping()));
        if (gone)
          throw lineageError(
            'STORE_UNAVAILABLE',
            `Neo4j is unreachable: ${(err as Error).message}`,
            undefined,
            err,
          );
        if (!neo4j.isRetryableError(err) || Date.now() >= until) throw err;
      } finally {
        await session.close().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    }
  }

  /**
   * Runs a write operation; any failure but a rejected batch or an unreachable server (STORE_UNAVAILABLE, the
   * previous state is kept as well) becomes STORE_WRITE_FAILED.
   */
  private async writing<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isLineageError(err)) throw err;
      throw lineageError(
        'STORE_WRITE_FAILED',
        `${what} failed, the previous state is kept: ${(err as Error).message}`,
        undefined,
        err,
      );
    }
  }

  /** The generation of every origin: what reads may see (`$active`). */
  private async activeGens(on: 'leader' | 'any'): Promise<string[]> {
    return (await this.read(Q.ACTIVE_GENERATIONS, {}, on)).map((r) => r.gen as string);
  }

  /** A batch of pipelined statements committed together once it holds `batchSize` rows (see TxBatch). */
  private txBatch(): TxBatch {
    return new TxBatch((work) => this.tx(work), this.batchSize);
  }

  // ------------------------------------------------------------------ writes

  async applyBatch(batch: LineageBatch): Promise<ApplyResult> {
    const originId = batch?.origin?.id;
    return this.writing(`ingest of origin ${String(originId)}`, async () => {
      // The server looks up what the batch names of other origins while this process canonicalizes and hashes
      // it and stages its nodes and column edges (invisible until the switch); the references are checked
      // before the first write that needs them, and a rejected batch's staged rows are deleted.
      const othersRead = this.otherKeys(referencedKeys(batch), isString(originId) ? originId : '');
      othersRead.catch(() => undefined);
      const own = canonicalizeOwn(batch);
      const data = own.data;
      const id = data.origin.id;
      const counts = {
        relations: data.relations.length,
        columns: data.columns.length,
        columnEdges: data.columnEdges.length,
        relationEdges: data.relationEdges.length,
      };
      // The take-over's round trip runs while this process hashes.
      const takenOver = this.takeOver(id);
      const hash = contentHash(contentOf(data));
      const previous = await takenOver;
      const others = othersRead.then((found) => {
        own.checkReferences((k) => found.get(k)?.type);
        return found;
      });
      others.catch(() => undefined);
      if (previous?.hash === hash) {
        await others;
        return { originId: id, unchanged: !(await this.touchOrigin(data, batch.fingerprints)), counts };
      }
      await this.stageAndSwitch(data, hash, batch.fingerprints, others);
      await this.deleteRetiredAfterCommit(id);
      return { originId: id, unchanged: false, counts };
    });
  }

  /**
   * Type (and a column's relation) of the keys a batch references that active origins other than `originId`
   * contribute (for validation and relation links), read on the leader in `batchSize`-key statements, two at
   * a time; no statement at all when no other origin is active (a first ingest into an empty store). Other
   * keys are looked up among live columns first and only those not found among relations and consumers; the
   * batch's own columns among relations and consumers only (another origin's version of the same column
   * changes nothing here).
   */
  private async otherKeys(
    keys: { columns: readonly string[]; rest: readonly string[] },
    originId: string,
  ): Promise<Map<string, OtherKey>> {
    const others = new Map<string, OtherKey>();
    const active = (await this.read(Q.OTHER_ACTIVE_GENERATIONS, { originId }, 'leader')).map(
      (r) => r.gen as string,
    );
    if (active.length === 0) return others;
    const lookUp = async (query: string, part: readonly string[]): Promise<void> => {
      for (const r of await this.read(query, { keys: part, originId, active }, 'leader'))
        others.set(r.key as string, { type: r.type as NodeType, rel: (r.rel as string | null) ?? null });
    };
    const parts = [
      ...chunks(keys.rest, this.batchSize).map((part) => async () => {
        await lookUp(Q.OTHER_COLUMNS, part);
        const missed = part.filter((k) => !others.has(k));
        if (missed.length > 0) await lookUp(Q.OTHER_ENTITY_TYPES, missed);
      }),
      ...chunks(keys.columns, this.batchSize).map((part) => () => lookUp(Q.OTHER_ENTITY_TYPES, part)),
    ];
    const next = async (): Promise<void> => {
      for (let p = parts.pop(); p; p = parts.pop()) await p();
    };
    await Promise.all([next(), next()]);
    return others;
  }

  /**
   * Leftovers of an interrupted ingest of this origin go first (one writer per origin); returns the origin's
   * current state, read in the same transaction.
   */
  private async takeOver(originId: string): Promise<{ hash: string; gen: string } | undefined> {
    const { stale, previous } = await this.tx(async (tx) => {
      const retired = tx.run(Q.RETIRE_STAGING, { originId });
      const state = tx.run(Q.ORIGIN_STATE, { originId });
      const [r, st] = await Promise.all([retired, state]);
      return {
        stale: r.records.map((x) => x.get('gen') as string),
        previous: st.records[0]?.toObject() as { hash: string; gen: string } | undefined,
      };
    });
    if (stale.length > 0) await this.deleteRetired(originId, stale);
    return previous;
  }

  /** Same content: only the origin's label/time may change; true when the history grew. */
  private touchOrigin(data: OriginData, fingerprints: readonly Fingerprint[]): Promise<boolean> {
    return this.tx(async (tx) => {
      await tx.run(Q.UPDATE_ORIGIN_META, {
        originId: data.origin.id,
        label: data.origin.label,
        ingestedAt: data.origin.ingestedAt,
      });
      return this.appendFingerprints(tx, fingerprints);
    });
  }

  /**
   * Stages the origin's data under a fresh generation and switches to it. The switch (plus the batch's
   * fingerprints, which are history) commits with the last staged rows: a batch of at most `batchSize` rows
   * is one transaction.
   */
  private async stageAndSwitch(
    data: OriginData,
    hash: string,
    fingerprints: readonly Fingerprint[],
    others: Promise<ReadonlyMap<string, OtherKey>>,
  ): Promise<void> {
    const id = data.origin.id;
    // Short (inline in the property record, not a string-store record per node and edge) and unique: the
    // origin and the time are on the LineageGeneration node.
    const gen = `g${Date.now().toString(36)}${randomUUID().slice(0, 8)}`;
    const writes = this.txBatch();
    writes.add(Q.BEGIN_GENERATION, { gen, originId: id, startedAt: new Date().toISOString() }, 1);
    try {
      await this.stageOrigin(data, gen, writes, others);
    } catch (err) {
      // Staged rows are invisible; a rejected batch's go now, as an interrupted ingest's leftovers would. With
      // the server gone there is nothing to try (the next ingest of the origin deletes them): fail at once.
      await writes.abandon();
      if (!(isLineageError(err) && err.code === 'STORE_UNAVAILABLE'))
        await this.takeOver(id).catch(() => undefined);
      throw err;
    }
    await writes.commit(async (tx) => {
      await this.switchGeneration(tx, data, gen, hash);
      await this.appendFingerprints(tx, fingerprints);
    });
  }

  /** The switch: the staged generation becomes the origin's active one, its previous one is retired. */
  private async switchGeneration(tx: ManagedTransaction, data: OriginData, gen: string, hash: string) {
    const id = data.origin.id;
    const ok = await tx.run(Q.ACTIVATE_GENERATION, { gen });
    if (ok.records.length === 0)
      throw lineageError(
        'STORE_WRITE_FAILED',
        `ingest of origin ${id} was superseded by another writer of the same origin; nothing was changed`,
      );
    const retire = tx.run(Q.RETIRE_ACTIVE, { originId: id, gen, retiredAt: Date.now() });
    const sw = tx.run(Q.SWITCH_ORIGIN, {
      originId: id,
      gen,
      provenance: data.origin.provenance,
      label: data.origin.label,
      ingestedAt: data.origin.ingestedAt,
      hash,
      relations: neo4j.int(data.relations.length),
      columns: neo4j.int(data.columns.length),
      columnEdges: neo4j.int(data.columnEdges.length),
      relationEdges: neo4j.int(data.relationEdges.length),
      diagnostics: neo4j.int(data.diagnostics.length),
    });
    await Promise.all([retire, sw]);
  }

  async removeOrigin(originId: string): Promise<boolean> {
    return this.writing(`removal of origin ${originId}`, async () => {
      const existed = await this.tx(async (tx) => {
        await tx.run(Q.RETIRE_STAGING, { originId });
        if ((await tx.run(Q.ORIGIN_STATE, { originId })).records.length === 0) return false;
        await tx.run(Q.DELETE_ORIGIN_RECORD, { originId });
        await tx.run(Q.RETIRE_ACTIVE, { originId, gen: '', retiredAt: Date.now() });
        return true;
      });
      await this.deleteRetiredAfterCommit(originId);
      return existed;
    });
  }

  /**
   * After a committed switch the answer is already the new one; deleting the retired generation is
   * housekeeping, so a failure here does not fail the call: the next ingest of the origin or the next open
   * deletes what is left. A generation is deleted only once it has been retired for `retiredGraceMs` (reads
   * that took the previous active generations finish on that snapshot): now what has expired, and a timer
   * for the one just retired.
   */
  private async deleteRetiredAfterCommit(originId: string): Promise<void> {
    try {
      await this.deleteRetired(originId);
    } catch {
      // left for the next applyBatch/removeOrigin of this origin or the next openNeo4jStore
    }
    if (this.retiredGraceMs > 0 && !this.closed) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed) void this.deleteRetiredAfterCommit(originId);
      }, this.retiredGraceMs + 50);
      timer.unref();
      this.timers.add(timer);
    }
  }

  /** Deletes the data of retired generations (of one origin, or all) whose grace has passed. */
  async deleteRetired(originId: string | null, known?: readonly string[]): Promise<void> {
    const gens =
      known ??
      (
        await this.read(
          Q.RETIRED_GENERATIONS,
          { originId, before: Date.now() - this.retiredGraceMs },
          'leader',
        )
      ).map((r) => r.gen as string);
    for (const gen of gens) await this.deleteGeneration(gen);
  }

  /**
   * Deletes one retired generation, at most `batchSize` rows per transaction: a transaction runs the cleanup
   * steps in order with a shared row budget and the next one resumes at the step where it ran out, so a small
   * generation takes one transaction and a large one as many as its size needs.
   */
  private async deleteGeneration(gen: string): Promise<void> {
    const steps = Q.CLEANUP_STEPS;
    let from = 0;
    while (from < steps.length) {
      const start = from;
      from = await this.tx(async (tx) => {
        // Every remaining step at once (pipelined), each deleting at most batchSize rows; a step that hit the
        // bound may have more, so the next transaction resumes there. All below the bound: the generation
        // record goes too.
        const limit = neo4j.int(this.batchSize);
        const results = await Promise.all(steps.slice(start).map((q) => tx.run(q, { gen, limit })));
        const full = results.findIndex((r) => Number(r.records[0]?.get('n') ?? 0) >= this.batchSize);
        if (full >= 0) return start + full;
        await tx.run(Q.DELETE_GENERATION, { gen });
        return steps.length;
      });
    }
  }

  /**
   * Queues the origin's data under `gen` (invisible until the switch) on `writes`, which commits a transaction
   * whenever it holds `batchSize` rows.
   */
  private async stageOrigin(
    data: OriginData,
    gen: string,
    writes: TxBatch,
    references: Promise<ReadonlyMap<string, OtherKey>>,
  ): Promise<void> {
    const o = data.origin;
    const p = { originId: o.id, provenance: o.provenance, gen };
    await writes.rows(Q.STAGE_RELATIONS, data.relations, p, nodeRow);
    await writes.rows(
      Q.STAGE_COLUMNS,
      data.columns,
      { ...p, head: viewHead(gen, o.id, o.provenance) },
      columnRow,
      [
        stagedKeys(gen, 'column', (c) => c.key),
        (part) => ({ query: Q.STAGE_COLUMN_TEXT, params: { gen, docs: columnTextDocs(part) } }),
      ],
    );
    await writes.rows(Q.STAGE_CONSUMERS, data.consumers, p, nodeRow);
    await writes.rows(Q.STAGE_COLUMN_EDGES, data.columnEdges, p, edgeRow, [
      stagedKeys(gen, 'edge-from', (e) => e.from),
    ]);
    // Everything after needs the batch's references checked (and the relations of other origins' columns).
    const others = await references;
    const own = new Map(data.columns.map((c) => [c.key, c.relationKey]));
    const relOf = (key: string): string | null => own.get(key) ?? others.get(key)?.rel ?? null;
    const links = relationLinks(
      data.columnEdges.map((e) => ({
        from: e.from,
        to: e.to,
        kind: e.kind,
        ms: timeMs(e.firstSeen),
        fromRel: relOf(e.from),
        toRel: relOf(e.to),
      })),
      new Set(own.keys()),
    );
    const fromRelation = [stagedKeys(gen, 'relation-from', (e: { from: string }) => e.from)];
    await writes.rows(Q.STAGE_RELATION_LINKS, links, p, (l) => [l.from, l.to, l.lms, l.n, l.ext], [
      stagedKeys(gen, 'relation-from', (l) => l.from as string),
    ]);
    await writes.rows(Q.STAGE_RELATION_EDGES, data.relationEdges, p, edgeRow, fromRelation);
    await writes.rows(Q.STAGE_CONSUMER_EDGES, data.consumerEdges, p, edgeRow, fromRelation);
    await writes.rows(Q.STAGE_CHECKS, data.checks, p, (c) => [
      c.id,
      c.relationKey,
      c.columnKey ?? null,
      JSON.stringify(c),
    ]);
    await writes.rows(Q.STAGE_EVIDENCE, data.evidence, p, (e) => [e.nodeKey, JSON.stringify(e)]);
    await writes.rows(Q.STAGE_USAGE, data.usage, p, (u) => [u.target, u.day, JSON.stringify(u)]);
    await writes.rows(Q.STAGE_DIAGNOSTICS, data.diagnostics, p, (d, i) => [
      neo4j.int(i),
      d.severity,
      d.code,
      JSON.stringify(d),
    ]);
  }

  /** Appends the fingerprints the history rule (graph/records.ts) appends; true when any was appended. */
  private async appendFingerprints(
    tx: ManagedTransaction,
    incoming: readonly Fingerprint[],
  ): Promise<boolean> {
    if (!incoming || incoming.length === 0) return false;
    const keys = [...new Set(incoming.map((f) => f.nodeKey))];
    const latest = new Map<string, { seq: number; fp: Fingerprint }>();
    for (const part of chunks(keys, this.batchSize)) {
      const res = await tx.run(Q.LATEST_FINGERPRINTS, { keys: part });
      for (const r of res.records)
        latest.set(r.get('key') as string, {
          seq: Number(r.get('seq')),
          fp: JSON.parse(r.get('json') as string) as Fingerprint,
        });
    }
    const rows: Row[] = [];
    for (const [key, added] of fingerprintsToAppend(incoming, (k) => latest.get(k)?.fp)) {
      const seq = latest.get(key)?.seq ?? 0;
      added.forEach((f, i) =>
        rows.push({ nodeKey: key, seq: neo4j.int(seq + i + 1), json: JSON.stringify(f) }),
      );
    }
    if (rows.length === 0) return false;
    for (const part of chunks(rows, this.batchSize)) await tx.run(Q.CREATE_FINGERPRINTS, { rows: part });
    const changed = [...new Set(rows.map((r) => r.nodeKey as string))];
    for (const part of chunks(changed, this.batchSize))
      await tx.run(Q.TRIM_FINGERPRINTS, { keys: part, keep: neo4j.int(MAX_FINGERPRINTS_PER_NODE) });
    return true;
  }

  // ------------------------------------------------------------------ nodes

  /** Rows of contributions (originId, provenance, json) or of column views (`views`), merged per key. */
  private mergeRows(rows: Row[]): Map<NodeKey, AnyNode> {
    const byKey = new Map<NodeKey, { type: NodeType; list: Contribution<unknown>[] }>();
    const add = (key: string, type: NodeType, c: Contribution<unknown>) => {
      const entry = byKey.get(key);
      if (entry) entry.list.push(c);
      else byKey.set(key, { type, list: [c] });
    };
    for (const r of rows) {
      const key = r.key as string;
      if (Array.isArray(r.views)) for (const v of r.views as string[]) add(key, 'column', parseView(key, v));
      else
        add(key, r.type as NodeType, {
          originId: r.originId as string,
          provenance: r.provenance as Provenance,
          node: JSON.parse(r.json as string),
        });
    }
    const out = new Map<NodeKey, AnyNode>();
    for (const [key, { type, list }] of byKey) out.set(key, mergeContributions(type, list));
    return out;
  }

  async getNodes(keys: readonly NodeKey[]): Promise<Map<NodeKey, AnyNode>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    const rows: Row[] = [];
    for (const part of chunks(unique, this.batchSize))
      append(rows, await this.read(Q.CONTRIBUTIONS_BY_KEYS, { keys: part }));
    return this.mergeRows(rows);
  }

  async findByUniqueId(uniqueId: string): Promise<AnyNode[]> {
    const keys = (await this.read(Q.KEYS_BY_UNIQUE_ID, { uniqueId })).map((r) => r.key as string);
    const nodes = await this.getNodes(keys);
    return [...nodes.values()]
      .filter((n) => n.type !== 'column' && n.node.uniqueId === uniqueId)
      .sort((a, b) => compareStrings(a.node.key, b.node.key));
  }

  async search(text: string, options: SearchOptions): Promise<SearchHit[]> {
    const needle = normalizeSearchText(text);
    if (needle === '' || options.limit <= 0) return [];
    const types = options.types ? [...options.types] : [...NODE_TYPE_ORDER];
    const keys = (await this.read(Q.SEARCH_CANDIDATES, { needle, types, ...crossingNeedles(needle) })).map(
      (r) => r.key as string,
    );
    const hits: SearchHit[] = [];
    for (const [key, n] of await this.getNodes(keys)) {
      if (!types.includes(n.type)) continue;
      const s = searchable(n);
      const score = searchScore(needle, { key, ...s });
      if (score > 0) hits.push({ key, type: n.type, name: s.name, displayName: s.displayName, score });
    }
    return hits.sort(compareSearchHits).slice(0, options.limit);
  }

  async columnsOf(relationKey: RelationKey): Promise<ColumnNode[]> {
    return (await this.columnsOfMany([relationKey])).get(relationKey) ?? [];
  }

  async columnsOfMany(relationKeys: readonly RelationKey[]): Promise<Map<RelationKey, ColumnNode[]>> {
    const out = new Map<RelationKey, ColumnNode[]>();
    const unique = [...new Set(relationKeys)];
    if (unique.length === 0) return out;
    for (const part of chunks(unique, this.batchSize))
      this.addColumns(out, await this.read(Q.COLUMN_CONTRIBUTIONS_OF_RELATIONS, { keys: part }));
    return out;
  }

  /** Rows of COLUMN_CONTRIBUTIONS_OF_RELATIONS as columnsOf answers, into `out`. */
  private addColumns(out: Map<RelationKey, ColumnNode[]>, rows: readonly Row[]): void {
    for (const r of rows) {
      const relationKey = r.relation as string;
      const cols = [...this.mergeRows(r.cs as Row[]).values()]
        .filter((n): n is { type: 'column'; node: ColumnNode } => n.type === 'column')
        .map((n) => n.node)
        .filter((c) => c.relationKey === relationKey);
      out.set(relationKey, cols.sort(compareColumns));
    }
  }

  private async allOfType(type: 'relation' | 'consumer'): Promise<AnyNode[]> {
    return (await this.allOfTypeWithGens(type)).nodes;
  }

  /** allOfType and the active generations its statement read (generationsKey). */
  private async allOfTypeWithGens(
    type: 'relation' | 'consumer',
  ): Promise<{ nodes: AnyNode[]; gens: string }> {
    const [answeredFrom, rows] = splitAnsweredFrom(await this.read(Q.contributionsOfType(type)), 'type');
    const merged = this.mergeRows(rows);
    return {
      nodes: [...merged.values()].sort((a, b) => compareStrings(a.node.key, b.node.key)),
      gens: generationsKey(answeredFrom.json as string[]),
    };
  }

  async listRelations(filter?: {
    schema?: string;
    kinds?: readonly RelationKind[];
  }): Promise<RelationNode[]> {
    return (await this.liveRelations()).filter(
      (r) =>
        (filter?.schema === undefined || r.schema === filter.schema) &&
        (filter?.kinds === undefined || filter.kinds.includes(r.kind)),
    );
  }

  /**
   * The kept relations while their generations are active (one small read to check); otherwise one read of
   * them, kept under the generations that statement read. With nothing kept yet there is no check first.
   */
  private async liveRelations(): Promise<RelationNode[]> {
    const kept = this.lastRelations;
    if (kept && kept.gens === generationsKey(await this.activeGens('any'))) return kept.relations;
    const all = await this.allOfTypeWithGens('relation');
    const relations = all.nodes.map((n) => n.node as RelationNode);
    this.lastRelations = { gens: all.gens, relations };
    return relations;
  }

  async listConsumers(): Promise<ConsumerNode[]> {
    return (await this.allOfType('consumer')).map((n) => n.node as ConsumerNode);
  }

  // ------------------------------------------------------------------ edges and traversal

  async edgesOf(key: NodeKey, direction: 'upstream' | 'downstream'): Promise<EdgeView[]> {
    const query = direction === 'downstream' ? Q.EDGE_FACTS_DOWN : Q.EDGE_FACTS_UP;
    return edgeViews(await this.read(query, { key }));
  }

  async edgesOfMany(
    keys: readonly NodeKey[],
    direction: 'upstream' | 'downstream',
  ): Promise<Map<NodeKey, EdgeView[]>> {
    const query = direction === 'downstream' ? Q.EDGE_FACTS_DOWN_MANY : Q.EDGE_FACTS_UP_MANY;
    const unique = [...new Set(keys)];
    const rows: Row[] = [];
    for (const part of chunks(unique, this.batchSize)) append(rows, await this.read(query, { keys: part }));
    return edgesByKey(unique, rows);
  }

  async traverse(starts: readonly NodeKey[], options: TraverseOptions): Promise<TraversalResult> {
    // One statement for the whole walk, active generations and start check included (graph/neo4j/cypher.ts,
    // columnTraversal and relationTraversal).
    const walk = walkStatement(starts, options);
    const [row] = await this.read(walk.query, walk.params);
    return walk.answer(row.valid, row.rows);
  }

  async traverseMany(walks: readonly TraverseRequest[]): Promise<TraversalResult[]> {
    // Every walk its own statement, all sent at once (one round trip): the server plans a handful of statement
    // texts once, not one text per combination of walks (each planned anew after a restart, ~150 ms apiece).
    return Promise.all(walks.map((w) => this.traverse(w.starts, w.options)));
  }

  async neighbors(keys: readonly NodeKey[], options: NeighborOptions): Promise<Hop[]> {
    // The step statements match only live starts of the level's type: no type lookup first.
    const { expand } = await this.stepper(options);
    return canonicalHops(await expand([...new Set(keys)]));
  }

  /** Validates step options and returns the one-query-per-frontier expansion `traverse` and `neighbors` share. */
  private async stepper(options: NeighborOptions): Promise<{
    expand: (frontier: NodeKey[]) => Promise<Hop[]>;
  }> {
    const { query, params, column } = stepStatement(options);
    const expand = async (frontier: NodeKey[]): Promise<Hop[]> => {
      const hops: Hop[] = [];
      for (const part of chunks(frontier, this.batchSize))
        append(hops, hopRows(await this.read(query, { ...params, frontier: part }), column));
      return hops;
    };
    return { expand };
  }

  async readMany(request: ReadRequest): Promise<ReadAnswer> {
    const { nodes, columns, edges, checks, usage, steps } = request;
    const lists = [nodes, columns, edges?.keys, checks?.keys, checks?.columnsOf, usage?.targets, steps?.keys];
    // A list longer than one statement takes: each read by its own method (and its own chunks).
    if (lists.some((l) => l !== undefined && new Set(l).size > this.batchSize))
      return readManyByParts(this, request);
    // Every read its own statement, all sent at once (one round trip), decoded in the order they were added:
    // a fixed set of statement texts the server plans once, whatever combination of reads a request makes.
    const reads: { rows: Promise<Row[]>; decode: (rows: Row[], out: ReadAnswer) => void }[] = [];
    const add: AddRead = (statement, p, decode) => {
      const rows = this.read(statement, p);
      rows.catch(() => undefined);
      reads.push({ rows, decode });
    };
    if (nodes)
      add(
        Q.CONTRIBUTIONS_BY_KEYS,
        { keys: [...new Set(nodes)] },
        (rows, out) => (out.nodes = this.mergeRows(rows)),
      );
    if (columns)
      add(Q.COLUMN_CONTRIBUTIONS_OF_RELATIONS, { keys: [...new Set(columns)] }, (rows, out) => {
        out.columns = new Map();
        this.addColumns(out.columns, rows);
      });
    if (edges) {
      const keys = [...new Set(edges.keys)];
      const query = edges.direction === 'downstream' ? Q.EDGE_FACTS_DOWN_MANY : Q.EDGE_FACTS_UP_MANY;
      add(query, { keys }, (rows, out) => (out.edges = edgesByKey(keys, rows)));
    }
    if (checks) this.addChecksRead(checks, add);
    if (usage)
      add(
        Q.USAGE_BY_TARGETS,
        { sinceDay: usage.sinceDay, untilDay: usage.untilDay ?? null, targets: [...new Set(usage.targets)] },
        (rows, out) =>
          (out.usage = aggregateUsage(
            rows.map((r) => JSON.parse(r.json as string) as UsageRecord),
            usage,
          )),
      );
    if (steps) this.addStepRead(steps, add);
    const out: ReadAnswer = {};
    const answered = await Promise.all(reads.map((r) => r.rows));
    reads.forEach((r, i) => r.decode(answered[i], out));
    return out;
  }

  /** readMany's steps read: the step statement, with the nodes it reaches when asked (one statement either way). */
  private addStepRead(steps: NonNullable<ReadRequest['steps']>, add: AddRead): void {
    const { query, params: p, column } = stepStatement(steps.options);
    const frontier = [...new Set(steps.keys)];
    if (steps.nodes !== true) {
      add(
        query,
        { ...p, frontier },
        (rows, out) => (out.steps = { hops: canonicalHops(hopRows(rows, column)) }),
      );
      return;
    }
    const columns = column ? ['from', 'to', 'kind'] : ['from', 'to', 'kind', 'type'];
    add(
      Q.stepWithNodes({ statement: query, columns }),
      { ...p, frontier, n_keys: frontier },
      ([row], out) => {
        out.steps = {
          hops: canonicalHops(hopRows(row.hops as Row[], column)),
          nodes: this.mergeRows(row.nodes as Row[]),
        };
      },
    );
  }

  /** readMany's checks read: CHECKS_BY_KEYS_AND_COLUMNS, kept as checks() of the keys and columnsOf's column keys. */
  private addChecksRead(checks: NonNullable<ReadRequest['checks']>, add: AddRead): void {
    const rels = [...new Set(checks.columnsOf ?? [])];
    let columnKeys: Set<string> = new Set();
    // The relations' columns exactly as columnsOf answers them, read beside the checks (decoded first).
    if (rels.length > 0)
      add(Q.COLUMN_CONTRIBUTIONS_OF_RELATIONS, { keys: rels }, (rows) => {
        const cols = new Map<RelationKey, ColumnNode[]>();
        this.addColumns(cols, rows);
        columnKeys = new Set(columnKeysOf(cols));
      });
    const keys = [...new Set(checks.keys)];
    const asked = new Set(keys);
    add(Q.CHECKS_BY_KEYS_AND_COLUMNS, { keys, rels }, (rows, out) => {
      const seen = new Set<string>();
      const list: Contribution<Check>[] = [];
      for (const r of rows) {
        const k = r.k as string;
        const id = r.id as string;
        if ((!asked.has(k) && !columnKeys.has(k)) || seen.has(id)) continue;
        seen.add(id);
        list.push({
          originId: r.originId as string,
          provenance: r.provenance as Provenance,
          node: JSON.parse(r.json as string) as Check,
        });
      }
      out.checks = selectChecks(list);
    });
  }

  async relationGraph(): Promise<RelationGraph> {
    const gens = generationsKey(await this.activeGens('any'));
    if (this.lastRelationGraph?.gens === gens) return this.lastRelationGraph.graph;
    const reading = this.readingRelationGraph.get(gens);
    if (reading) return reading;
    const read = this.readRelationGraph(gens).finally(() => this.readingRelationGraph.delete(gens));
    this.readingRelationGraph.set(gens, read);
    return read;
  }

  private async readRelationGraph(gens: string): Promise<RelationGraph> {
    // Independent reads, sent together; each reads the active generations itself and answers which.
    const [all, summary] = await Promise.all([
      this.allOfTypeWithGens('relation'),
      this.read(Q.RELATION_SUMMARY),
    ]);
    const [summaryFrom, pairs] = splitAnsweredFrom(summary, 'part');
    const relations = all.nodes.map((n) => n.node as RelationNode);
    this.lastRelations = { gens: all.gens, relations };
    const graph = relationGraphOf(relations, pairs);
    // kept only when both reads saw the generations asked for first (no switch in between)
    if (all.gens === gens && generationsKey(summaryFrom.b as string[]) === gens)
      this.lastRelationGraph = { gens, graph };
    return graph;
  }

  async relationsWithoutReaders(): Promise<RelationKey[]> {
    return this.sortedKeys(await this.read(Q.RELATIONS_WITHOUT_READERS));
  }

  async consumedRelations(): Promise<RelationKey[]> {
    return this.sortedKeys(await this.read(Q.CONSUMED_RELATIONS));
  }

  private sortedKeys(rows: readonly Row[]): RelationKey[] {
    return rows.map((r) => r.key as string).sort(compareStrings);
  }

  // ------------------------------------------------------------------ records

  async usage(query: UsageQuery): Promise<UsageAggregate[]> {
    const params = {
      sinceDay: query.sinceDay,
      untilDay: query.untilDay ?? null,
    };
    const rows: Row[] = [];
    if (query.targets === undefined) append(rows, await this.read(Q.USAGE_ALL, params));
    else
      for (const part of chunks([...new Set(query.targets)], this.batchSize))
        append(rows, await this.read(Q.USAGE_BY_TARGETS, { ...params, targets: part }));
    return aggregateUsage(
      rows.map((r) => JSON.parse(r.json as string) as UsageRecord),
      query,
    );
  }

  async fingerprints(keys: readonly NodeKey[], limitPerNode: number): Promise<Map<NodeKey, Fingerprint[]>> {
    const out = new Map<NodeKey, Fingerprint[]>();
    if (limitPerNode <= 0) return out;
    for (const part of chunks([...new Set(keys)], this.batchSize))
      for (const r of await this.read(Q.FINGERPRINTS_BY_KEYS, { keys: part, limit: neo4j.int(limitPerNode) }))
        out.set(
          r.key as string,
          (r.fs as string[]).map((j) => JSON.parse(j) as Fingerprint),
        );
    return out;
  }

  async evidence(keys: readonly NodeKey[], since?: string): Promise<Evidence[]> {
    const list: Evidence[] = [];
    for (const part of chunks([...new Set(keys)], this.batchSize))
      for (const r of await this.read(Q.EVIDENCE_BY_KEYS, { keys: part }))
        list.push(JSON.parse(r.json as string) as Evidence);
    return selectEvidence(list, since);
  }

  async checks(keys: readonly NodeKey[]): Promise<Check[]> {
    const list: Contribution<Check>[] = [];
    for (const part of chunks([...new Set(keys)], this.batchSize))
      for (const r of await this.read(Q.CHECKS_BY_KEYS, { keys: part }))
        list.push({
          originId: r.originId as string,
          provenance: r.provenance as Provenance,
          node: JSON.parse(r.json as string) as Check,
        });
    return selectChecks(list);
  }

  async origins(): Promise<OriginInfo[]> {
    return (await this.read(Q.ORIGINS)).map((r) => ({
      id: r.id as string,
      provenance: r.provenance as Provenance,
      label: r.label as string,
      ingestedAt: r.ingestedAt as string,
      relations: Number(r.relations),
      columns: Number(r.columns),
      columnEdges: Number(r.columnEdges),
      relationEdges: Number(r.relationEdges),
      diagnostics: Number(r.diagnostics),
    }));
  }

  async diagnostics(query: DiagnosticQuery): Promise<Diagnostic[]> {
    if (query.limit <= 0) return [];
    const rows = await this.read(Q.DIAGNOSTICS, {
      originId: query.originId ?? null,
      severity: query.severity ?? null,
      code: query.code ?? null,
    });
    rows.sort(
      (a, b) => compareStrings(a.originId as string, b.originId as string) || Number(a.seq) - Number(b.seq),
    );
    return rows.slice(0, query.limit).map((r) => JSON.parse(r.json as string) as Diagnostic);
  }

  async stats(): Promise<StoreStats> {
    const [[counts], [pairs], severities, origins] = await Promise.all([
      this.read(Q.COUNT_LIVE),
      this.read(Q.RELATION_PAIR_COUNT),
      this.read(Q.DIAGNOSTIC_COUNTS),
      this.origins(),
    ]);
    const bySeverity = { error: 0, warning: 0, info: 0 };
    for (const r of severities) {
      const s = r.severity as keyof typeof bySeverity;
      if (s in bySeverity) bySeverity[s] += Number(r.n);
    }
    return {
      relations: Number(counts.relations),
      columns: Number(counts.columns),
      consumers: Number(counts.consumers),
      columnEdges: Number(counts.columnEdges),
      relationEdges: Number(pairs.n),
      consumerEdges: Number(counts.consumerEdges),
      origins,
      diagnosticsBySeverity: bySeverity,
    };
  }

  async size(): Promise<StoreSize> {
    const [counts] = await this.read(Q.LABEL_COUNTS);
    return { relations: Number(counts.relations), columns: Number(counts.columns) };
  }

  async ping(): Promise<boolean> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.driver.close();
  }
}
