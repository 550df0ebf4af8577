// The embedded store's file: `<dataDir>/store.bin` (the bytes are persist-format.ts; persist-reader.ts reads
// them). Written to a temp file in the same directory, fsynced, renamed over the old file, then the directory
// is fsynced: a reader (or a process killed mid-save) only ever sees the old file or the new one. A bad header,
// an unknown version, a checksum mismatch, truncation or trailing bytes are STORE_CORRUPT. A version 1
// `store.jsonl` (persist-v1.ts) is still read; the next save replaces it.
import fs from 'node:fs';
import path from 'node:path';
import { lineageError } from '../../src/errors.ts';
import { processAlive } from '../process-alive.ts';
import { toStored } from './column-edges.ts';
import { FingerprintHistory } from './fingerprints.ts';
import { serialize, VERSION, type Snapshot } from './persist-format.ts';
import { corrupt, readHeader, readV2 } from './persist-reader.ts';
import { readV1 } from './persist-v1.ts';
import { StringPool } from './strings.ts';

export const STORE_FILE = 'store.bin';
/** The version 1 file, read when there is no STORE_FILE and removed by the next save. */
export const LEGACY_STORE_FILE = 'store.jsonl';
const FLUSH_BYTES = 16 * 1024 * 1024;

export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function storePath(dataDir: string): string {
  return path.join(dataDir, STORE_FILE);
}

export function stampOf(file: string): FileStamp | null {
  try {
    const st = fs.statSync(file);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return (
    a === b || (a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)
  );
}

function isTempOfDeadProcess(name: string): boolean {
  const m = /^store\.(?:bin|jsonl)\.tmp-(\d+)-/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  return pid === process.pid || !processAlive(pid);
}

function removeStaleTemps(dataDir: string): void {
  for (const name of fs.readdirSync(dataDir)) {
    if (!isTempOfDeadProcess(name)) continue;
    try {
      fs.unlinkSync(path.join(dataDir, name));
    } catch {
      // another process cleaned it up
    }
  }
}

function fsyncDir(dataDir: string): void {
  try {
    const dfd = fs.openSync(dataDir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // directories cannot be fsynced on every platform; the rename is still atomic
  }
}

/** Writes the snapshot atomically; returns the new file's stamp and size. Throws STORE_WRITE_FAILED. */
export function writeSnapshot(dataDir: string, snapshot: Snapshot): { stamp: FileStamp; bytes: number } {
  const target = storePath(dataDir);
  const temp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let fd = -1;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    removeStaleTemps(dataDir);
    fd = fs.openSync(temp, 'w', 0o644);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (pending.length === 0) return;
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      for (let off = 0; off < all.length;) off += fs.writeSync(fd, all, off, all.length - off);
      pending = [];
      pendingBytes = 0;
    };
    serialize(snapshot, (bytes) => {
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= FLUSH_BYTES) flush();
    });
    flush();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(temp, target);
    fsyncDir(dataDir);
    const legacy = path.join(dataDir, LEGACY_STORE_FILE);
    if (fs.existsSync(legacy)) {
      fs.unlinkSync(legacy); // migrated: the version 1 file is superseded
      fsyncDir(dataDir);
    }
  } catch (err) {
    if (fd >= 0) fs.closeSync(fd);
    try {
      fs.unlinkSync(temp);
    } catch {
      // not created, or already renamed
    }
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot save the store to ${target}: ${(err as Error).message}`,
      {},
      err,
    );
  }
  const stamp = stampOf(target)!;
  return { stamp, bytes: stamp.size };
}

export function readSnapshot(dataDir: string): { snapshot: Snapshot; stamp: FileStamp } | null {
  let file = storePath(dataDir);
  let legacy = false;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw lineageError('STORE_CORRUPT', `cannot open ${file}: ${(err as Error).message}`);
    file = path.join(dataDir, LEGACY_STORE_FILE);
    legacy = true;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err2) {
      const code2 = (err2 as NodeJS.ErrnoException).code;
      if (code2 === 'ENOENT' || code2 === 'ENOTDIR') return null;
      throw lineageError('STORE_CORRUPT', `cannot open ${file}: ${(err2 as Error).message}`);
    }
  }
  try {
    const st = fs.fstatSync(fd);
    const stamp: FileStamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const header = readHeader(file, fd);
    const expected = legacy ? 1 : VERSION;
    if (header.version !== expected)
      corrupt(file, `format version ${String(header.version)} is not ${expected}`);
    if (legacy) {
      const v1 = readV1(file, fd);
      const pool = new StringPool();
      return {
        snapshot: {
          origins: v1.origins.map((o) => toStored(o, pool)),
          pool,
          fingerprints: new FingerprintHistory(null, v1.fingerprints),
        },
        stamp,
      };
    }
    const v2 = readV2(file, fd, st.size, header.bytes);
    return {
      snapshot: {
        origins: v2.origins,
        pool: new StringPool(v2.strings),
        fingerprints: v2.fingerprints,
        index: v2.index,
      },
      stamp,
    };
  } finally {
    fs.closeSync(fd);
  }
}
