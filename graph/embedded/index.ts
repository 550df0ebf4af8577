// The embedded LineageStore: per-origin contributions in memory, a GraphIndex rebuilt on every apply, and a
// binary file under dataDir written atomically (see persist.ts). Every method runs synchronously
// inside its promise, so within one process a reader sees the state before or after an apply, never a mix.
// Across processes: writers take store.lock and reload a file changed by another process before applying;
// readers reload when the file's (inode, size, mtime) changed, checked at most every reloadCheckMs.
import { isLineageError, lineageError } from '../../src/errors.ts';
import type { Fingerprint, LineageBatch, NodeKey } from '../../src/model/lineage.ts';
import { canonicalFingerprint } from '../records.ts';
import type { ApplyResult, LineageStore, NeighborOptions, TraverseOptions } from '../store.ts';
import { sameStoredContent, toStored, type StoredOrigin } from './column-edges.ts';
import { canonicalizeBatch } from './contributions.ts';
import { FingerprintHistory } from './fingerprints.ts';
import { buildIndex, NODE_TYPES, type GraphIndex } from './graph-index.ts';
import { acquireLock } from './lock.ts';
import { readSnapshot, sameStamp, stampOf, storePath, writeSnapshot, type FileStamp } from './persist.ts';
import * as q from './queries.ts';
import { StringPool } from './strings.ts';
import { neighborsIndex, traverseIndex } from './traverse.ts';

export const MAX_FINGERPRINTS_PER_NODE = 20;

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

interface State {
  ix: GraphIndex;
  fingerprints: FingerprintHistory;
  stamp: FileStamp | null;
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.sqlChecksum !== b.sqlChecksum || a.columns.length !== b.columns.length) return false;
  return a.columns.every((c, i) => c.name === b.columns[i].name && c.dataType === b.columns[i].dataType);
}

/** Appends the fingerprints that differ from each node's latest; null when none does. */
function appendFingerprints(
  history: FingerprintHistory,
  incoming: readonly Fingerprint[],
): FingerprintHistory | null {
  const changes = new Map<string, Fingerprint[]>();
  for (const raw of incoming) {
    const f = canonicalFingerprint(raw);
    const current = changes.get(f.nodeKey) ?? history.get(f.nodeKey) ?? [];
    const latest = current[current.length - 1];
    if (latest && sameFingerprint(latest, f)) continue;
    changes.set(f.nodeKey, [...current, f].slice(-MAX_FINGERPRINTS_PER_NODE));
  }
  return changes.size === 0 ? null : history.with(changes);
}

export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const dataDir = options.dataDir;
  const reloadCheckMs = options.reloadCheckMs ?? 1000;
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  const file = storePath(dataDir);

  const load = (): State => {
    const read = readSnapshot(dataDir);
    if (read === null)
      return { ix: buildIndex([], new StringPool()), fingerprints: new FingerprintHistory(), stamp: null };
    let ix: GraphIndex;
    try {
      ix = buildIndex(read.snapshot.origins, read.snapshot.pool, read.snapshot.index);
    } catch (err) {
      // the saved index does not fit the saved content: a damaged file that passed its checksums
      throw lineageError(
        'STORE_CORRUPT',
        `the store file ${file} cannot be read: ${(err as Error).message}; move it away and ingest again`,
      );
    }
    return { ix, fingerprints: read.snapshot.fingerprints, stamp: read.stamp };
  };

  let state = load();
  let lastCheck = Date.now();
  let closed = false;
  let timings: WriteTimings = { changeMs: 0, saveMs: 0 };

  /** Reloads when another process replaced the file. */
  const fresh = (force = false): State => {
    if (closed) throw new Error('the embedded store is closed');
    const now = Date.now();
    if (!force && now - lastCheck < reloadCheckMs) return state;
    lastCheck = now;
    const stamp = stampOf(file);
    if (stamp !== null && !sameStamp(stamp, state.stamp)) state = load();
    return state;
  };

  /** Runs a write under the lock against the freshest state; `change` returns the next state or null. */
  const write = <T>(change: (s: State) => { next: State | null; result: T }): T => {
    const release = acquireLock(dataDir, lockTimeoutMs);
    try {
      const t0 = performance.now();
      const { next, result } = change(fresh(true));
      const t1 = performance.now();
      if (next !== null) {
        const saved = writeSnapshot(dataDir, {
          origins: next.ix.origins,
          pool: next.ix.pool,
          fingerprints: next.fingerprints,
          index: next.ix,
        });
        state = { ...next, stamp: saved.stamp };
      }
      timings = { changeMs: t1 - t0, saveMs: performance.now() - t1 };
      return result;
    } catch (err) {
      if (isLineageError(err)) throw err;
      throw lineageError('STORE_WRITE_FAILED', `apply failed: ${(err as Error).message}`, {}, err);
    } finally {
      release();
    }
  };

  const store: EmbeddedStore = {
    kind: 'embedded',

    async applyBatch(batch: LineageBatch): Promise<ApplyResult> {
      return write((s) => {
        const previous = s.ix.origins.find((o) => o.origin.id === batch?.origin?.id);
        const ownKeys = new Set<string>();
        if (previous)
          for (const list of [previous.relations, previous.columns, previous.consumers]) {
            for (const n of list) ownKeys.add(n.key);
          }
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
        const result = (unchanged: boolean): ApplyResult => ({ originId: data.origin.id, unchanged, counts });
        if (previous && sameStoredContent(previous, data, s.ix.pool)) {
          const o = previous.origin;
          const metaChanged = o.label !== data.origin.label || o.ingestedAt !== data.origin.ingestedAt;
          if (!metaChanged && fps === null) return { next: null, result: result(true) };
          const origins = s.ix.origins.map((p) =>
            p === previous ? { ...previous, origin: data.origin } : p,
          );
          return {
            next: { ix: { ...s.ix, origins }, fingerprints: fps ?? s.fingerprints, stamp: s.stamp },
            result: result(fps === null),
          };
        }
        const origins: StoredOrigin[] = s.ix.origins.filter((o) => o !== previous);
        origins.push(toStored(data, s.ix.pool));
        origins.sort((a, b) => (a.origin.id < b.origin.id ? -1 : a.origin.id > b.origin.id ? 1 : 0));
        return {
          next: { ix: buildIndex(origins, s.ix.pool), fingerprints: fps ?? s.fingerprints, stamp: s.stamp },
          result: result(false),
        };
      });
    },

    async removeOrigin(originId: string): Promise<boolean> {
      return write((s) => {
        const origins = s.ix.origins.filter((o) => o.origin.id !== originId);
        if (origins.length === s.ix.origins.length) return { next: null, result: false };
        return {
          next: { ix: buildIndex(origins, s.ix.pool), fingerprints: s.fingerprints, stamp: s.stamp },
          result: true,
        };
      });
    },

    async getNodes(keys) {
      return q.getNodes(fresh().ix, keys);
    },
    async findByUniqueId(uniqueId) {
      return q.findByUniqueId(fresh().ix, uniqueId);
    },
    async search(text, opts) {
      return q.search(fresh().ix, text, opts);
    },
    async columnsOf(relationKey) {
      return q.columnsOf(fresh().ix, relationKey);
    },
    async listRelations(filter) {
      return q.listRelations(fresh().ix, filter);
    },
    async listConsumers() {
      return q.listConsumers(fresh().ix);
    },
    async edgesOf(key: NodeKey, direction) {
      return q.edgesOf(fresh().ix, key, direction);
    },
    async traverse(starts: readonly NodeKey[], opts: TraverseOptions) {
      return traverseIndex(fresh().ix, starts, opts);
    },
    async neighbors(keys: readonly NodeKey[], opts: NeighborOptions) {
      return neighborsIndex(fresh().ix, keys, opts);
    },
    async relationGraph() {
      return q.relationGraph(fresh().ix);
    },
    async usage(query) {
      return q.usage(fresh().ix, query);
    },
    async fingerprints(keys, limitPerNode) {
      return q.fingerprints(fresh().fingerprints, keys, limitPerNode);
    },
    async evidence(keys, since) {
      return q.evidence(fresh().ix, keys, since);
    },
    async checks(keys) {
      return q.checks(fresh().ix, keys);
    },
    async origins() {
      return q.origins(fresh().ix);
    },
    async diagnostics(query) {
      return q.diagnostics(fresh().ix, query);
    },
    async stats() {
      return q.stats(fresh().ix);
    },
    async ping() {
      return !closed;
    },
    async close() {
      closed = true;
    },
    fileBytes() {
      return state.stamp?.size ?? 0;
    },
    lastWriteTimings() {
      return timings;
    },
  };
  return store;
}
