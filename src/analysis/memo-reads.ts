// One analysis asks the same question of the store more than once (the target relation's downstream edges
// feed the breaks, the tests and the stale walk); within one analysis the answer cannot change, so each is
// read once. A round trip each on Neo4j. Answers are kept per argument (edges, columns, checks, traversals) or
// per key (nodes, one-step hops, usage), so a later call asks the store only for what no earlier call answered,
// and the read-ahead functions below (readAhead: one readMany; readAheadWalks: one traverseMany) let a phase
// ask, in one store call, for what it and later phases will ask: the answer of every call stays exactly what
// the store would answer for it, only the number of round trips changes.
import type {
  AnyNode,
  EdgeView,
  Hop,
  LineageStore,
  TraversalResult,
  TraverseOptions,
} from '../../graph/store.ts';
import type {
  NeighborOptions,
  ReadAnswer,
  ReadRequest,
  UsageAggregate,
  UsageQuery,
} from '../../graph/store.ts';
import { compareStrings } from '../../graph/merge.ts';
import { canonicalHops } from '../../graph/records.ts';
import { checkStepOptions } from '../../graph/traversal.ts';
import type { Check, ColumnNode, NodeKey, RelationKey } from '../model/lineage.ts';

/** What a memo has read: answers by argument, nodes by key (null: no such node), hops by options and key. */
interface MemoState {
  store: LineageStore;
  edges: Map<string, Promise<EdgeView[]>>;
  columns: Map<RelationKey, Promise<ColumnNode[]>>;
  /** Checks by their set of keys (checksId). */
  checks: Map<string, Promise<Check[]>>;
  walks: Map<string, Promise<TraversalResult>>;
  nodes: Map<NodeKey, AnyNode | null>;
  hops: Map<string, Map<NodeKey, Hop[]>>;
  /** Usage by query (all but the targets) and target; null: no usage in that query. */
  usage: Map<string, Map<NodeKey, UsageAggregate | null>>;
}

const states = new WeakMap<LineageStore, MemoState>();

const edgesId = (key: NodeKey, direction: string) => `${direction}\u0000${key}`;

/** Every option that changes a traversal's answer, in a fixed order. */
function walkId(starts: readonly NodeKey[], o: TraverseOptions): string {
  return JSON.stringify([
    starts,
    o.direction,
    o.level,
    o.maxDepth,
    o.kinds ?? null,
    o.limit,
    o.includeConsumers === true,
    o.asOf ?? null,
  ]);
}

/** checks() answers depend on the set of keys only (sorted by id). */
const checksId = (keys: readonly NodeKey[]) => JSON.stringify([...new Set(keys)].sort(compareStrings));

const usageId = (q: UsageQuery) =>
  JSON.stringify([q.sinceDay, q.untilDay ?? null, q.excludeUsers ?? [], q.excludeRoles ?? []]);

const stepId = (o: NeighborOptions) =>
  JSON.stringify([o.direction, o.level, o.kinds ?? null, o.includeConsumers === true, o.asOf ?? null]);

/**
 * `store` with edgesOf, columnsOf, checks and traverse answered once per argument (checks: per set of keys),
 * getNodes once per key, neighbors
 * once per (options, key) and usage of given targets once per (query, target); every other call goes to
 * `store`. A memo given again is returned as it is (an
 * analysis built on another shares its reads).
 */
export function memoReads(store: LineageStore): LineageStore {
  if (states.has(store)) return store;
  const st: MemoState = {
    store,
    edges: new Map(),
    columns: new Map(),
    checks: new Map(),
    walks: new Map(),
    nodes: new Map(),
    hops: new Map(),
    usage: new Map(),
  };
  const memo = Object.create(store) as LineageStore;
  memo.edgesOf = (key: NodeKey, direction) =>
    once(st.edges, edgesId(key, direction), () => store.edgesOf(key, direction));
  memo.columnsOf = (key: RelationKey) => once(st.columns, key, () => store.columnsOf(key));
  memo.checks = (keys) => once(st.checks, checksId(keys), () => store.checks(keys));
  memo.traverse = (starts, options) =>
    once(st.walks, walkId(starts, options), () => store.traverse(starts, options));
  memo.getNodes = (keys) => memoNodes(st, keys);
  memo.neighbors = (keys, options) => memoNeighbors(st, keys, options);
  memo.usage = (query) => (query.targets === undefined ? store.usage(query) : memoUsage(st, query));
  states.set(memo, st);
  return memo;
}

function once<T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
  let answer = cache.get(id);
  if (!answer) {
    answer = read();
    cache.set(id, answer);
    // A failed read is not kept: the next call asks again (and fails or answers as the store does then).
    answer.catch(() => cache.delete(id));
  }
  return answer;
}

async function memoNodes(st: MemoState, keys: readonly NodeKey[]): Promise<Map<NodeKey, AnyNode>> {
  const unique = [...new Set(keys)];
  const missing = unique.filter((k) => !st.nodes.has(k));
  if (missing.length > 0) {
    const got = await st.store.getNodes(missing);
    for (const k of missing) st.nodes.set(k, got.get(k) ?? null);
  }
  const out = new Map<NodeKey, AnyNode>();
  for (const k of unique) {
    const n = st.nodes.get(k);
    if (n) out.set(k, n);
  }
  return out;
}

/**
 * The hops of every key: each key's own hops (the `from` of a hop is the asked key) come from one earlier
 * answer or from one store call for the keys no call answered yet. A key this memo loaded as a node of another
 * type than the level's has none (the contract ignores such keys), so it is not asked. Sorted as the store
 * sorts (canonicalHops).
 */
async function memoNeighbors(
  st: MemoState,
  keys: readonly NodeKey[],
  options: NeighborOptions,
): Promise<Hop[]> {
  checkStepOptions(options);
  const id = stepId(options);
  let cache = st.hops.get(id);
  if (!cache) st.hops.set(id, (cache = new Map()));
  const known = cache;
  const otherType = (k: NodeKey) => {
    const n = st.nodes.get(k);
    return n !== undefined && n !== null && n.type !== options.level;
  };
  const unique = [...new Set(keys)];
  const missing = unique.filter((k) => !known.has(k) && !otherType(k));
  if (missing.length > 0) {
    const byFrom = new Map<NodeKey, Hop[]>(missing.map((k) => [k, []]));
    for (const h of await st.store.neighbors(missing, options)) byFrom.get(h.from)?.push(h);
    for (const [k, hops] of byFrom) known.set(k, hops);
  }
  return canonicalHops(unique.flatMap((k) => known.get(k) ?? []));
}

/**
 * Usage of the targets: each target's aggregate (it depends on that target's records only) from one earlier
 * answer to the same query or from one store call for the targets no call answered yet; sorted by target.
 */
async function memoUsage(st: MemoState, query: UsageQuery): Promise<UsageAggregate[]> {
  const id = usageId(query);
  let cache = st.usage.get(id);
  if (!cache) st.usage.set(id, (cache = new Map()));
  const known = cache;
  const unique = [...new Set(query.targets)];
  const missing = unique.filter((k) => !known.has(k));
  if (missing.length > 0) {
    const got = new Map((await st.store.usage({ ...query, targets: missing })).map((u) => [u.target, u]));
    for (const k of missing) known.set(k, got.get(k) ?? null);
  }
  return unique
    .map((k) => known.get(k) ?? null)
    .filter((u): u is UsageAggregate => u !== null)
    .sort((a, b) => compareStrings(a.target, b.target));
}

/** One traversal a phase will ask for. */
export interface PlannedWalk {
  starts: readonly NodeKey[];
  options: TraverseOptions;
}

/**
 * Runs the walks in one store call (traverseMany) when two or more are not read yet, so the traverse calls
 * that follow on `store` answer from it. Nothing when `store` is no memo; a failed read-ahead is dropped (each
 * traverse call then asks the store, and fails as it would have).
 */
export async function readAheadWalks(store: LineageStore, walks: readonly PlannedWalk[]): Promise<void> {
  const st = states.get(store);
  if (!st) return;
  const todo = new Map<string, PlannedWalk>();
  for (const w of walks) {
    const id = walkId(w.starts, w.options);
    if (!st.walks.has(id)) todo.set(id, w);
  }
  if (todo.size < 2) return;
  let answers: TraversalResult[];
  try {
    answers = await st.store.traverseMany([...todo.values()]);
  } catch {
    return;
  }
  [...todo.keys()].forEach((id, i) => st.walks.set(id, Promise.resolve(answers[i])));
}

/** A walk this memo holds already (read ahead or asked), without asking the store; undefined otherwise. */
export function readWalk(store: LineageStore, walk: PlannedWalk): Promise<TraversalResult> | undefined {
  return states.get(store)?.walks.get(walkId(walk.starts, walk.options));
}

/**
 * Reads ahead, in one store call (readMany), every read of `request` this memo has not answered yet, so the
 * calls that follow on `store` (getNodes, columnsOf, edgesOf, checks, usage, neighbors) answer from it: nodes,
 * hops and usage per key, columns per relation, edges per key and direction, checks per set of keys (a checks
 * read with `columnsOf` is kept under its keys and those relations' column keys, which the same call reads).
 * A step's `nodes` also keeps the nodes of its keys and of the hops' targets. Nothing when `store` is no memo
 * or nothing is missing; a failed read-ahead is dropped (each later call then asks the store).
 */
export async function readAhead(store: LineageStore, request: ReadRequest): Promise<void> {
  const st = states.get(store);
  if (!st) return;
  let ask: Asked;
  let answer: ReadAnswer;
  try {
    ask = await missingReads(st, request);
    if (Object.keys(ask.request).length === 0) return;
    answer = await st.store.readMany(ask.request);
  } catch {
    return;
  }
  keepAnswer(st, ask, answer);
}

/** The part of a read-ahead request a memo has no answer for, and what it needs to keep the answer. */
interface Asked {
  request: ReadRequest;
  /** checks: the asked keys, and the relations whose column keys join them. */
  checks?: {
    keys: readonly NodeKey[];
    columnsOf: readonly RelationKey[];
    /** columnsOf's answers this memo held before the call (the others are in the call's answer). */
    known: Map<RelationKey, ColumnNode[]>;
  };
}

const fresh = <T>(keys: Iterable<T>, known: (k: T) => boolean): T[] =>
  [...new Set(keys)].filter((k) => !known(k));

async function missingReads(st: MemoState, r: ReadRequest): Promise<Asked> {
  const request: ReadRequest = {};
  const out: Asked = { request };
  const nodes = new Set(fresh(r.nodes ?? [], (k) => st.nodes.has(k)));
  const columns = new Set(fresh(r.columns ?? [], (k) => st.columns.has(k)));
  if (r.edges) {
    const { direction } = r.edges;
    const keys = fresh(r.edges.keys, (k) => st.edges.has(edgesId(k, direction)));
    if (keys.length > 0) request.edges = { keys, direction };
  }
  if (r.checks) {
    const rels = [...new Set(r.checks.columnsOf ?? [])];
    const known = new Map<RelationKey, ColumnNode[]>();
    for (const k of rels) {
      const cols = st.columns.get(k);
      if (cols) known.set(k, await cols);
    }
    const unknown = rels.filter((k) => !known.has(k));
    const keys = [...r.checks.keys, ...[...known.values()].flat().map((c) => c.key)];
    if (unknown.length > 0 || !st.checks.has(checksId(keys))) {
      for (const k of unknown) columns.add(k);
      request.checks = { keys: [...r.checks.keys], columnsOf: rels };
      out.checks = { keys: r.checks.keys, columnsOf: rels, known };
    }
  }
  if (r.usage) {
    const targets = fresh(r.usage.targets, (k) => st.usage.get(usageId(r.usage!))?.has(k) === true);
    if (targets.length > 0) request.usage = { ...r.usage, targets };
  }
  if (r.steps) {
    const { options } = r.steps;
    checkStepOptions(options);
    const known = st.hops.get(stepId(options));
    const otherType = (k: NodeKey) => {
      const n = st.nodes.get(k);
      return n !== undefined && n !== null && n.type !== options.level;
    };
    const keys = fresh(r.steps.keys, (k) => known?.has(k) === true || otherType(k));
    if (keys.length > 0) request.steps = { keys, options, nodes: r.steps.nodes };
    if (r.steps.nodes) {
      // The nodes of keys and targets whose hops are known already.
      const targets = r.steps.keys.flatMap((k) => (known?.get(k) ?? []).map((h) => h.to));
      for (const k of fresh([...r.steps.keys, ...targets], (x) => st.nodes.has(x) || keys.includes(x)))
        nodes.add(k);
    }
  }
  if (nodes.size > 0) request.nodes = [...nodes];
  if (columns.size > 0) request.columns = [...columns];
  return out;
}

function keepAnswer(st: MemoState, ask: Asked, a: ReadAnswer): void {
  const r = ask.request;
  for (const k of r.nodes ?? []) st.nodes.set(k, a.nodes?.get(k) ?? null);
  for (const k of r.columns ?? []) st.columns.set(k, Promise.resolve(a.columns?.get(k) ?? []));
  if (r.edges)
    for (const k of r.edges.keys)
      st.edges.set(edgesId(k, r.edges.direction), Promise.resolve(a.edges?.get(k) ?? []));
  if (ask.checks && a.checks) {
    const c = ask.checks;
    // The column keys exactly as columnsOf answers them (known before, or read in this call).
    const columnKeys = c.columnsOf.flatMap((k) =>
      (c.known.get(k) ?? a.columns?.get(k) ?? []).map((x) => x.key),
    );
    st.checks.set(checksId([...c.keys, ...columnKeys]), Promise.resolve(a.checks));
  }
  if (r.usage) {
    const id = usageId(r.usage);
    let cache = st.usage.get(id);
    if (!cache) st.usage.set(id, (cache = new Map()));
    const got = new Map((a.usage ?? []).map((u) => [u.target, u]));
    for (const k of r.usage.targets) cache.set(k, got.get(k) ?? null);
  }
  if (r.steps && a.steps) {
    const id = stepId(r.steps.options);
    let cache = st.hops.get(id);
    if (!cache) st.hops.set(id, (cache = new Map()));
    const byFrom = new Map<NodeKey, Hop[]>(r.steps.keys.map((k) => [k, []]));
    for (const h of a.steps.hops) byFrom.get(h.from)?.push(h);
    for (const [k, hops] of byFrom) cache.set(k, hops);
    if (a.steps.nodes)
      for (const k of [...r.steps.keys, ...a.steps.hops.map((h) => h.to)])
        if (!st.nodes.has(k)) st.nodes.set(k, a.steps.nodes.get(k) ?? null);
  }
}
