// The store's write lock (graph/embedded/lock.ts): it can never be left unowned, a dead owner's lock is taken
// over by exactly one contender, a full disk leaves no lock behind, and a waiting writer keeps its event loop.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireLock,
  isLockFile,
  LEGACY_LOCK_FILE,
  lockOwner,
  startTimeOf,
} from '../../../graph/embedded/lock.ts';
import { fullDisk } from '../../helpers/full-disk.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A pid no process has (the highest pid the kernel hands out is below 2^22). */
const DEAD_PID = 4_194_999;
const record = (pid: number, start: number | null) =>
  JSON.stringify({ pid, start, boot: null, host: os.hostname(), token: 'someone' });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await p;
  return [value, performance.now() - t0];
}

describe('a lock that can never be left unowned', () => {
  it('a 0-byte store.lock (left by a full disk) is no owner: the next writer takes the lock at once', async () => {
    const legacy = path.join(dir, LEGACY_LOCK_FILE);
    fs.writeFileSync(legacy, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(legacy, old, old);
    const [release, ms] = await timed(acquireLock(dir, 30_000));
    expect(ms).toBeLessThan(1_000);
    expect(fs.existsSync(legacy)).toBe(false);
    expect(lockOwner(dir)?.pid).toBe(process.pid);
    release();
    expect(lockOwner(dir)).toBeNull();
  });

  it('an empty or garbled numbered lock file is free; release empties the holder’s own file', async () => {
    fs.writeFileSync(path.join(dir, 'store.lock.7'), '');
    const release = await acquireLock(dir, 1_000);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'store.lock.8'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    release();
    expect(fs.statSync(path.join(dir, 'store.lock.8')).size).toBe(0);
    fs.writeFileSync(path.join(dir, 'store.lock.9'), '{"pid": 12'); // torn by hand
    (await acquireLock(dir, 1_000))();
    expect(fs.existsSync(path.join(dir, 'store.lock.10'))).toBe(true);
  });
});

describe('stale locks', () => {
  it('a dead owner’s lock, or one whose pid now belongs to a later process, is taken over', async () => {
    fs.writeFileSync(path.join(dir, 'store.lock.1'), record(DEAD_PID, 1));
    (await acquireLock(dir, 1_000))();
    // The parent process is alive, but not the one that wrote this record (another start time).
    fs.writeFileSync(
      path.join(dir, 'store.lock.3'),
      record(process.ppid, (startTimeOf(process.ppid) ?? 0) + 1),
    );
    (await acquireLock(dir, 1_000))();
    expect(fs.existsSync(path.join(dir, 'store.lock.4'))).toBe(true);
  });

  it('a live owner’s lock is waited for, then STORE_WRITE_FAILED naming the process', async () => {
    fs.writeFileSync(path.join(dir, 'store.lock.1'), record(process.ppid, startTimeOf(process.ppid)));
    const err = await acquireLock(dir, 300).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: expect.stringContaining(`locked by process ${process.ppid}`),
    });
    fs.writeFileSync(path.join(dir, LEGACY_LOCK_FILE), String(process.ppid)); // an earlier version's writer
    fs.truncateSync(path.join(dir, 'store.lock.1'), 0);
    expect(await codeOf(acquireLock(dir, 300))).toBe('STORE_WRITE_FAILED');
  });

  it('N processes started together on a stale lock: one holder at a time, every round', async () => {
    const children = 6;
    const rounds = 4;
    for (let round = 0; round < 3; round++) {
      const log = path.join(dir, `log-${round}`);
      const lockDir = path.join(dir, `store-${round}`);
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'store.lock.5'), record(DEAD_PID, 1));
      const startAt = Date.now() + 1_500;
      const exits = Array.from(
        { length: children },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                path.join(import.meta.dirname, 'lock-child.ts'),
                lockDir,
                String(startAt),
                String(rounds),
                log,
              ],
              { stdio: ['ignore', 'ignore', 'inherit'] },
            );
            child.on('exit', resolve);
          }),
      );
      expect(await Promise.all(exits)).toEqual(Array(children).fill(0));
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(children * rounds * 2);
      for (let i = 0; i < lines.length; i += 2) {
        const [enter, leave] = [lines[i].split(' '), lines[i + 1].split(' ')];
        expect([enter[0], leave[0], leave[1]], `round ${round}, line ${i + 1}`).toEqual([
          'in',
          'out',
          enter[1],
        ]);
      }
      expect(lockOwner(lockDir)).toBeNull();
    }
  }, 120_000);
});

describe('a full disk', () => {
  it('ENOSPC while the lock is created is STORE_WRITE_FAILED and leaves no lock; once space is back it is taken at once', async () => {
    const disk = fullDisk(8);
    try {
      const lockDir = disk.dir ?? dir;
      let filler: string | null = null;
      if (disk.dir) {
        // Fill the tmpfs to the last byte.
        filler = path.join(lockDir, 'filler');
        const fd = fs.openSync(filler, 'w');
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(512));
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          fs.closeSync(fd);
        }
      } else disk.poison(path.join(lockDir, `store.lock.tmp-${process.pid}`)); // every write is ENOSPC
      const err = await acquireLock(lockDir, 30_000).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_WRITE_FAILED', message: expect.stringMatching(/ENOSPC/) });
      expect(fs.readdirSync(lockDir).filter(isLockFile)).toEqual([]);
      if (filler) fs.rmSync(filler);
      const [release, ms] = await timed(acquireLock(lockDir, 30_000));
      expect(ms).toBeLessThan(1_000);
      release();
      expect(lockOwner(lockDir)).toBeNull();
    } finally {
      disk.cleanup();
    }
  });
});

describe('a waiting writer', () => {
  it('keeps its event loop running while it waits', async () => {
    const first = await acquireLock(dir, 1_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    setTimeout(first, 300);
    const [second, ms] = await timed(acquireLock(dir, 5_000));
    clearInterval(timer);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ticks).toBeGreaterThanOrEqual(10);
    second();
  });
});
