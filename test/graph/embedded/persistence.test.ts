// The embedded store's file: reload gives the same answers, saves are deterministic, bad files are
// STORE_CORRUPT, a process killed mid-save leaves the previous store loadable, and two stores sharing a
// directory see each other's writes without losing any.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../../graph/embedded/index.ts';
import { isLockFile, LEGACY_LOCK_FILE, lockOwner } from '../../../graph/embedded/lock.ts';
import { buildIndex } from '../../../graph/embedded/graph-index.ts';
import { LEGACY_STORE_FILE, readSnapshot, STORE_FILE } from '../../../graph/embedded/persist.ts';
import { isLineageError } from '../../../src/errors.ts';
import { answers } from '../../conformance/answers.ts';
import {
  T1,
  customers,
  dbtBatch,
  queryLogBatch,
  shapesBatch,
  standardBatches,
} from '../../helpers/shapes.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-emb-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const file = () => path.join(dir, STORE_FILE);

async function loaded(d = dir) {
  const s = await openEmbeddedStore({ dataDir: d, reloadCheckMs: 0 });
  for (const b of standardBatches()) await s.applyBatch(b);
  return s;
}

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (isLineageError(e) ? e.code : String(e)),
  );
}

describe('embedded store persistence', () => {
  it('starts empty without a file and writes one on the first apply', async () => {
    const s = await openEmbeddedStore({ dataDir: dir });
    expect((await s.stats()).relations).toBe(0);
    expect(fs.existsSync(file())).toBe(false);
    await s.applyBatch(dbtBatch());
    expect(fs.readFileSync(file(), 'latin1').split('\n')[0]).toBe(
      '{"format":"lineage-embedded-store","version":2}',
    );
  });

  it('reopens with exactly the same answers', async () => {
    const s = await loaded();
    const before = await answers(s);
    const reopened = await openEmbeddedStore({ dataDir: dir });
    expect(await answers(reopened)).toEqual(before);
  });

  it('the index saved in the file is the index rebuilt from the file’s content', async () => {
    await loaded();
    const { snapshot } = readSnapshot(dir)!;
    expect(snapshot.index).toBeDefined();
    const saved = buildIndex(snapshot.origins, snapshot.pool, snapshot.index);
    const rebuilt = buildIndex(snapshot.origins, snapshot.pool);
    const { scratch: _a, ...savedRest } = saved;
    const { scratch: _b, ...rebuiltRest } = rebuilt;
    expect(saved.columnEdges.count).toBeGreaterThan(0);
    expect(saved.relationColumns.length).toBeGreaterThan(0);
    expect(savedRest).toEqual(rebuiltRest);
  });

  it('re-applying the same batch leaves the file byte-identical; content does not depend on apply order', async () => {
    await loaded();
    const bytes = fs.readFileSync(file());
    const stat = fs.statSync(file());
    const s = await openEmbeddedStore({ dataDir: dir });
    for (const b of standardBatches()) expect((await s.applyBatch(b)).unchanged).toBe(true);
    expect(fs.readFileSync(file()).equals(bytes)).toBe(true);
    expect(fs.statSync(file()).mtimeMs).toBe(stat.mtimeMs); // not even rewritten

    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-emb-'));
    try {
      const t = await openEmbeddedStore({ dataDir: other });
      for (const b of [shapesBatch(), dbtBatch(), queryLogBatch()]) await t.applyBatch(b);
      expect(fs.readFileSync(path.join(other, STORE_FILE)).equals(bytes)).toBe(true);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('a smaller batch for one origin is saved; a rejected batch leaves the file untouched', async () => {
    const s = await loaded();
    const smaller = dbtBatch();
    smaller.relations = smaller.relations.filter((r) => r.key !== customers.key);
    smaller.columns = smaller.columns.filter((c) => c.relationKey !== customers.key);
    smaller.columnEdges = smaller.columnEdges.filter((e) => !e.to.startsWith(customers.key + '.'));
    smaller.relationEdges = smaller.relationEdges.filter((e) => e.to !== customers.key);
    await s.applyBatch(smaller);
    const bytes = fs.readFileSync(file());
    const bad = dbtBatch(T1);
    bad.columnEdges.push({ ...bad.columnEdges[0], from: 'wh.no.such.col' });
    expect(await codeOf(s.applyBatch(bad))).toBe('STORE_WRITE_FAILED');
    expect(fs.readFileSync(file()).equals(bytes)).toBe(true);
    const reopened = await openEmbeddedStore({ dataDir: dir });
    expect(await reopened.getNodes([customers.key])).toEqual(new Map());
    expect((await reopened.stats()).relations).toBe(42);
  });

  it('an unwritable data directory is STORE_WRITE_FAILED and the state stays', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const s = await openEmbeddedStore({ dataDir: blocker });
    expect(await codeOf(s.applyBatch(dbtBatch()))).toBe('STORE_WRITE_FAILED');
    expect((await s.stats()).relations).toBe(0);
  });

  // Block layout (persist.ts): header line, then per block u32 tag, u32 crc32, u64 length, payload, padding.
  // Tags: 1 strings, 5 column edges, 8 index.
  const blockStarts = (bytes: Buffer): number[] => {
    const out: number[] = [];
    let pos = bytes.indexOf(10) + 1;
    while (pos < bytes.length) {
      out.push(pos);
      const length = bytes.readUInt32LE(pos + 8) + bytes.readUInt32LE(pos + 12) * 2 ** 32;
      pos += 16 + Math.ceil(length / 8) * 8;
    }
    return out;
  };
  const blockOf = (bytes: Buffer, tag: number) =>
    blockStarts(bytes).find((at) => bytes.readUInt32LE(at) === tag)!;
  const flip = (bytes: Buffer, at: number) => {
    const out = Buffer.from(bytes);
    out[at] ^= 0x5a;
    return out;
  };

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['truncated by a few bytes', (b: Buffer) => b.subarray(0, b.length - 3)],
    ['missing end block', (b: Buffer) => b.subarray(0, blockStarts(b).at(-1))],
    ['a flipped byte in a column edge block', (b: Buffer) => flip(b, blockOf(b, 5) + 40)],
    ['a flipped byte in the index', (b: Buffer) => flip(b, blockOf(b, 8) + 64)],
    ['a flipped byte in the string table', (b: Buffer) => flip(b, blockOf(b, 1) + 30)],
    [
      'a block dropped',
      (b: Buffer) => {
        const s = blockStarts(b);
        return Buffer.concat([b.subarray(0, s[1]), b.subarray(s[2])]);
      },
    ],
    ['other format', () => Buffer.from('{"format":"something-else","version":2}\n')],
    [
      'newer version',
      (b: Buffer) => Buffer.from(b.toString('latin1').replace('"version":2', '"version":9'), 'latin1'),
    ],
    ['not JSON at all', () => Buffer.from('\u0000\u0001binary')],
    ['empty', () => Buffer.alloc(0)],
    ['extra bytes after the end', (b: Buffer) => Buffer.concat([b, Buffer.alloc(8)])],
  ])('a corrupt file (%s) is STORE_CORRUPT at open', async (_name, damage) => {
    await loaded();
    fs.writeFileSync(file(), damage(fs.readFileSync(file())));
    expect(await codeOf(openEmbeddedStore({ dataDir: dir }))).toBe('STORE_CORRUPT');
  });

  it('a saved index that does not fit the saved content is STORE_CORRUPT even with valid checksums', async () => {
    await loaded();
    const bytes = Buffer.from(fs.readFileSync(file()));
    const at = blockOf(bytes, 8);
    const length = bytes.readUInt32LE(at + 8);
    const payload = bytes.subarray(at + 16, at + 16 + length);
    const strings = bytes.readUInt32LE(blockOf(bytes, 1) + 16); // the first string chunk's count
    payload.writeUInt32LE(strings - 1, 48); // the first key (after n and the counts) now names another string
    bytes.writeUInt32LE(zlib.crc32(payload), at + 4);
    fs.writeFileSync(file(), bytes);
    expect(await codeOf(openEmbeddedStore({ dataDir: dir }))).toBe('STORE_CORRUPT');
  });

  // test/graph/embedded/fixtures/v1-store.jsonl was written by the version 1 store from standardBatches().
  const v1Fixture = path.join(import.meta.dirname, 'fixtures', 'v1-store.jsonl');

  it('opens a version 1 store.jsonl with the same answers and replaces it with store.bin on the next save', async () => {
    const expected = await answers(await loaded());
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-emb-'));
    try {
      fs.copyFileSync(v1Fixture, path.join(old, LEGACY_STORE_FILE));
      const s = await openEmbeddedStore({ dataDir: old, reloadCheckMs: 0 });
      expect(await answers(s)).toEqual(expected);
      // an unchanged batch changes nothing, not even the file
      expect((await s.applyBatch(dbtBatch())).unchanged).toBe(true);
      expect(fs.readdirSync(old).filter((n) => !isLockFile(n))).toEqual([LEGACY_STORE_FILE]);
      await s.removeOrigin('qlog:a');
      await s.applyBatch(queryLogBatch());
      expect(fs.readdirSync(old).filter((n) => !isLockFile(n))).toEqual([STORE_FILE]);
      expect(fs.readFileSync(path.join(old, STORE_FILE)).equals(fs.readFileSync(file()))).toBe(true);
      expect(await answers(await openEmbeddedStore({ dataDir: old }))).toEqual(expected);
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['newer version', (t: string) => t.replace('"version":1', '"version":99')],
    ['garbage line', (t: string) => t.replace('\n', '\n{not json\n')],
  ])('a corrupt version 1 file (%s) is STORE_CORRUPT at open', async (_name, damage) => {
    fs.writeFileSync(path.join(dir, LEGACY_STORE_FILE), damage(fs.readFileSync(v1Fixture, 'utf8')));
    expect(await codeOf(openEmbeddedStore({ dataDir: dir }))).toBe('STORE_CORRUPT');
  });

  it('killing a process in the middle of a save leaves the previous store loadable', async () => {
    const s = await loaded();
    const before = await answers(s);
    const bytes = fs.readFileSync(file());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'save-child.ts'), dir, '12000'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    // wait until the child is writing its temp file, then kill it
    let tempSeen = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const temp = fs.readdirSync(dir).find((n) => n.startsWith(`${STORE_FILE}.tmp-`));
      if (temp) {
        try {
          tempSeen = fs.statSync(path.join(dir, temp)).size;
        } catch {
          tempSeen = 0;
        }
        if (tempSeen > 0) {
          child.kill('SIGKILL');
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await exited, stderr).toBe('SIGKILL');
    expect(tempSeen).toBeGreaterThan(0);
    expect(fs.readFileSync(file()).equals(bytes)).toBe(true);
    const reopened = await openEmbeddedStore({ dataDir: dir });
    expect(await answers(reopened)).toEqual(before);
    // the dead writer's temp file and lock are cleaned up by the next save
    await reopened.applyBatch({ ...dbtBatch(T1) });
    expect(fs.readdirSync(dir).filter((n) => !isLockFile(n))).toEqual([STORE_FILE]);
    expect(lockOwner(dir)).toBeNull();
  }, 180_000);

  it('two stores on one directory see each other’s writes and lose none', async () => {
    const a = await openEmbeddedStore({ dataDir: dir, reloadCheckMs: 0 });
    const b = await openEmbeddedStore({ dataDir: dir, reloadCheckMs: 0 });
    await a.applyBatch(dbtBatch());
    expect((await b.origins()).map((o) => o.id)).toEqual(['dbt:proj']);
    await b.applyBatch(shapesBatch()); // b reloads before applying, so dbt:proj survives
    await a.applyBatch(queryLogBatch());
    expect((await b.origins()).map((o) => o.id)).toEqual(['dbt:proj', 'manual:shapes', 'qlog:a']);
    expect(await answers(a)).toEqual(await answers(b));
  });

  it('waits for a live writer’s lock, and takes over a dead one’s', async () => {
    const s = await openEmbeddedStore({ dataDir: dir, lockTimeoutMs: 200 });
    fs.writeFileSync(path.join(dir, LEGACY_LOCK_FILE), String(process.ppid));
    expect(await codeOf(s.applyBatch(dbtBatch()))).toBe('STORE_WRITE_FAILED');
    expect(fs.existsSync(file())).toBe(false);
    fs.writeFileSync(path.join(dir, LEGACY_LOCK_FILE), '999999999');
    await s.applyBatch(dbtBatch());
    expect(fs.readdirSync(dir).filter((n) => !isLockFile(n))).toEqual([STORE_FILE]);
    expect(lockOwner(dir)).toBeNull();
  });
});
