// The SQL-text pack: one file holding one origin's texts, written in one pass and read by key without
// loading the texts. Layout: a magic line, the texts' UTF-8 bytes back to back, an index (JSON: the origin
// and [relationKey, offset, length, kind?] per text, sorted by key; kind only for `raw` texts), and an 8-byte
// trailer giving the index's offset.
// The index at the end lets the writer stream texts as the parser produces them; a reader keeps only the
// index in memory and reads one text with one positioned read.
import fs from 'node:fs';
import { lineageError } from '../../src/errors.ts';
import type { SqlTextKind } from './types.ts';

const MAGIC = Buffer.from('lineage-sql-text/1\n', 'utf8');
const TRAILER = 8;
const FLUSH_BYTES = 1 << 20;

interface PackIndex {
  originId: string;
  entries: [key: string, offset: number, length: number, kind?: 'raw'][];
}

type At = [offset: number, length: number, kind: SqlTextKind];

/** Streams texts into `file` (created exclusively); finish() writes the index and fsyncs. */
export class PackWriter {
  private readonly fd: number;
  private offset = MAGIC.length;
  private readonly entries = new Map<string, At>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx');
    fs.writeSync(this.fd, MAGIC);
  }

  /** The first text given for a key is kept (a relation compiled twice in one project is a dbt error). */
  add(key: string, sql: string, kind: SqlTextKind = 'compiled'): void {
    if (this.entries.has(key)) return;
    const bytes = Buffer.from(sql, 'utf8');
    this.entries.set(key, [this.offset, bytes.length, kind]);
    this.offset += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  get count(): number {
    return this.entries.size;
  }

  finish(originId: string): void {
    this.flush();
    const entries = [...this.entries].map(([k, [o, l, kind]]): PackIndex['entries'][number] =>
      kind === 'raw' ? [k, o, l, kind] : [k, o, l],
    );
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const index: PackIndex = { originId, entries };
    const trailer = Buffer.alloc(TRAILER);
    trailer.writeBigUInt64BE(BigInt(this.offset));
    writeAll(this.fd, Buffer.concat([Buffer.from(JSON.stringify(index), 'utf8'), trailer]));
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  /** Closes and removes the file (a failed or abandoned stage). */
  discard(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed by finish()
    }
    fs.rmSync(this.file, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeAll(this.fd, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * A finished pack opened for reading: the index in memory, texts read on demand through the descriptor
 * opened with the index (a pack renamed over meanwhile is still read consistently: the old inode).
 */
export class PackReader {
  readonly originId: string;
  private readonly offsets = new Map<string, At>();

  private constructor(
    private readonly fd: number,
    index: PackIndex,
  ) {
    this.originId = index.originId;
    for (const [k, o, l, kind] of index.entries)
      this.offsets.set(k, [o, l, kind === 'raw' ? 'raw' : 'compiled']);
  }

  static open(file: string): PackReader {
    const corrupt = (why: string) =>
      lineageError('STORE_CORRUPT', `the SQL text pack ${file} is damaged (${why}); re-ingest its origin`, {
        file,
      });
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const head = readAt(fd, 0, MAGIC.length);
      if (size < MAGIC.length + TRAILER || !head.equals(MAGIC)) throw corrupt('not a pack');
      const indexAt = Number(readAt(fd, size - TRAILER, TRAILER).readBigUInt64BE());
      if (indexAt < MAGIC.length || indexAt > size - TRAILER) throw corrupt('bad trailer');
      let index: PackIndex;
      try {
        index = JSON.parse(readAt(fd, indexAt, size - TRAILER - indexAt).toString('utf8')) as PackIndex;
      } catch {
        throw corrupt('unreadable index');
      }
      if (typeof index?.originId !== 'string' || !Array.isArray(index.entries)) throw corrupt('bad index');
      if (index.entries.some(([, o, l]) => !(o >= MAGIC.length && l >= 0 && o + l <= indexAt)))
        throw corrupt('an entry points outside the texts');
      return new PackReader(fd, index);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  has(key: string): boolean {
    return this.offsets.has(key);
  }

  get(key: string): string | null {
    return this.text(key)?.sql ?? null;
  }

  /** The text and its kind. */
  text(key: string): { sql: string; kind: SqlTextKind } | null {
    const at = this.offsets.get(key);
    return at ? { sql: readAt(this.fd, at[0], at[1]).toString('utf8'), kind: at[2] } : null;
  }

  /** Every text in file order, read in one pass (for copying a pack into another store). */
  *entries(): Generator<[key: string, sql: string, kind: SqlTextKind]> {
    const sorted = [...this.offsets].sort((a, b) => a[1][0] - b[1][0]);
    for (const [k, [o, l, kind]] of sorted) yield [k, readAt(this.fd, o, l).toString('utf8'), kind];
  }

  get count(): number {
    return this.offsets.size;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}
