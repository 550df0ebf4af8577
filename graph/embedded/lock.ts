// A write lock between processes sharing one data directory (e.g. `lineage ingest` while `lineage serve`
// runs): `<dataDir>/store.lock` created exclusively, holding the owner's pid. A lock whose owner is dead is
// taken over. Readers never lock: the atomic rename already guarantees they see a whole file.
import fs from 'node:fs';
import path from 'node:path';
import { lineageError } from '../../src/errors.ts';
import { isAlive } from './persist.ts';

export const LOCK_FILE = 'store.lock';

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock, waiting up to `timeoutMs`; returns the release function. Throws STORE_WRITE_FAILED. */
export function acquireLock(dataDir: string, timeoutMs: number): () => void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot create the data directory ${dataDir}: ${(err as Error).message}`,
    );
  }
  const file = path.join(dataDir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw lineageError('STORE_WRITE_FAILED', `cannot create ${file}: ${(err as Error).message}`);
      }
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      try {
        fs.unlinkSync(file); // stale: its owner died
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw lineageError(
        'STORE_WRITE_FAILED',
        `the store in ${dataDir} is locked by process ${owner} (${file})`,
      );
    }
    sleepSync(50);
  }
}
