// The embedded LineageStore: per-origin contributions in memory, a GraphIndex rebuilt on every apply, and a
// backing (backing.ts): a binary file under dataDir written atomically (persist.ts), or nothing at all for
// an in-memory store. Every method runs synchronously inside its promise, so within one process a reader
// sees the state before or after an apply, never a mix. Across processes (file backing): writers take
// store.lock and reload a file changed by another process before applying; readers reload when the file's
// (inode, size, mtime) changed, checked at most every reloadCheckMs.
import { isLineageError, lineageError } from '../../src/errors.ts';
import type { Fingerprint, LineageBatch, NodeKey } from '../../src/model/lineage.ts';
import { canonicalizeBatch, type OriginData } from '../canonical.ts';
import { readManyByParts } from '../read-many.ts';
import {
  consumedRelations,
  contentOf,
  fingerprintsToAppend,
  MAX_FINGERPRINTS_PER_NODE,
  relationsWithoutReaders,
  sameContent,
} from '../records.ts';
import type {
  ApplyResult,
  LineageStore,
  NeighborOptions,
  TraversalResult,
  TraverseOptions,
} from '../store.ts';
import { storedContent, toStored, type StoredOrigin } from './column-edges.ts';
import { FingerprintHistory } from './fingerprints.ts';
import { fileBacking, memoryBacking, type Backing, type State } from './backing.ts';
import { buildIndex, NODE_TYPES } from './graph-index.ts';
import * as q from './queries.ts';
import { neighborsIndex, traverseIndex } from './traverse.ts';

export interface EmbeddedStoreOptions {
  dataDir: string;
  /** How often (ms) readers check whether another process replaced the file; 0 = on every call. */
  reloadCheckMs?: number;
  /** How long an apply waits for another process's write lock. */
  lockTimeoutMs?: number;
}

export interface EmbeddedStore extends LineageStore {
  readonly kind: 'embedded';
  /** Bytes of the store file after the last save or load (0 when none). */
  fileBytes(): number;
  /** Where the last applyBatch / removeOrigin spent its time (for bench/embedded-scale.ts). */
  lastWriteTimings(): WriteTimings;
}

export interface WriteTimings {
  /** Validating and canonicalizing the batch, then rebuilding the index. */
  changeMs: number;
  saveMs: number;
}

/** Appends the fingerprints the history rule (graph/records.ts) appends; null when none. */
function appendFingerprints(
  history: FingerprintHistory,
  incoming: readonly Fingerprint[],
): FingerprintHistory | null {
  const added = fingerprintsToAppend(incoming, (key) => history.get(key)?.at(-1));
  if (added.size === 0) return null;
  const changes = new Map<string, Fingerprint[]>();
  for (const [key, list] of added)
    changes.set(key, [...(history.get(key) ?? []), ...list].slice(-MAX_FINGERPRINTS_PER_NODE));
  return history.with(changes);
}

/** What a write does to the state: the next state (null = nothing to save) and the caller's answer. */
interface Change<T> {
  next: State | null;
  result: T;
}

/** A batch on its way into the store: emptied once it is canonicalized, so nothing here holds it after that. */
interface BatchBox {
  batch: LineageBatch | null;
}

/** The canonical batch and what the apply decided from it, before the index is rebuilt. */
interface Prepared {
  /** Null once the origin is stored (its column edge objects are then garbage). */
  data: OriginData | null;
  originId: string;
  counts: ApplyResult['counts'];
  fps: FingerprintHistory | null;
  previous: StoredOrigin | undefined;
}

/** Validates and canonicalizes the boxed batch against the state, and lets go of the batch. */
function prepareApply(s: State, box: BatchBox): Prepared {
  const batch = box.batch as LineageBatch;
  box.batch = null;
  const previous = s.ix.origins.find((o) => o.origin.id === batch?.origin?.id);
  const ownKeys = new Set<string>();
  if (previous)
    for (const list of [previous.relations, previous.columns, previous.consumers])
      for (const n of list) ownKeys.add(n.key);
  const data = canonicalizeBatch(batch, (key) => {
    const id = s.ix.ids.get(key);
    if (id === undefined) return undefined;
    return s.ix.contributors[id] > (ownKeys.has(key) ? 1 : 0) ? NODE_TYPES[s.ix.type[id]] : undefined;
  });
  const counts = {
    relations: data.relations.length,
    columns: data.columns.length,
    columnEdges: data.columnEdges.length,
    relationEdges: data.relationEdges.length,
  };
  const fps = appendFingerprints(s.fingerprints, batch.fingerprints);
  return { data, originId: data.origin.id, counts, fps, previous };
}

/** The same content as the origin's previous contribution: only its label/time (or fingerprints) change. */
function sameContentChange(s: State, p: Prepared, previous: StoredOrigin): Change<ApplyResult> {
  const data = p.data as OriginData;
  const result = (unchanged: boolean): ApplyResult => ({ originId: p.originId, unchanged, counts: p.counts });
  const o = previous.origin;
  const metaChanged = o.label !== data.origin.label || o.ingestedAt !== data.origin.ingestedAt;
  if (!metaChanged && p.fps === null) return { next: null, result: result(true) };
  const origins = s.ix.origins.map((q) => (q === previous ? { ...previous, origin: data.origin } : q));
  return {
    next: { ix: { ...s.ix, origins }, fingerprints: p.fps ?? s.fingerprints, stamp: s.stamp },
    result: result(p.fps === null),
  };
}

/**
 * Replaces the origin's contribution and rebuilds the index. The canonical batch is dropped as soon as it is
 * stored (its column edges are then a table), so its objects can be collected while the index is built.
 */
function replaceChange(s: State, p: Prepared): Change<ApplyResult> {
  const origins: StoredOrigin[] = s.ix.origins.filter((o) => o !== p.previous);
  origins.push(toStored(p.data as OriginData, s.ix.pool));
  p.data = null;
  origins.sort((a, b) => (a.origin.id < b.origin.id ? -1 : a.origin.id > b.origin.id ? 1 : 0));
  return {
    next: { ix: buildIndex(origins, s.ix.pool), fingerprints: p.fps ?? s.fingerprints, stamp: s.stamp },
    result: { originId: p.originId, unchanged: false, counts: p.counts },
  };
}

/** The apply rule: replace the origin's contribution, or only its label/time when the content is the same. */
function applyChange(s: State, box: BatchBox): Change<ApplyResult> {
  const p = prepareApply(s, box);
  const previous = p.previous;
  if (previous && sameContent(storedContent(previous, s.ix.pool), contentOf(p.data as OriginData)))
    return sameContentChange(s, p, previous);
  return replaceChange(s, p);
}

function removeChange(s: State, originId: string): Change<boolean> {
  const origins = s.ix.origins.filter((o) => o.origin.id !== originId);
  if (origins.length === s.ix.origins.length) return { next: null, result: false };
  return {
    next: { ix: buildIndex(origins, s.ix.pool), fingerprints: s.fingerprints, stamp: s.stamp },
    result: true,
  };
}

/** The store over one backing: the current state, its refresh, and the locked write path. */
class EmbeddedState {
  state: State;
  timings: WriteTimings = { changeMs: 0, saveMs: 0 };
  closed = false;
  private lastCheck = Date.now();

  constructor(
    private readonly backing: Backing,
    private readonly reloadCheckMs: number,
  ) {
    this.state = backing.load();
  }

  /** The state to read, reloaded when another process replaced the backing. */
  fresh(force = false): State {
    if (this.closed) throw new Error('the embedded store is closed');
    const now = Date.now();
    if (!force && now - this.lastCheck < this.reloadCheckMs) return this.state;
    this.lastCheck = now;
    if (this.backing.changedSince(this.state)) this.state = this.backing.load();
    return this.state;
  }

  /** Runs a change under the lock against the freshest state and saves its next state. */
  async write<T>(change: (s: State) => Change<T>): Promise<T> {
    const release = await this.backing.lock();
    try {
      const t0 = performance.now();
      const { next, result } = change(this.fresh(true));
      const t1 = performance.now();
      if (next !== null) this.state = this.backing.save(next);
      this.timings = { changeMs: t1 - t0, saveMs: performance.now() - t1 };
      return result;
    } catch (err) {
      if (isLineageError(err)) throw err;
      throw lineageError('STORE_WRITE_FAILED', `apply failed: ${(err as Error).message}`, {}, err);
    } finally {
      release();
    }
  }
}

function storeOver(st: EmbeddedState): EmbeddedStore {
  const ix = () => st.fresh().ix;
  const store: EmbeddedStore = {
    kind: 'embedded',
    // Not async: the batch is held only by its box, which the apply empties before building the index.
    applyBatch: (batch: LineageBatch) => {
      const box: BatchBox = { batch };
      return st.write((s) => applyChange(s, box));
    },
    removeOrigin: async (originId: string) => st.write((s) => removeChange(s, originId)),
    getNodes: async (keys) => q.getNodes(ix(), keys),
    findByUniqueId: async (uniqueId) => q.findByUniqueId(ix(), uniqueId),
    search: async (text, opts) => q.search(ix(), text, opts),
    columnsOf: async (relationKey) => q.columnsOf(ix(), relationKey),
    columnsOfMany: async (relationKeys) => q.columnsOfMany(ix(), relationKeys),
    listRelations: async (filter) => q.listRelations(ix(), filter),
    listConsumers: async () => q.listConsumers(ix()),
    edgesOf: async (key: NodeKey, direction) => q.edgesOf(ix(), key, direction),
    edgesOfMany: async (keys, direction) => {
      const index = ix();
      return new Map(keys.map((k) => [k, q.edgesOf(index, k, direction)]));
    },
    traverse: async (starts: readonly NodeKey[], opts: TraverseOptions) => traverseIndex(ix(), starts, opts),
    traverseMany: async (walks) => {
      const index = ix();
      const out: TraversalResult[] = [];
      for (const w of walks) out.push(await traverseIndex(index, w.starts, w.options));
      return out;
    },
    neighbors: async (keys: readonly NodeKey[], opts: NeighborOptions) => neighborsIndex(ix(), keys, opts),
    readMany: (request) => readManyByParts(store, request),
    relationGraph: async () => q.relationGraph(ix()),
    relationsWithoutReaders: async () => relationsWithoutReaders(await q.relationGraph(ix())),
    consumedRelations: async () => consumedRelations(await q.relationGraph(ix())),
    usage: async (query) => q.usage(ix(), query),
    fingerprints: async (keys, limitPerNode) => q.fingerprints(st.fresh().fingerprints, keys, limitPerNode),
    evidence: async (keys, since) => q.evidence(ix(), keys, since),
    checks: async (keys) => q.checks(ix(), keys),
    origins: async () => q.origins(ix()),
    diagnostics: async (query) => q.diagnostics(ix(), query),
    stats: async () => q.stats(ix()),
    size: async () => q.size(ix()),
    ping: async () => !st.closed,
    close: async () => {
      st.closed = true;
    },
    fileBytes: () => st.state.stamp?.size ?? 0,
    lastWriteTimings: () => st.timings,
  };
  return store;
}

/** The embedded store persisted under `options.dataDir`. Throws STORE_CORRUPT for a damaged file. */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const backing = fileBacking(options.dataDir, options.lockTimeoutMs ?? 30_000);
  return storeOver(new EmbeddedState(backing, options.reloadCheckMs ?? 1000));
}

/** An empty embedded store held in this process only (no directory, file, lock or fsync); gone on close. */
export async function openMemoryStore(): Promise<EmbeddedStore> {
  return storeOver(new EmbeddedState(memoryBacking(), Number.POSITIVE_INFINITY));
}
