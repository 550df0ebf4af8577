// A per-project cache of the SQL engine's results for dbt models, persisted in the data dir, so re-ingesting
// an unchanged manifest does not re-parse unchanged SQL. An entry is reused only when the model's SQL hash
// and every schema the engine looked up are unchanged (see parsers/dbt/lineage.ts). Entries not used by the
// latest ingest are dropped on save.
// The file is lines: a header, then one `<checksum> [uniqueId, entry]` per line (a 150k-model project's
// cache is larger than V8's maximum string length, so it is never one string). Each entry carries the
// sha-256 of its own text: a damaged entry (a flipped bit) is dropped and its model re-parsed, with a
// DBT_LINEAGE_CACHE_CORRUPT warning; an unreadable or foreign file is ignored the same way. The cache is
// only a speed-up, so a damaged cache never fails an ingest; a cache that cannot be written does
// (STORE_WRITE_FAILED naming the file), before the store is touched, and leaves no temporary file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedLineage, LineageCache } from '../../parsers/dbt/index.ts';
import type { Diagnostic } from '../model/lineage.ts';
import { writeFileAtomically } from './atomic-file.ts';

const FORMAT = 3;
const HEADER = JSON.stringify({ format: FORMAT });

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export class FileLineageCache implements LineageCache {
  private readonly next = new Map<string, CachedLineage>();

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
    const e = this.previous.get(uniqueId);
    if (e) this.next.set(uniqueId, e);
    return e;
  }

  set(uniqueId: string, entry: CachedLineage): void {
    this.next.set(uniqueId, entry);
  }

  get size(): number {
    return this.next.size;
  }

  /** Drops every entry from memory (after save). */
  release(): void {
    this.previous.clear();
    this.next.clear();
  }

  /**
   * Writes the entries used by this ingest, sorted by unique_id, atomically (temp file + rename). Throws
   * STORE_WRITE_FAILED naming the cache file (no temp file is left behind).
   */
  save(): void {
    const ids = [...this.next.keys()].sort();
    const next = this.next;
    writeFileAtomically(this.file, 'the dbt lineage cache', function* () {
      yield `${HEADER}\n`;
      for (const id of ids) {
        const text = JSON.stringify([id, next.get(id)]);
        yield `${checksum(text)} ${text}\n`;
      }
    });
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
