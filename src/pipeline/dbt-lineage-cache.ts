// A per-project cache of the SQL engine's results for dbt models, persisted in the data dir, so re-ingesting
// an unchanged manifest does not re-parse unchanged SQL. An entry is reused only when the model's SQL hash
// and every schema the engine looked up are unchanged (see parsers/dbt/lineage.ts). Entries not used by the
// latest ingest are dropped on save. Entries are written through to the temporary file as models finish
// (in the order they finish), so a 150k-model ingest does not hold every model's engine results until the
// end of parsing; save() only flushes and renames.
// The file is lines: a header, then one `<checksum> [uniqueId, entry]` per line (a 150k-model project's
// cache is larger than V8's maximum string length, so it is never one string). Each entry carries the
// sha-256 of its own text: a damaged entry (a flipped bit) is dropped and its model re-parsed, with a
// DBT_LINEAGE_CACHE_CORRUPT warning; an unreadable or foreign file is ignored the same way. The cache is
// only a speed-up, so a damaged cache never fails an ingest; a cache that cannot be written does
// (STORE_WRITE_FAILED naming the file), before the store is touched, and leaves no temporary file.
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedLineage, LineageCache } from '../../parsers/dbt/index.ts';
import type { Diagnostic } from '../model/lineage.ts';
import { lineageError } from '../errors.ts';

const FORMAT = 3;
const HEADER = JSON.stringify({ format: FORMAT });

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export class FileLineageCache implements LineageCache {
  /** Ids written to the temporary file by this ingest. */
  private readonly written = new Set<string>();
  private fd: number | null = null;
  private pending = '';
  /** The first write error; reported by save(), before the store is touched. */
  private failure: Error | null = null;

  private constructor(
    readonly file: string,
    private readonly previous: Map<string, CachedLineage>,
    /** What was wrong with the file when it was read (DBT_LINEAGE_CACHE_CORRUPT warnings). */
    readonly diagnostics: Diagnostic[],
  ) {}

  static open(dataDir: string, projectName: string): FileLineageCache {
    const file = join(dataDir, 'dbt-lineage-cache', `${projectName.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(file);
    } catch {
      // no cache yet (or unreadable): start empty
    }
    const read = bytes === null ? { entries: new Map(), problem: null } : readEntries(bytes);
    const diagnostics: Diagnostic[] = read.problem
      ? [
          {
            code: 'DBT_LINEAGE_CACHE_CORRUPT',
            severity: 'warning',
            message: `lineage cache ${file}: ${read.problem}; the affected models are parsed again`,
            where: { file },
          },
        ]
      : [];
    return new FileLineageCache(file, read.entries, diagnostics);
  }

  get(uniqueId: string): CachedLineage | undefined {
    return this.previous.get(uniqueId);
  }

  /** Keeps an entry for the next ingest (a fresh result, or a previous one that was reused). */
  set(uniqueId: string, entry: CachedLineage): void {
    if (this.written.has(uniqueId)) return;
    this.written.add(uniqueId);
    const text = JSON.stringify([uniqueId, entry]);
    this.write(`${checksum(text)} ${text}\n`);
  }

  get size(): number {
    return this.written.size;
  }

  /**
   * Makes the entries written by this ingest the cache (flush, fsync, rename over the file). Throws
   * STORE_WRITE_FAILED naming the cache file when any write failed; no temporary file is left behind.
   */
  save(): void {
    this.write('');
    this.flush(true);
    if (this.failure === null && this.fd !== null) {
      try {
        fsyncSync(this.fd);
        closeSync(this.fd);
        this.fd = null;
        renameSync(this.tmp, this.file);
      } catch (err) {
        this.fail(err as Error);
      }
    }
    if (this.failure !== null)
      throw lineageError(
        'STORE_WRITE_FAILED',
        `cannot write the dbt lineage cache ${this.file}: ${this.failure.message}`,
        { file: this.file },
        this.failure,
      );
  }

  /** Drops the previous entries from memory and any unsaved temporary file (after save, or a failed parse). */
  release(): void {
    this.previous.clear();
    this.written.clear();
    if (this.fd !== null) this.fail(new Error('not saved'));
  }

  private get tmp(): string {
    return `${this.file}.${process.pid}.tmp`;
  }

  /** Appends text (the header first), buffered to about 1 MiB per write. */
  private write(text: string): void {
    if (this.failure !== null) return;
    if (this.fd === null) {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        this.fd = openSync(this.tmp, 'w');
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.pending = `${HEADER}\n`;
    }
    this.pending += text;
    this.flush(false);
  }

  private flush(all: boolean): void {
    if (this.fd === null || this.failure !== null || (!all && this.pending.length < 1 << 20)) return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    try {
      // writeSync may write less than asked (a filling disk writes what fits, then fails): loop until done.
      for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Remembers the first error, closes and removes the temporary file; later writes are dropped. */
  private fail(err: Error): void {
    this.failure ??= err;
    this.pending = '';
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already failing
      }
      this.fd = null;
    }
    rmSync(this.tmp, { force: true });
  }
}

/** The entries whose checksum and shape hold, and what was wrong with the rest (null when nothing). */
function readEntries(bytes: Buffer): { entries: Map<string, CachedLineage>; problem: string | null } {
  const entries = new Map<string, CachedLineage>();
  let start = bytes.indexOf(10);
  if (start === -1 || bytes.subarray(0, start).toString('utf8') !== HEADER)
    return { entries, problem: 'not a lineage cache of this version (header unreadable); it is rebuilt' };
  start++;
  let bad = 0;
  let firstBad = 0;
  for (let line = 2; start < bytes.length; line++) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      const entry = readEntry(bytes.subarray(start, end).toString('utf8'));
      if (entry) entries.set(entry[0], entry[1]);
      else if (bad++ === 0) firstBad = line;
    }
    start = end + 1;
  }
  return {
    entries,
    problem:
      bad === 0 ? null : `${bad} damaged entr${bad === 1 ? 'y' : 'ies'} (first at line ${firstBad}) dropped`,
  };
}

function readEntry(line: string): [string, CachedLineage] | null {
  const space = line.indexOf(' ');
  const text = line.slice(space + 1);
  if (space !== 32 || checksum(text) !== line.slice(0, space)) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isEntry(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** The shape parsers/dbt/lineage.ts relies on (a checksum only proves the bytes are the ones written). */
function isEntry(x: unknown): x is [string, CachedLineage] {
  if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string') return false;
  const e = x[1] as Partial<CachedLineage> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.sqlHash === 'string' &&
    Array.isArray(e.lookups) &&
    Array.isArray(e.statements)
  );
}

/** A stamp of the SQL engine's source files, so a changed engine invalidates cached results. */
export function sqlEngineStamp(): string {
  const dir = fileURLToPath(new URL('../../parsers/sql/', import.meta.url));
  const h = createHash('sha256');
  try {
    for (const name of readdirSync(dir).sort()) {
      const s = statSync(join(dir, name));
      h.update(`${name}:${s.size}:${s.mtimeMs}\n`);
    }
  } catch {
    h.update('no-engine');
  }
  return h.digest('hex').slice(0, 16);
}
