// The embedded SQL-text store: one pack file per origin under `<dataDir>/sql-text/`. A stage writes a
// temporary pack in that directory and commit renames it over the origin's pack (after fsync), so a reader
// or a crash sees the old texts or the new ones, never a mix; an abandoned stage leaves no file behind
// (abort, or the next stage sweeps temporaries of dead processes). Readers cache each pack's index and
// re-open it when the file's mtime, size or inode changed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { lineageError } from '../../src/errors.ts';
import { processAlive } from '../process-alive.ts';
import { PackReader, PackWriter } from './pack.ts';
import type { SqlText, SqlTextStage, SqlTextStore } from './types.ts';

export const SQL_TEXT_DIR = 'sql-text';
const PACK = '.pack';
const TEMP = /^\.stage-(\d+)-[0-9a-f]+\.tmp$/;

export function openEmbeddedSqlTextStore(options: { dataDir: string }): SqlTextStore {
  const dir = path.join(options.dataDir, SQL_TEXT_DIR);
  const readers = new Map<string, { stamp: string; reader: PackReader }>();
  return {
    kind: 'embedded',
    stage: async () => stageIn(dir),
    get: async (relationKey) => lookup(dir, readers, relationKey),
    removeOrigin: async (originId) => {
      const file = packFileOf(dir, originId);
      if (!fs.existsSync(file)) return false;
      fs.rmSync(file, { force: true });
      return true;
    },
    close: async () => {
      for (const { reader } of readers.values()) reader.close();
      readers.clear();
    },
  };
}

/** The pack file of an origin: its id hashed, so any origin id is a safe file name. */
export const packFileOf = (dir: string, originId: string): string =>
  path.join(dir, crypto.createHash('sha256').update(originId).digest('hex').slice(0, 32) + PACK);

function stageIn(dir: string): SqlTextStage {
  let writer: PackWriter;
  try {
    fs.mkdirSync(dir, { recursive: true });
    sweepTemporaries(dir);
    writer = new PackWriter(
      path.join(dir, `.stage-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`),
    );
  } catch (err) {
    throw writeFailed(dir, err);
  }
  let done = false;
  return {
    add: (key, sql, kind) => writer.add(key, sql, kind),
    async commit(originId) {
      try {
        writer.finish(originId);
        fs.renameSync(writer.file, packFileOf(dir, originId));
        done = true;
        return { texts: writer.count };
      } catch (err) {
        writer.discard();
        throw writeFailed(dir, err);
      }
    },
    abort() {
      if (!done) writer.discard();
      done = true;
    },
  };
}

function writeFailed(dir: string, err: unknown) {
  return lineageError(
    'STORE_WRITE_FAILED',
    `cannot write the SQL texts under ${dir}: ${(err as Error).message}`,
    { dir },
    err,
  );
}

/** Temporary packs of processes that no longer run (killed mid-ingest). */
function sweepTemporaries(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const m = TEMP.exec(name);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1])))
      fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The text of the first origin (by id) whose pack holds the relation. */
function lookup(
  dir: string,
  readers: Map<string, { stamp: string; reader: PackReader }>,
  relationKey: string,
): SqlText | null {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(PACK));
  } catch {
    return null; // nothing ingested with SQL text yet
  }
  const holders: PackReader[] = [];
  for (const name of names) {
    const reader = readerOf(path.join(dir, name), readers);
    if (reader?.has(relationKey)) holders.push(reader);
  }
  holders.sort((a, b) => (a.originId < b.originId ? -1 : a.originId > b.originId ? 1 : 0));
  const first = holders[0];
  if (!first) return null;
  const text = first.text(relationKey);
  return text === null ? null : { relationKey, originId: first.originId, kind: text.kind, sql: text.sql };
}

function readerOf(
  file: string,
  readers: Map<string, { stamp: string; reader: PackReader }>,
): PackReader | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    readers.get(file)?.reader.close();
    readers.delete(file);
    return null; // removed meanwhile
  }
  const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  const cached = readers.get(file);
  if (cached?.stamp === stamp) return cached.reader;
  cached?.reader.close();
  const reader = PackReader.open(file);
  readers.set(file, { stamp, reader });
  return reader;
}
