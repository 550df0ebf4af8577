// Where the embedded store's state lives between processes: a file under a data directory (persist.ts,
// lock.ts), or nowhere (an in-memory store: no directory, no file, no lock, no fsync). The store itself
// (index.ts) only sees this interface, so both kinds run the same apply and read code.
import { lineageError } from '../../src/errors.ts';
import { FingerprintHistory } from './fingerprints.ts';
import { buildIndex, type GraphIndex } from './graph-index.ts';
import { acquireLock } from './lock.ts';
import { readSnapshot, sameStamp, stampOf, storePath, writeSnapshot, type FileStamp } from './persist.ts';
import { StringPool } from './strings.ts';

export interface State {
  ix: GraphIndex;
  fingerprints: FingerprintHistory;
  /** The file version this state was read from or saved as (null: none, or an in-memory store). */
  stamp: FileStamp | null;
}

export interface Backing {
  /** The state to start from. Throws STORE_CORRUPT. */
  load(): State;
  /** True when another process replaced what `state` was loaded from (then `load` again). */
  changedSince(state: State): boolean;
  /** Exclusive access for one write (waiting without blocking the event loop); resolves to the release. */
  lock(): Promise<() => void>;
  /** Makes `next` durable; returns it with its new stamp. Throws STORE_WRITE_FAILED. */
  save(next: State): State;
}

export function emptyState(): State {
  return { ix: buildIndex([], new StringPool()), fingerprints: new FingerprintHistory(), stamp: null };
}

/** State kept in this process only: nothing is read, locked or written. */
export function memoryBacking(): Backing {
  return {
    load: emptyState,
    changedSince: () => false,
    lock: async () => () => {},
    save: (next) => next,
  };
}

/** State in `<dataDir>/store.bin`, shared by processes through the file and its lock. */
export function fileBacking(dataDir: string, lockTimeoutMs: number): Backing {
  const file = storePath(dataDir);
  return {
    load(): State {
      const read = readSnapshot(dataDir);
      if (read === null) return emptyState();
      try {
        const { origins, pool, index, fingerprints } = read.snapshot;
        return { ix: buildIndex(origins, pool, index), fingerprints, stamp: read.stamp };
      } catch (err) {
        // the saved index does not fit the saved content: a damaged file that passed its checksums
        throw lineageError(
          'STORE_CORRUPT',
          `the store file ${file} cannot be read: ${(err as Error).message}; move it away and ingest again`,
        );
      }
    },
    changedSince(state: State): boolean {
      const stamp = stampOf(file);
      return stamp !== null && !sameStamp(stamp, state.stamp);
    },
    lock: () => acquireLock(dataDir, lockTimeoutMs),
    save(next: State): State {
      const saved = writeSnapshot(dataDir, {
        origins: next.ix.origins,
        pool: next.ix.pool,
        fingerprints: next.fingerprints,
        index: next.ix,
      });
      return { ...next, stamp: saved.stamp };
    },
  };
}
