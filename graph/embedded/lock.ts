// The write lock between processes sharing one data directory (e.g. `lineage ingest` while `lineage serve`
// runs). Readers never lock: the atomic rename of store.bin already gives them a whole file.
//
// The lock is a numbered log of files, `store.lock.<n>`; the highest number is the lock's state. Its content
// is the owner's record (pid, process start time, boot, host, a random token) while held, and empty once
// released. Every change of owner is the exclusive creation of the next number, by hard-linking a temporary
// file that already holds the complete record (link fails when the name exists), so:
// - a lock file never exists half-written: a disk that fills while the record is written leaves no lock
//   (ENOSPC is STORE_WRITE_FAILED and the temporary file is removed);
// - taking over needs no delete: when the highest file's owner is dead (no such pid, or a pid reused by a
//   process that started later) or the file is empty or unreadable, contenders race to create the next
//   number and exactly one wins; a contender that looked long ago and created a number below the current
//   highest sees that and steps back;
// - release truncates the holder's own file to 0 bytes (needs no free space, so a full disk cannot leave the
//   lock held by a live process).
// Files more than a few numbers below the highest are superseded and removed by a later holder. A waiting writer polls with timers,
// never blocking its event loop. A `store.lock` left by earlier versions (pid only, possibly 0 bytes after a
// full disk) is honoured while its pid lives and removed when it does not.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lineageError } from '../../src/errors.ts';
import { processAlive } from '../process-alive.ts';

/** The lock file of earlier versions (a pid, written after an exclusive create). */
export const LEGACY_LOCK_FILE = 'store.lock';
const LOCK_NAME = /^store\.lock\.(\d+)$/;
const TEMP_NAME = /^store\.lock\.tmp-(\d+)$/;

/** True for the lock's own files (state and temporaries), which stay in the data directory. */
export function isLockFile(name: string): boolean {
  return LOCK_NAME.test(name) || TEMP_NAME.test(name);
}

export interface LockOwner {
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat), null where /proc is missing. */
  start: number | null;
  boot: string | null;
  host: string;
  token: string;
}

/** How long an empty or garbled legacy `store.lock` may be an old writer between its create and its write. */
const LEGACY_GRACE_MS = 1_000;

/** This process as an owner; `token` tells its holdings apart from other holdings of the same process. */
function me(): LockOwner {
  return {
    pid: process.pid,
    start: startTimeOf(process.pid),
    boot: bootId(),
    host: hostname(),
    token: randomBytes(8).toString('hex'),
  };
}

/** Takes the lock, waiting up to `timeoutMs` without blocking; resolves to the release. STORE_WRITE_FAILED. */
export async function acquireLock(dataDir: string, timeoutMs: number): Promise<() => void> {
  ensureDir(dataDir);
  const owner = me();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const state = readState(dataDir);
    const blocker = state.legacy ?? (state.owner && !isStale(state.owner) ? state.owner : null);
    if (blocker === null) {
      const held = claim(dataDir, state.highest + 1, owner);
      if (held) return held;
      continue; // another contender created that number first: look again
    }
    if (Date.now() >= deadline)
      throw lineageError(
        'STORE_WRITE_FAILED',
        `the store in ${dataDir} is locked by process ${blocker.pid}${blocker.host !== owner.host ? ` on ${blocker.host}` : ''} (${state.file})`,
        { file: state.file, pid: blocker.pid },
      );
    await sleep(Math.min(100, 10 + attempt * 5) + Math.random() * 10);
  }
}

/** Who holds the lock now (null when it is free); a legacy `store.lock` counts while its pid lives. */
export function lockOwner(dataDir: string): LockOwner | null {
  try {
    const state = readState(dataDir);
    return state.legacy ?? state.owner;
  } catch {
    return null; // no data directory: nobody
  }
}

interface LockState {
  /** The highest number in the log (0 when there is none). */
  highest: number;
  file: string;
  /** The owner of the highest file; null when it is released, empty or unreadable. */
  owner: LockOwner | null;
  /** A live (or too recent to judge) earlier-version lock, which blocks until it goes. */
  legacy: LockOwner | null;
}

function readState(dataDir: string): LockState {
  let highest = 0;
  for (const name of fs.readdirSync(dataDir)) {
    const m = LOCK_NAME.exec(name);
    if (m && Number(m[1]) > highest) highest = Number(m[1]);
  }
  const file = path.join(dataDir, `store.lock.${highest}`);
  return {
    highest,
    file: highest === 0 ? path.join(dataDir, LEGACY_LOCK_FILE) : file,
    owner: highest === 0 ? null : readOwner(file),
    legacy: legacyBlocker(dataDir),
  };
}

function readOwner(file: string): LockOwner | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof r.pid !== 'number' || typeof r.token !== 'string' || typeof r.host !== 'string') return null;
    return { pid: r.pid, start: r.start ?? null, boot: r.boot ?? null, host: r.host, token: r.token };
  } catch {
    return null; // released (0 bytes), gone, or garbled: nobody owns it
  }
}

/** True when the owner is certainly not running: another boot, no such pid, or the pid is a newer process. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false; // another machine's process: cannot tell, so it holds
  const boot = bootId();
  if (owner.boot !== null && boot !== null && owner.boot !== boot) return true;
  if (!processAlive(owner.pid)) return true;
  const start = startTimeOf(owner.pid);
  return owner.start !== null && start !== null && start !== owner.start;
}

/**
 * Creates `store.lock.<n>` holding `owner`'s complete record (written to a temporary file, then hard-linked,
 * which fails if the name exists). Returns the release, or null when another contender got `n` first or
 * holds a higher number already.
 */
function claim(dataDir: string, n: number, owner: LockOwner): (() => void) | null {
  const file = path.join(dataDir, `store.lock.${n}`);
  // One temporary per process: a claim runs start to end without yielding, so two never overlap here.
  const temp = path.join(dataDir, `store.lock.tmp-${process.pid}`);
  try {
    writeRecord(temp, owner);
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot create the store lock ${file}: ${(err as Error).message}`,
      {
        file,
      },
    );
  } finally {
    removeQuietly(temp);
  }
  if (readState(dataDir).highest !== n) {
    // We looked at an old state: a higher number is the lock now. Ours was never the state; drop it.
    release(file, owner);
    return null;
  }
  removeSuperseded(dataDir, n);
  return () => release(file, owner);
}

function writeRecord(file: string, owner: LockOwner): void {
  const bytes = Buffer.from(JSON.stringify(owner));
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    fs.closeSync(fd);
  }
}

/** Empties the holder's own file (no free space needed): the lock is free. */
function release(file: string, owner: LockOwner): void {
  try {
    if (readOwner(file)?.token === owner.token) fs.truncateSync(file, 0);
  } catch {
    // gone: nothing to release
  }
}

/**
 * Numbers well below the holder's are history; temporaries of dead processes are leftovers. The last few
 * numbers stay, so a contender that looked at an old state and created a low number always finds a higher
 * one next to it, even in a directory listing taken while the log moves on.
 */
const KEPT_BELOW = 4;

function removeSuperseded(dataDir: string, held: number): void {
  for (const name of fs.readdirSync(dataDir)) {
    const lock = LOCK_NAME.exec(name);
    const temp = TEMP_NAME.exec(name);
    if ((lock && Number(lock[1]) < held - KEPT_BELOW) || (temp && !processAlive(Number(temp[1]))))
      removeQuietly(path.join(dataDir, name));
  }
}

/** An earlier version's `store.lock`: blocks while its pid lives; removed once it is stale. */
function legacyBlocker(dataDir: string): LockOwner | null {
  const file = path.join(dataDir, LEGACY_LOCK_FILE);
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const pid = Number(text);
  const owner: LockOwner = { pid, start: null, boot: null, host: hostname(), token: '' };
  if (processAlive(pid)) return owner;
  if (!(Number.isInteger(pid) && pid > 0) && Date.now() - mtimeMs < LEGACY_GRACE_MS) return owner;
  removeQuietly(file); // its owner died, or it was left empty by a full disk
  return null;
}

function ensureDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot create the data directory ${dataDir}: ${(err as Error).message}`,
    );
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), or null without /proc. */
export function startTimeOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

let boot: string | null | undefined;
function bootId(): string | null {
  if (boot === undefined) {
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = null;
    }
  }
  return boot;
}
